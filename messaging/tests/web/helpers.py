"""Small helpers for the page tests."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

HX = {"HTTP_HX_REQUEST": "true"}
JSON = {"HTTP_ACCEPT": "application/json"}


def browser_for(member, *, enforce_csrf: bool = False) -> Client:
    """A logged-in Django test client (session cookie, like a browser)."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(member)
    return client


def count_queries(request) -> int:
    """How many queries one request makes (its response must be a success)."""
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code < 300, response.status_code
    return len(captured)
