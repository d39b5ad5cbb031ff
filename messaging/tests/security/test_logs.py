"""Logs: one line per request carrying the request id, the id in the X-Request-ID header
and in every error body, and never a message text, a password or a token."""

import logging
from http import HTTPStatus
from unittest import mock

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from alumunity.middleware import RequestIdLogFilter
from messaging.tests.factories import TEST_PASSWORD, send

MARKER = "zebra-crossing-7f3a"


@pytest.fixture
def logs(caplog):
    """Everything logged at any level, with the request id filled in as in production."""
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RequestIdLogFilter())
    yield caplog
    caplog.handler.removeFilter(caplog.handler.filters[-1])


def _request_lines(logs):
    return [record for record in logs.records if record.name == "alumunity.request"]


def _everything_logged(logs) -> str:
    lines = []
    for record in logs.records:
        lines.append(record.getMessage())
        lines.append(repr(record.args))
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


def test_one_line_per_request_with_its_id(api_client, user, logs):
    response = api_client.get("/api/messages/inbox")
    lines = _request_lines(logs)
    assert len(lines) == 1
    request_id = response["X-Request-ID"]
    assert len(request_id) >= 16
    assert lines[0].request_id == request_id
    assert lines[0].getMessage().startswith("GET /api/messages/inbox 200 ")
    assert f"user={user.pk}" in lines[0].getMessage()


def test_every_request_gets_a_fresh_id(api_client):
    ids = {api_client.get("/healthz")["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_a_proxys_request_id_is_kept_only_when_harmless(api_client):
    assert api_client.get("/healthz", HTTP_X_REQUEST_ID="edge-42.a")["X-Request-ID"] == "edge-42.a"
    for hostile in ("a b", "x" * 65, "id\nforged log line", "<script>"):
        echoed = api_client.get("/healthz", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
        assert echoed != hostile and len(echoed) == 32


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/messages/conversation/not-a-member", HTTPStatus.NOT_FOUND),
        ("get", "/api/messages/search", HTTPStatus.BAD_REQUEST),
        ("put", "/api/messages/inbox", HTTPStatus.METHOD_NOT_ALLOWED),
        ("get", "/api/nothing-here", HTTPStatus.NOT_FOUND),
    ],
)
def test_error_bodies_carry_the_request_id(api_client, logs, method, path, status):
    response = getattr(api_client, method)(path)
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["request_id"] == response["X-Request-ID"]
    assert _request_lines(logs)[-1].request_id == body["request_id"]


def test_an_unexpected_error_is_logged_with_the_id_and_hidden_from_the_client(api_client, logs):
    with mock.patch(
        "messaging.selectors.unread_total", side_effect=RuntimeError("boom in the depths")
    ):
        response = api_client.get("/api/messages/unread-count")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    body = response.json()
    assert body["request_id"] == response["X-Request-ID"]
    assert "boom" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    errors = [record for record in logs.records if record.levelno >= logging.ERROR]
    assert errors and all(record.request_id == body["request_id"] for record in errors)
    assert any(record.exc_info for record in errors)  # the stack trace goes to the log


def test_message_text_tokens_and_passwords_never_reach_the_log(db, user, other_user, logs):
    pair = APIClient().post(
        "/api/auth/token/", {"email": user.email, "password": TEST_PASSWORD}, format="json"
    )
    tokens = pair.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": f"secret {MARKER}"},
        format="json",
    )
    client.get(f"/api/messages/search?q={MARKER}")
    client.get(f"/api/messages/conversation/{other_user.pk}")
    APIClient().post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    APIClient().post("/api/auth/logout", {"refresh": tokens["refresh"]}, format="json")
    # A failing send logs its failure, still without the text.
    with mock.patch("messaging.events.message_new", side_effect=RuntimeError("x")):
        client.post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": f"again {MARKER}"},
            format="json",
        )

    logged = _everything_logged(logs)
    assert len(_request_lines(logs)) == 7
    assert MARKER not in logged
    assert TEST_PASSWORD not in logged
    for token in (tokens["access"], tokens["refresh"]):
        assert token not in logged
        assert token.split(".")[2] not in logged  # not even the signature


def test_query_strings_never_reach_the_request_line(other_user, user):
    """Query strings never reach the request line, so a token or a search in a URL is
    not logged either."""
    token = str(RefreshToken.for_user(user).access_token)
    send(other_user, user, f"hello {MARKER}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("alumunity.request")
    logger.addHandler(handler)
    try:
        client.get(f"/api/messages/search?q={MARKER}&token={token}")
    finally:
        logger.removeHandler(handler)
    assert len(records) == 1
    line = records[0].getMessage()
    assert MARKER not in line and token not in line and "?" not in line
