"""The API's JSON renderer: DRF's JSONRenderer, its bytes written by orjson.

DRF's renderer runs the standard library's encoder; a page of 50 conversations or
messages took it ~160 µs (SQLite) to ~290 µs (MariaDB, a busier process) of a 2-3 ms
request, orjson ~9 µs. The output is the same JSON: compact, UTF-8, U+2028 and U+2029
escaped as DRF escapes them. Whatever orjson does not write as DRF would (datetimes,
dates and times, lazy translations, decimals, iterables) goes to DRF's own encoder, and a
value orjson refuses (an integer past 64 bits) is rendered by DRF whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATORS = ((b"\xe2\x80\xa8", b"\\u2028"), (b"\xe2\x80\xa9", b"\\u2029"))


class FastJSONRenderer(JSONRenderer):
    """DRF's JSONRenderer with orjson's encoder; an indented answer (asked for with
    `Accept: application/json; indent=4`), or one DRF's settings want ASCII-only or
    spaced (UNICODE_JSON, COMPACT_JSON off), is DRF's own."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        indented = self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        if indented or self.ensure_ascii or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self.encoder_class().default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: the output stays a strict subset of JavaScript.
        for raw, escaped in _LINE_SEPARATORS:
            if raw in rendered:
                rendered = rendered.replace(raw, escaped)
        return rendered
