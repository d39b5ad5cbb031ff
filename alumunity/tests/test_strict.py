"""Parsers share their fields' construction (alumunity.strict.FieldsBuiltOnce): every
instance still validates on its own, and a field holding fields is still copied deep."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.http import QueryDict
from rest_framework import serializers

from alumunity.strict import BodyInput, QueryParams, StrictIntegerField
from messaging.api.serializers import StrictCharField


class Params(QueryParams):
    limit = StrictIntegerField(min_value=1, max_value=100, default=50)
    q = StrictCharField(max_length=10)


class Body(BodyInput):
    ids = serializers.ListField(child=StrictCharField(), allow_empty=False)
    note = StrictCharField(required=False)


def _parse(serializer_class, data):
    serializer = serializer_class(data=data)
    valid = serializer.is_valid()
    return (serializer.validated_data if valid else serializer.errors), serializer


def test_each_instance_binds_fields_of_its_own():
    (first, one), (second, two) = _parse(Params, QueryDict("q=a")), _parse(Params, QueryDict("q=b"))

    assert (first, second) == ({"limit": 50, "q": "a"}, {"limit": 50, "q": "b"})
    for name in ("limit", "q"):
        assert one.fields[name] is not two.fields[name]
        assert one.fields[name].parent is one and two.fields[name].parent is two


def test_errors_do_not_carry_over_to_the_next_parse():
    errors, _ = _parse(Params, QueryDict("q=far-too-long-a-query&limit=0&limit=3"))
    valid, _ = _parse(Params, QueryDict("q=fine&limit=3"))

    assert set(errors) == {"q", "limit"}
    assert valid == {"limit": 3, "q": "fine"}


def test_a_list_field_is_copied_deep():
    _, one = _parse(Body, {"ids": ["a"]})
    _, two = _parse(Body, {"ids": ["b"]})

    assert one.fields["ids"].child is not two.fields["ids"].child
    assert one.validated_data == {"ids": ["a"]} and two.validated_data == {"ids": ["b"]}
    errors, _ = _parse(Body, {"ids": [], "extra": 1})
    assert set(errors) == {"ids", "extra"}


@pytest.mark.parametrize("threads", [8])
def test_parses_in_many_threads_at_once(threads):
    queries = [f"q=w{n}&limit={n % 100 + 1}" for n in range(400)]

    with ThreadPoolExecutor(threads) as pool:
        parsed = list(pool.map(lambda query: _parse(Params, QueryDict(query))[0], queries))

    assert parsed == [{"limit": n % 100 + 1, "q": f"w{n}"} for n in range(400)]
