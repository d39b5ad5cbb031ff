"""Content negotiation answers exactly as DRF's own does, for any Accept header, format
override and renderers; the shortcut for `*/*` changes how fast, not what."""

import itertools
from http import HTTPStatus

import pytest
from django.http import Http404
from django.test import RequestFactory
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from messaging.api.negotiation import Negotiation

from .helpers import ok_body


def _renderer(media_type: str, format_: str):
    return type("R", (BaseRenderer,), {"media_type": media_type, "format": format_})()


RENDERERS = [
    JSONRenderer(),
    _renderer("text/html", "html"),
    _renderer("application/json; charset=utf-8", "json"),
    _renderer("*/*", "any"),
    _renderer("application/*", "app"),
    _renderer("text/plain", "txt"),
]
ACCEPTS = [
    None,
    "*/*",
    "",
    " */*",
    "*/*; q=0.5",
    "application/json",
    "text/html",
    "text/*",
    "application/json, */*",
    "image/png",
    "application/json; charset=utf-8",
    "*/*, text/html;q=0.1",
    "nonsense",
]
SUFFIXES = [None, "", "json", "html", "any"]
QUERIES = [
    "",
    "format=json",
    "format=html",
    "format=",
    "format=xml",
    "limit=5",
    "limit=5&format=txt",
]


def _answer(negotiation, request, renderers, suffix):
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except (NotAcceptable, Http404) as refusal:
        return type(refusal)
    return renderers.index(renderer), media_type


def test_the_answer_is_drfs_own():
    """Every combination of the Accept headers, format overrides and up to two renderers."""
    factory = RequestFactory()
    lists = [[]] + [list(pair) for n in (1, 2) for pair in itertools.permutations(RENDERERS, n)]
    for accept, query, suffix in itertools.product(ACCEPTS, QUERIES, SUFFIXES):
        headers = {} if accept is None else {"HTTP_ACCEPT": accept}
        for renderers in lists:
            drf = Request(factory.get(f"/api/auth/me?{query}", **headers))
            ours = Request(factory.get(f"/api/auth/me?{query}", **headers))
            expected = _answer(DefaultContentNegotiation(), drf, renderers, suffix)
            assert _answer(Negotiation(), ours, renderers, suffix) == expected, (
                accept,
                query,
                suffix,
                [r.media_type for r in renderers],
            )


@pytest.mark.django_db
@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_a_client_that_takes_json_or_anything_gets_json(api_client, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = api_client.get("/api/auth/me", **headers)
    assert response["Content-Type"] == "application/json"
    ok_body(response)


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["text/html", "image/png", ""])
def test_a_client_that_takes_no_json_is_refused_406(api_client, accept):
    response = api_client.get("/api/auth/me", HTTP_ACCEPT=accept)
    assert response.status_code == HTTPStatus.NOT_ACCEPTABLE
