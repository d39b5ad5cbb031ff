"""ORM statements compiled once and run again with new values.

Building a queryset and compiling it to SQL costs a hot request more than the database
takes to answer it (filters resolved, joins set up, expressions copied and compiled on
every call). A `Prepared` statement is written as an ordinary queryset, built once with
marker values in place of its parameters and compiled once per database; each call
then binds the real values into the same SQL and reads the rows back with the ORM's own
converters and model construction. The statement stays the ORM's (the same SQL on
SQLite and MariaDB, the same instances, routed and counted like any query); only the
repeated compilation goes.

A parameter is declared with the model field whose column it is compared with or
written to, so it is converted for the database exactly as the ORM converts it. Only
values the ORM passes as query parameters can be parameters: a slice's LIMIT is part of
the SQL, so a statement with a variable limit is one Prepared per limit; and None is
refused (the ORM compares with None as IS NULL, another statement).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery, UpdateQuery
from django.db.models.sql.compiler import SQLCompiler

_counter = itertools.count(1)


def _column_field(field: Field) -> Field:
    """A foreign key's values are those of the field it points to."""
    return field.target_field if field.is_relation else field  # type: ignore[attr-defined]


def _marker(field: Field) -> Any:
    """A value of the field's type that no constant of the statement equals (a constant
    that did would be told apart when the statement is built again with new markers)."""
    internal = _column_field(field).get_internal_type()
    if internal == "UUIDField":
        return uuid.uuid4()
    if internal == "DateTimeField":
        return datetime(1901, 2, 3, 4, 5, 6, next(_counter) % 999_999, tzinfo=UTC)
    if internal.endswith("IntegerField") or internal.endswith("AutoField"):
        # Within the range of every integer column (a small positive one's included): a
        # value outside the range of the compared column makes Django drop or short-cut
        # the condition (on MariaDB `F("id") + 0 > ?` compares as a 32-bit integer).
        return 30_000 + next(_counter) % 2_000
    if internal in ("CharField", "TextField", "EmailField"):
        return f"\x01prepared-marker-{next(_counter)}\x01"
    raise ImproperlyConfigured(f"No marker for a {internal} parameter.")


def _db_value(field: Field, value: Any, connection) -> Any:
    """As a lookup converts its value: prepared first, so the database's own checks of a
    value to save (MariaDB refuses 0 for an AutoField) do not apply to a comparison."""
    column = _column_field(field)
    return column.get_db_prep_value(column.get_prep_value(value), connection, prepared=True)


def _given(values: dict[str, Any], name: str) -> Any:
    """A parameter's value. None is refused: the ORM writes a comparison with None as
    IS NULL, a different statement, where a bound NULL would match nothing."""
    value = values[name]
    if value is None:
        raise ValueError(f"Prepared parameter {name!r} is None.")
    return value


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # Each SQL parameter: the name of a Prepared parameter, or None and a constant.
    slots: tuple[tuple[str | None, Any], ...]
    compiler: SQLCompiler
    using: str

    # What reading the rows back needs is the same on every call, so it is worked out
    # once, on the first (each is built by the ORM from the compiled query alone).
    @cached_property
    def converters(self) -> dict:
        compiler = self.compiler
        return compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])

    @cached_property
    def model_plan(self) -> tuple[int, int, list[str], list]:
        """Where the model's columns are in a row, their attribute names, and the
        select_related populators."""
        select, klass_info = self.compiler.select, self.compiler.klass_info
        assert klass_info is not None
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        # (The stubs follow a later Django, which added an argument.)
        populators = get_related_populators(klass_info, select, self.using)  # type: ignore[call-arg]
        return start, end, init_list, populators


class Prepared:
    """`build(**markers)` returns the queryset (or, through `update_query`, the UPDATE);
    `params` names each parameter's field."""

    def __init__(self, build: Callable[..., Any], **params: Any) -> None:
        self._build = build
        self._params: dict[str, Field] = params
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        sql, params, compiler, slots = self._with_markers(using)
        # Built again with other markers, only the parameters may differ: a value the
        # statement uses in a way this cannot see (a LIMIT, a derived value) would.
        again, other_params, _, other_slots = self._with_markers(using)
        if again != sql or [name for name, _ in slots] != [name for name, _ in other_slots]:
            raise ImproperlyConfigured("The statement depends on its parameters' values.")
        for (name, value), other in zip(slots, other_params, strict=True):
            if name is None and value != other:
                raise ImproperlyConfigured("A parameter is not passed through as it is.")
        compiled = _Compiled(sql, slots, compiler, using)
        self._compiled[using] = compiled
        return compiled

    def _with_markers(self, using: str):
        connection = connections[using]
        markers = {name: _marker(field) for name, field in self._params.items()}
        built = self._build(**markers)
        query = built.query if isinstance(built, QuerySet) else built
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        wanted = {
            name: _db_value(self._params[name], marker, connection)
            for name, marker in markers.items()
        }
        slots = tuple(
            (
                next(
                    (n for n, v in wanted.items() if type(v) is type(value) and v == value),
                    None,
                ),
                value,
            )
            for value in params
        )
        return sql, params, compiler, slots

    def _params_of(self, compiled: _Compiled, values: dict[str, Any]) -> list[Any]:
        connection = connections[compiled.using]
        return [
            _db_value(self._params[name], _given(values, name), connection) if name else constant
            for name, constant in compiled.slots
        ]

    def statement(self, model: type[Model], **values: Any) -> tuple[str, list[Any]]:
        """The SELECT and its parameters, to be run as part of a larger statement (its
        rows come back unconverted, as from `raw`)."""
        compiled = self._compile(router.db_for_read(model))
        return compiled.sql, self._params_of(compiled, values)

    def _execute(self, using: str, values: dict[str, Any]):
        compiled = self._compile(using)
        connection = connections[using]
        params = self._params_of(compiled, values)
        cursor = connection.cursor()
        try:
            cursor.execute(compiled.sql, params)
        except BaseException:
            cursor.close()
            raise
        return compiled, cursor

    def update(self, model: type[Model], **values: Any) -> int:
        """Run an UPDATE built with `update_query`; the number of rows it changed."""
        using = router.db_for_write(model)
        with transaction.mark_for_rollback_on_error(using=using):
            _, cursor = self._execute(using, values)
            with cursor:
                return cursor.rowcount

    def rows(self, model: type[Model], **values: Any) -> list[tuple]:
        """The rows of a `values_list()` queryset, converted as the ORM converts them."""
        compiled, rows = self._fetch(router.db_for_read(model), values)
        if compiled.converters:
            converted = compiled.compiler.apply_converters(rows, compiled.converters)
            return [tuple(row) for row in converted]
        return [tuple(row) for row in rows]

    def raw(self, model: type[Model], **values: Any) -> list[tuple]:
        """The rows of a `values_list()` queryset as the database driver returns them,
        unconverted: for a caller that converts its columns itself (each distinct value
        once, say), as the ORM's converters would."""
        _, rows = self._fetch(router.db_for_read(model), values)
        return list(rows)

    def exists(self, model: type[Model], **values: Any) -> bool:
        """Whether a `.query.exists()` statement finds a row."""
        _, rows = self._fetch(router.db_for_read(model), values)
        return bool(rows)

    def instances(self, model: type[Model], *, for_write: bool = False, **values: Any) -> list[Any]:
        """The model instances of a queryset (with its select_related and annotations),
        as the ORM's own iteration builds them. `for_write` routes as a locking read."""
        using = (router.db_for_write if for_write else router.db_for_read)(model)
        compiled, fetched = self._fetch(using, values)
        rows: Iterable[Any] = fetched
        compiler = compiled.compiler
        start, end, init_list, populators = compiled.model_plan
        if compiled.converters:
            rows = compiler.apply_converters(rows, compiled.converters)
        model = compiler.klass_info["model"]
        found = []
        for row in rows:
            instance = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in compiler.annotation_col_map.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _fetch(self, using: str, values: dict[str, Any]) -> tuple[_Compiled, list]:
        compiled, cursor = self._execute(using, values)
        with cursor:
            rows = cursor.fetchall()
        compiler = compiled.compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        return compiled, rows


def update_query(queryset: QuerySet, **values: Any) -> UpdateQuery:
    """The UPDATE `queryset.update(**values)` runs, for a Prepared statement."""
    query: Any = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    query.clear_select_clause()
    return query


class PreparedInsert:
    """`model.objects.create(**values)` for a hot path, its INSERT compiled once per
    database: each call builds the instance, converts each value as `save()` does
    (`pre_save`, then `get_db_prep_save`) and runs the same SQL, reading the new id back
    as the ORM does (RETURNING where the database has it), with `save()`'s `pre_save` and
    `post_save` signals around it. Unlike `save()` it does not check that related objects
    are saved, so it is given saved ones. Every concrete column is written, as
    `create()` writes them."""

    def __init__(self, model: type[Model]) -> None:
        self._model = model
        self._fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        self._compiled: dict[str, tuple[str, bool]] = {}

    def _compile(self, using: str) -> tuple[str, bool]:
        compiled = self._compiled.get(using)
        if compiled is None:
            query = InsertQuery(self._model)
            query.insert_values(self._fields, [self._model()])
            compiler: Any = query.get_compiler(using=using)
            returning = connections[using].features.can_return_columns_from_insert
            if returning:
                compiler.returning_fields = [self._model._meta.pk]
            [(sql, _)] = compiler.as_sql()
            compiled = self._compiled[using] = (sql, returning)
        return compiled

    def create(self, **values: Any) -> Any:
        model = self._model
        instance = model(**values)
        using = router.db_for_write(model)
        connection = connections[using]
        sql, returning = self._compile(using)
        signals.pre_save.send(model, instance=instance, raw=False, using=using, update_fields=None)
        params = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in self._fields
        ]
        with transaction.mark_for_rollback_on_error(using=using), connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                pk = cursor.fetchone()[0]
            else:
                meta = self._model._meta
                pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.attname)
        instance.pk = pk
        instance._state.adding = False
        instance._state.db = using
        signals.post_save.send(
            model, instance=instance, created=True, update_fields=None, raw=False, using=using
        )
        return instance
