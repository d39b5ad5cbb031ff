"""Findings of the outside scan on the throttles: password spraying from one address,
locking a member out from elsewhere, and a made-up X-Forwarded-For dodging the sign-up
limit under uvicorn."""

import json
import tempfile
import urllib.error
import urllib.request
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from alumunity.serve import uvicorn_command
from messaging.tests.factories import TEST_PASSWORD
from messaging.tests.realtime.servers import Server, free_port

from .test_resources import frozen_clock

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
MEMBER_AT_HOME = "198.51.100.7"


def _api_login(email, password, address):
    return APIClient().post(
        "/api/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def _page_login(email, password, address):
    return Client().post(
        "/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize("login", [_api_login, _page_login])
@override_settings(LOGIN_ADDRESS_RATE="30/min", LOGIN_RATE="10/min")
def test_password_spraying_from_one_address_is_limited_whatever_the_emails(login):
    with frozen_clock():
        statuses = [
            login(f"member{index}@example.org", "Summer2026!", ATTACKER).status_code
            for index in range(40)
        ]
        elsewhere = login("member0@example.org", "Summer2026!", MEMBER_AT_HOME)
    refused = HTTPStatus.UNAUTHORIZED if login is _api_login else HTTPStatus.BAD_REQUEST
    assert statuses == [refused] * 30 + [HTTPStatus.TOO_MANY_REQUESTS] * 10
    assert elsewhere.status_code == refused  # another address is not held back


@pytest.mark.parametrize("login", [_api_login, _page_login])
@override_settings(LOGIN_ADDRESS_RATE="30/min", LOGIN_RATE="10/min")
def test_wrong_guesses_from_elsewhere_do_not_lock_the_member_out(user, login):
    with frozen_clock():
        guesses = [login(user.email, f"guess-{index}", ATTACKER).status_code for index in range(15)]
        own = login(user.email, TEST_PASSWORD, MEMBER_AT_HOME)
        attacker_right = login(user.email, TEST_PASSWORD, ATTACKER)
    assert guesses[10:] == [HTTPStatus.TOO_MANY_REQUESTS] * 5
    assert own.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert attacker_right.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_an_attempt_the_address_limit_refused_uses_no_try_of_the_email(user):
    """Under a burst, attempts past the address limit must not eat the (address, email)
    tries, or fewer than LOGIN_RATE guesses ever reach the password check."""
    with frozen_clock():
        with override_settings(LOGIN_ADDRESS_RATE="3/min", LOGIN_RATE="10/min"):
            burst = [_api_login(user.email, "wrong", ATTACKER).status_code for _ in range(6)]
        with override_settings(LOGIN_ADDRESS_RATE="100/min", LOGIN_RATE="10/min"):
            later = [_api_login(user.email, "wrong", ATTACKER).status_code for _ in range(8)]
    assert burst == [HTTPStatus.UNAUTHORIZED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS] * 3
    assert later == [HTTPStatus.UNAUTHORIZED] * 7 + [HTTPStatus.TOO_MANY_REQUESTS]


@override_settings(LOGIN_ADDRESS_RATE="30/min", LOGIN_RATE="10/min")
def test_rapid_logins_are_refused_after_the_limit(user):
    with frozen_clock():
        statuses = [
            _api_login(user.email, f"guess-{index}", ATTACKER).status_code for index in range(200)
        ]
    assert statuses[:10] == [HTTPStatus.UNAUTHORIZED] * 10
    assert set(statuses[10:]) == {HTTPStatus.TOO_MANY_REQUESTS}


# --- X-Forwarded-For under the server command ------------------------------------------------


def _serve_command(port: int, num_proxies: int) -> tuple[list[str], dict]:
    """The uvicorn command `make serve` runs, with the Makefile's proxy setting."""
    environment = {"DEBUG": "1", "NUM_PROXIES": str(num_proxies)}
    return uvicorn_command(port, environment), environment


def _register_statuses(server, forwarded_for: list[str]) -> list[int]:
    statuses = []
    for address in forwarded_for:
        request = urllib.request.Request(
            f"{server.base_url}/api/auth/register",
            method="POST",
            data=json.dumps({}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    return statuses


@pytest.mark.parametrize(
    ("num_proxies", "expected"),
    [
        # No proxy in front: the made-up header is ignored, the loopback address is limited.
        (0, [400, 400, 429, 429]),
        # One trusted proxy on loopback: each forwarded client has its own limit.
        (1, [400, 400, 400, 400]),
    ],
)
def test_a_made_up_forwarded_for_only_counts_behind_a_trusted_proxy(num_proxies, expected):
    port = free_port()
    command, environment = _serve_command(port, num_proxies)
    assert ("--no-proxy-headers" in command) == (num_proxies == 0)
    with tempfile.TemporaryDirectory() as scratch:
        server = Server(
            port=port,
            command=command,
            extra_env={
                **environment,
                "DATABASE_URL": f"sqlite:///{Path(scratch) / 'empty.sqlite3'}",
                "REGISTER_RATE": "2/day",
                "CACHE_KEY_PREFIX": f"proxy-test-{port}",
            },
        )
        try:
            server.wait_until_ready()
            statuses = _register_statuses(server, [f"10.9.8.{index}" for index in range(4)])
        finally:
            server.stop()
    assert statuses == expected


# --- looking members up by email ---------------------------------------------------------------


@override_settings(EMAIL_LOOKUP_RATE="3/hour")
def test_exact_email_lookups_are_limited_per_member(api_client, other_client, user, other_user):
    with frozen_clock(1_800_000_000.0 + 1800):
        found = [api_client.get("/api/users/search", {"q": other_user.email}) for _ in range(3)]
        refused = api_client.get("/api/users/search", {"q": "nobody@example.org"})
        by_name = api_client.get("/api/users/search", {"q": "grace"})
        someone_else = other_client.get("/api/users/search", {"q": user.email})
    assert [response.json()["total"] for response in found] == [1, 1, 1]
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert refused["Retry-After"] == "1800"
    assert by_name.status_code == HTTPStatus.OK and by_name.json()["total"] == 1
    assert someone_else.json()["total"] == 1


@override_settings(EMAIL_LOOKUP_RATE="2/hour")
def test_the_pages_share_the_email_lookup_limit(api_client, user, other_user):
    browser = Client()
    browser.force_login(user)
    with frozen_clock(1_800_000_000.0 + 1800):
        api_client.get("/api/users/search", {"q": other_user.email})
        first = browser.get("/messages/new", {"q": other_user.email})
        second = browser.get("/messages/new", {"q": other_user.email})
    assert other_user.name in first.content.decode()
    assert second.status_code == HTTPStatus.OK
    assert other_user.name not in second.content.decode()
