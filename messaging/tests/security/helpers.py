"""Small helpers shared by the security tests."""

from django.db import connection


def without_request_id(body: dict) -> dict:
    """An error body as a client would compare it: the request id differs every time."""
    return {key: value for key, value in body.items() if key != "request_id"}


def sqlite_in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]


def walk_strings(value):
    """Every string key and value inside a decoded JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_strings(item)
    elif isinstance(value, str):
        yield value


def walk_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from walk_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk_keys(item)
