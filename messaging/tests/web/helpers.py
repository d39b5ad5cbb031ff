"""Small helpers for the page tests."""

from django.test import Client

HX = {"HTTP_HX_REQUEST": "true"}
JSON = {"HTTP_ACCEPT": "application/json"}


def browser_for(member, *, enforce_csrf: bool = False) -> Client:
    """A logged-in Django test client (session cookie, like a browser)."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(member)
    return client
