"""Findings of the outside scan that live on plain HTTP: the login page's `next`, forged
log lines, tokens with a malformed member claim, weak passwords, caching headers."""

import io
import logging
from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework.test import APIClient

from alumunity.logging import EscapingFormatter
from messaging.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


# --- the login page's `next` ---------------------------------------------------------------


@pytest.mark.parametrize(
    "next_value", ["foo", "messaging:conversations", "admin:index", "//evil.example/", "/\\evil"]
)
def test_a_next_that_is_not_a_safe_path_falls_back_to_the_messages_page(user, next_value):
    client = Client()
    response = client.post(
        f"/accounts/login/?next={next_value}", {"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/messages"
    assert client.get("/messages").status_code == HTTPStatus.OK  # signed in

    signed_in = client.get("/accounts/login/", {"next": next_value})
    assert signed_in.status_code == HTTPStatus.FOUND
    assert signed_in["Location"] == "/messages"


def test_a_safe_next_path_is_still_followed_when_signed_in(user):
    client = Client()
    client.force_login(user)
    response = client.get("/accounts/login/", {"next": "/messages/search?q=a"})
    assert response["Location"] == "/messages/search?q=a"


# --- forged log lines ----------------------------------------------------------------------

FORGED = "2026-11-30 04:30:00,000 INFO alumunity.request [forged] POST /admin/ 200"


@pytest.fixture
def log_output():
    """What the configured console handler writes, as it would reach the server's log."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, EscapingFormatter)
    ]
    assert handlers, "the console handler escapes control characters"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def _lines(buffer) -> list[str]:
    return buffer.getvalue().splitlines()


def test_a_newline_in_the_path_cannot_forge_a_log_line(anon_client, log_output):
    for separator in ("%0A", "%0D", "%0D%0A", "%E2%80%A8"):
        anon_client.get(f"/nope{separator}{FORGED.replace(' ', '%20')}")
    lines = _lines(log_output)
    assert len(lines) == 4
    assert not any(line.startswith(FORGED) for line in lines)
    assert all(line.split(" ")[3] == "alumunity.request" for line in lines)
    assert "\\n2026-11-30" in lines[0]


def test_user_values_in_other_loggers_are_escaped_too(log_output):
    # Django's own warning quotes the Host header a client sent.
    Client().get("/healthz", HTTP_HOST=f"evil.example\r\n{FORGED}")
    logging.getLogger("messaging").warning("lookup for %s", f"x\n{FORGED}")
    try:
        raise ValueError(f"bad input\n{FORGED}")
    except ValueError:
        logging.getLogger("messaging").exception("failed")
    lines = _lines(log_output)
    assert lines
    assert not any(line.startswith(FORGED) for line in lines)
    # A traceback keeps its lines, indented under its record.
    assert any(line.startswith("  Traceback") for line in lines)


# --- a validly signed token naming no member -------------------------------------------------


def _signed_token(user_id, token_type: str) -> str:
    from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

    token = (AccessToken if token_type == "access" else RefreshToken)()
    token["user_id"] = user_id
    return str(token)


MALFORMED_USER_IDS = ["not-a-uuid", 42, ["x"], {"a": 1}, "", None, "0" * 40]


@pytest.mark.parametrize("user_id", MALFORMED_USER_IDS)
def test_a_signed_access_token_with_a_malformed_member_is_401(user_id):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_signed_token(user_id, 'access')}")
    response = client.get("/api/auth/me")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "detail" in response.json()


@pytest.mark.parametrize("user_id", MALFORMED_USER_IDS)
def test_a_signed_refresh_token_with_a_malformed_member_is_401(user_id):
    response = APIClient().post(
        "/api/auth/token/refresh/", {"refresh": _signed_token(user_id, "refresh")}, format="json"
    )
    assert response.status_code == HTTPStatus.UNAUTHORIZED


# --- weak passwords ------------------------------------------------------------------------

WEAK_PASSWORDS = [
    (" " * 12, "only spaces"),
    ("\t\u00a0 \u2003 \n   \t  ", "only spaces"),
    ("Ada Lovelace-Byron", "too similar to the name"),
    ("adalovelacebyron", "too similar to the name"),
    ("ada.byron@example.org", "too similar to the email"),
]


@pytest.mark.parametrize(("password", "reason"), WEAK_PASSWORDS)
def test_the_api_refuses_weak_passwords(password, reason):
    response = APIClient().post(
        "/api/auth/register",
        {"email": "ada.byron@example.org", "name": "Ada Lovelace-Byron", "password": password},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert any(reason in text for text in response.json()["errors"]["password"])


@pytest.mark.parametrize(("password", "reason"), WEAK_PASSWORDS)
def test_the_signup_page_refuses_weak_passwords(password, reason):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "ada.byron@example.org", "name": "Ada Lovelace-Byron", "password": password},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert reason in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_strong_password_with_spaces_inside_is_accepted():
    response = APIClient().post(
        "/api/auth/register",
        {"email": "ada.byron@example.org", "name": "Ada", "password": "  correct horse staple "},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED


# --- caching and browser features --------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/auth/me", "/api/messages/inbox", "/api/messages/unread-count", "/api/nope"]
)
def test_authenticated_api_responses_are_never_stored(api_client, path):
    response = api_client.get(path)
    assert "no-store" in response["Cache-Control"]
    assert "camera=()" in response["Permissions-Policy"]


def test_tokens_are_never_stored(user):
    response = APIClient().post(
        "/api/auth/token/", {"email": user.email, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "signed_in"),
    [("/messages", True), ("/messages/new", True), ("/accounts/login/", False)],
)
def test_pages_are_never_stored(user, path, signed_in):
    client = Client()
    if signed_in:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_static_files_keep_long_caching(client):
    response = client.get("/static/messaging/messaging.css")
    assert response.status_code == HTTPStatus.OK
    assert "no-store" not in response["Cache-Control"]
    assert "max-age=" in response["Cache-Control"]
    assert "Permissions-Policy" in response
