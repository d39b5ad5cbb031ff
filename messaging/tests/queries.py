"""Counting what a request costs: database queries without the test's savepoints, and
calls to the cache. On a wrong count the assertion lists what was run, so the reader
sees at once which query or cache call came or went."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.core.cache import caches
from django.db import connections
from django.test.utils import CaptureQueriesContext

# Savepoints come from the test's own transaction wrapping each atomic block: production
# autocommit runs those blocks as real transactions, and which of them get a savepoint
# depends on the nesting, not on the endpoint. They are left out of every count.
_SAVEPOINT = re.compile(r"^\s*(RELEASE\s+)?(ROLLBACK\s+TO\s+)?SAVEPOINT\b", re.IGNORECASE)

_CACHE_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "clear",
    "get_or_set",
)


def _listing(lines: list[str]) -> str:
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, 1))


@dataclass
class CapturedQueries:
    context: CaptureQueriesContext

    @property
    def queries(self) -> list[str]:
        return [
            query["sql"]
            for query in self.context.captured_queries
            if not _SAVEPOINT.match(query["sql"])
        ]

    def __len__(self) -> int:
        return len(self.queries)


@contextmanager
def capture_queries(using: str = "default") -> Iterator[CapturedQueries]:
    with CaptureQueriesContext(connections[using]) as context:
        yield CapturedQueries(context)


@contextmanager
def assert_database_query_count(expected: int, using: str = "default") -> Iterator[None]:
    """Like Zulip's assert_database_query_count: exactly `expected` queries, savepoints
    aside, or a failure that prints them."""
    with capture_queries(using) as captured:
        yield
    queries = captured.queries
    if len(queries) != expected:
        pytest.fail(
            f"{len(queries)} queries instead of {expected}:\n{_listing(queries)}",
            pytrace=False,
        )


@dataclass
class CacheCalls:
    calls: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.calls)


@contextmanager
def capture_cache_calls(alias: str = "default") -> Iterator[CacheCalls]:
    """Every call the code makes on the cache, counted where it is made: a backend that
    implements get_many with several gets still counts one call."""
    backend = caches[alias]
    recorded = CacheCalls()
    depth = 0

    def counting(name: str):
        original = getattr(backend, name)

        def call(*args, **kwargs):
            nonlocal depth
            if depth == 0:
                key = args[0] if args else kwargs.get("key", kwargs.get("keys"))
                recorded.calls.append(f"{name} {key}")
            depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth -= 1

        return call

    for name in _CACHE_METHODS:
        setattr(backend, name, counting(name))
    try:
        yield recorded
    finally:
        for name in _CACHE_METHODS:
            delattr(backend, name)


@contextmanager
def assert_cache_call_count(expected: int, alias: str = "default") -> Iterator[None]:
    with capture_cache_calls(alias) as recorded:
        yield
    if len(recorded) != expected:
        pytest.fail(
            f"{len(recorded)} cache calls instead of {expected}:\n{_listing(recorded.calls)}",
            pytrace=False,
        )
