"""SEND_RATE per member, LOGIN_RATE per email, REGISTER_RATE per client address: the
request over the limit is a 429 envelope with Retry-After."""

from http import HTTPStatus
from types import SimpleNamespace

import pytest

from alumunity import ratelimit
from messaging.models import Message
from messaging.tests.factories import TEST_PASSWORD

# The windows are fixed (aligned to the period), so the tests pin the clock 30 s into a
# minute and an hour: no request can straddle a window edge, and Retry-After is exact.
WINDOW_START = 1_800_000_000.0  # a multiple of 3600


@pytest.fixture
def clock(monkeypatch):
    now = SimpleNamespace(value=WINDOW_START + 30)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now.value))
    return now


def _throttled(response, retry_after: str) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS, response.content
    assert response.headers["Retry-After"] == retry_after
    body = response.json()
    assert body == {
        "success": False,
        "data": None,
        "message": body["message"],
        "request_id": response.headers["X-Request-ID"],
    }
    assert body["message"].startswith("Request was throttled.")


def _send(client, member, text="hi"):
    return client.post(
        "/api/messages/send",
        {"recipient_id": str(member.pk), "message_text": text},
        format="json",
    )


def test_the_send_over_the_rate_is_429_with_retry_after(
    settings, clock, api_client, other_client, user, other_user
):
    settings.SEND_RATE = "3/min"
    for i in range(3):
        assert _send(api_client, other_user, f"m{i}").status_code == HTTPStatus.CREATED
    _throttled(_send(api_client, other_user, "m3"), "30")
    assert Message.objects.filter(sender=user).count() == 3
    # Per member: Grace still sends.
    assert _send(other_client, user).status_code == HTTPStatus.CREATED
    # The next window lets Ada send again.
    clock.value = WINDOW_START + 60
    assert _send(api_client, other_user, "m4").status_code == HTTPStatus.CREATED


def test_reads_are_not_counted_against_the_send_rate(settings, clock, api_client, other_user):
    settings.SEND_RATE = "2/min"
    for _ in range(5):
        assert api_client.get("/api/messages/inbox").status_code == HTTPStatus.OK
    assert _send(api_client, other_user).status_code == HTTPStatus.CREATED


def test_login_rate_is_per_email_whatever_the_case(settings, clock, anon_client, user, other_user):
    settings.LOGIN_RATE = "2/min"
    for _ in range(2):
        response = anon_client.post(
            "/api/auth/token/", {"email": user.email, "password": "guess"}, format="json"
        )
        assert response.status_code == HTTPStatus.UNAUTHORIZED
    # Even the right password waits now, and a change of case is the same address.
    _throttled(
        anon_client.post(
            "/api/auth/token/",
            {"email": "ADA@EXAMPLE.ORG", "password": TEST_PASSWORD},
            format="json",
        ),
        "30",
    )
    # Another member's login is untouched.
    response = anon_client.post(
        "/api/auth/token/", {"email": other_user.email, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == HTTPStatus.OK


def _register(client, n: int, **extra):
    return client.post(
        "/api/auth/register",
        {"email": f"new{n}@example.org", "name": f"New {n}", "password": TEST_PASSWORD},
        format="json",
        **extra,
    )


@pytest.mark.django_db
def test_register_rate_is_per_client_address(settings, clock, anon_client):
    settings.REGISTER_RATE = "2/hour"
    assert _register(anon_client, 1, REMOTE_ADDR="203.0.113.7").status_code == HTTPStatus.CREATED
    assert _register(anon_client, 2, REMOTE_ADDR="203.0.113.7").status_code == HTTPStatus.CREATED
    _throttled(_register(anon_client, 3, REMOTE_ADDR="203.0.113.7"), "3570")
    assert _register(anon_client, 4, REMOTE_ADDR="198.51.100.9").status_code == HTTPStatus.CREATED


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_reset_the_register_rate(
    settings, clock, anon_client
):
    settings.REGISTER_RATE = "1/hour"
    first = _register(anon_client, 1, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert first.status_code == HTTPStatus.CREATED
    forged = _register(anon_client, 2, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.0.0.2")
    _throttled(forged, "3570")
