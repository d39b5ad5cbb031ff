"""Input parsing that refuses what the OpenAPI schema does not describe: a query
parameter given twice (which value would count?), and body fields no endpoint reads
(a typo or a guess at a privileged field: either way the client should hear of it).
Both are a 400 with the `errors` map, like any other invalid input."""

import copy
from collections.abc import Mapping
from typing import Any, cast

from rest_framework import serializers

UNKNOWN_FIELD = "Unknown field."
REPEATED_PARAMETER = "Give this parameter once."


def _with_errors(extra: dict[str, list[str]], parse):
    """Run `parse`; its field errors and `extra` are reported together."""
    try:
        value = parse()
    except serializers.ValidationError as exc:
        if extra and isinstance(exc.detail, dict):
            exc.detail.update(cast(dict[str, Any], extra))
        raise
    if extra:
        raise serializers.ValidationError(extra)
    return value


class FieldsBuiltOnce(serializers.Serializer):
    """Serializer mixin: each instance takes shallow copies of its class's declared
    fields, made once, where DRF deep-copies them for every instance, running each
    field's constructor again (most of a request's parsing: ~50 µs for three fields).
    The copies share only what no parse changes (arguments, validators, messages);
    each is bound to its own instance. A field holding fields (a list's child, a
    nested serializer) is still copied deep."""

    _prototypes: dict[type, dict[str, serializers.Field]] = {}

    def get_fields(self):
        prototypes = self._prototypes.get(type(self))
        if prototypes is None:
            prototypes = self._prototypes[type(self)] = super().get_fields()
        return {name: _copied(field) for name, field in prototypes.items()}


def _copied(field: serializers.Field) -> serializers.Field:
    if isinstance(field, serializers.Serializer) or hasattr(field, "child"):
        return copy.deepcopy(field)
    return copy.copy(field)


class RefuseUnknownFields(serializers.Serializer):
    """Serializer mixin (first among the bases): a body field the serializer does not
    take is an error."""

    def to_internal_value(self, data):
        unknown: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {name: [UNKNOWN_FIELD] for name in data if name not in writable}
        return _with_errors(
            unknown, lambda: super(RefuseUnknownFields, self).to_internal_value(data)
        )


class BodyInput(FieldsBuiltOnce, RefuseUnknownFields, serializers.Serializer):
    """A JSON body: only the declared fields."""


class QueryParams(FieldsBuiltOnce, serializers.Serializer):
    """Query parameters: each declared one at most once (other parameters are ignored)."""

    def to_internal_value(self, data):
        repeated: dict[str, list[str]] = {}
        if hasattr(data, "getlist"):
            repeated = {
                name: [REPEATED_PARAMETER]
                for name in list(self.fields)
                if len(data.getlist(name)) > 1
            }
        return _with_errors(repeated, lambda: super(QueryParams, self).to_internal_value(data))


class StrictIntegerField(serializers.IntegerField):
    """Digits, or a JSON integer: DRF alone reads "10.0", 10.0 and true as integers."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        if isinstance(data, str) and not (data.isascii() and data.lstrip("-").isdigit()):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonIntegerField(StrictIntegerField):
    """A body's integer: a JSON number without a fraction, not the string "12"."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
