"""The API's renderer writes what DRF's JSONRenderer wrote, faster."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from alumunity.renderers import FastJSONRenderer

MOMENT = datetime.datetime(2026, 11, 30, 19, 11, 24, 123456, tzinfo=datetime.UTC)
MEMBER = uuid.UUID("cd613e30-d8f1-4adf-91b7-584a2265b1f5")

PAYLOADS = [
    {"success": True, "data": [{"id": 1, "message_text": "café ☕ 🎉", "read": False}]},
    {
        "sent_at": MOMENT,
        "day": MOMENT.date(),
        "at": datetime.time(9, 30),
        "naive": MOMENT.replace(tzinfo=None),
    },
    {"message": gettext_lazy("Not found."), "amount": decimal.Decimal("1.5"), "member": MEMBER},
    {"keys": {1: "one", "two": 2}, "pair": (1, 2)},
    {"text": "a\u2028b\u2029c"},
    {"big": 2**70, "list": [None, 1.5, -0.0, 10**18]},
]


def _drf(data):
    return JSONRenderer().render(data)


@pytest.mark.parametrize("data", PAYLOADS)
def test_the_same_json_as_drf(data):
    expected = json.loads(_drf(data))
    assert json.loads(FastJSONRenderer().render(data)) == expected


def test_an_iterable_is_written_as_a_list():
    assert FastJSONRenderer().render({"gen": (n for n in range(3))}) == b'{"gen":[0,1,2]}'


def test_datetimes_are_written_as_drf_writes_them():
    rendered = FastJSONRenderer().render({"at": MOMENT})
    assert rendered == b'{"at":"2026-11-30T19:11:24.123456Z"}'
    assert rendered == _drf({"at": MOMENT})


def test_line_separators_are_escaped_as_drf_escapes_them():
    rendered = FastJSONRenderer().render({"text": "a\u2028b\u2029c"})
    assert rendered == b'{"text":"a\\u2028b\\u2029c"}'
    assert rendered == _drf({"text": "a\u2028b\u2029c"})


def test_compact_utf8_bytes():
    rendered = FastJSONRenderer().render({"text": "café", "n": [1, 2]})
    assert rendered == '{"text":"café","n":[1,2]}'.encode()


def test_nothing_renders_as_no_bytes():
    assert FastJSONRenderer().render(None) == b""


def test_an_integer_past_64_bits_is_rendered_by_drf():
    assert FastJSONRenderer().render({"big": 2**70}) == _drf({"big": 2**70})


def test_an_indented_answer_is_drfs_own():
    data = {"a": [1, {"b": "c"}]}
    indented = FastJSONRenderer().render(data, "application/json; indent=4")
    assert indented == JSONRenderer().render(data, "application/json; indent=4")
    assert b"\n    " in indented
