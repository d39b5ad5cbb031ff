"""OWASP API4 / API6: unrestricted resource consumption and unrestricted access to
sensitive business flows. Throttles are one atomic counter in the shared cache, so a
concurrent burst, or two server processes, cannot slip past the limit."""

import asyncio
import json
import os
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client, override_settings

from alumunity import ratelimit
from messaging.tests.factories import UserFactory, send


def run_in_own_loop(coroutine):
    """asyncio.run in a worker thread: browser tests earlier in the run may leave an event
    loop attached to the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


ROOT = Path(settings.BASE_DIR)
FIXED_NOW = 1_800_000_030.0  # 30 s into a minute window


def frozen_clock(now: float = FIXED_NOW):
    """Pin the throttle's clock (only the throttle's) so windows never roll mid-test."""
    return mock.patch.object(ratelimit, "time", mock.Mock(time=mock.Mock(return_value=now)))


def burst(count: int, action) -> list:
    """Run `action(i)` in `count` threads released together by one barrier."""
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        try:
            return action(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --- the counter -----------------------------------------------------------------------------


def test_a_fifty_way_burst_on_the_counter_gets_exactly_the_limit_through():
    identity = uuid.uuid4().hex
    with frozen_clock():
        results = burst(
            50, lambda _i: ratelimit.count_hit(scope="send", identity=identity, rate="10/min")
        )
    allowed = [wait for wait in results if wait is None]
    assert len(allowed) == 10
    assert all(wait == pytest.approx(30.0) for wait in results if wait is not None)


def test_windows_are_independent_per_identity_and_scope():
    with frozen_clock():
        for _ in range(3):
            assert ratelimit.count_hit(scope="send", identity="a", rate="3/min") is None
        assert ratelimit.count_hit(scope="send", identity="a", rate="3/min") is not None
        assert ratelimit.count_hit(scope="send", identity="b", rate="3/min") is None
        assert ratelimit.count_hit(scope="login", identity="a", rate="3/min") is None
    # The next window starts afresh.
    with frozen_clock(FIXED_NOW + 60):
        assert ratelimit.count_hit(scope="send", identity="a", rate="3/min") is None


TWO_PROCESS_SCRIPT = """
import os, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "alumunity.test_settings"
django.setup()
from alumunity.ratelimit import count_hit
identity, start_at = sys.argv[1], float(sys.argv[2])
while time.time() < start_at:
    time.sleep(0.005)
allowed = sum(
    1 for _ in range(30) if count_hit(scope="send", identity=identity, rate="40/day") is None
)
print(allowed)
"""


@pytest.mark.skipif(
    not settings.REDIS_URL,
    reason="the in-memory cache is private to one process; REDIS_URL is the multi-process setup",
)
def test_two_server_processes_together_hold_the_limit():
    """Two separate processes, 30 hits each at the same moment, share 40 allowances."""
    import time

    identity = uuid.uuid4().hex
    start_at = time.time() + 3
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", TWO_PROCESS_SCRIPT, identity, str(start_at)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
    counts = [int(out.strip()) for out, _err in outputs]
    assert sum(counts) == 40, counts


# --- through the API ---------------------------------------------------------------------------


@override_settings(LOGIN_RATE="10/min")
def test_a_fifty_way_login_burst_through_the_api_lets_only_the_limit_try(db):
    """50 concurrent login attempts on one address: exactly 10 reach the password check;
    every other one is a 429 with Retry-After and the error envelope."""

    def attempt(_index):
        return Client().post(
            "/api/auth/token/",
            {"email": "target@example.org", "password": f"guess-{_index}"},
            content_type="application/json",
        )

    with frozen_clock():
        responses = burst(50, attempt)
    statuses = [response.status_code for response in responses]
    throttled = [r for r in responses if r.status_code == HTTPStatus.TOO_MANY_REQUESTS]
    assert statuses.count(HTTPStatus.UNAUTHORIZED) == 10, statuses
    assert len(throttled) == 40
    for response in throttled:
        assert response["Retry-After"] == "30"
        body = response.json()
        assert body["success"] is False and body["data"] is None
        assert body["message"] and body["request_id"] == response["X-Request-ID"]


@override_settings(SEND_RATE="3/min")
def test_sends_over_the_rate_get_a_429_envelope_and_save_nothing(api_client, other_user):
    payload = {"recipient_id": str(other_user.pk), "message_text": "hi"}
    with frozen_clock():
        for _ in range(3):
            assert (
                api_client.post("/api/messages/send", payload, format="json").status_code
                == HTTPStatus.CREATED
            )
        response = api_client.post("/api/messages/send", payload, format="json")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == "30"
    body = response.json()
    assert (body["success"], body["data"]) == (False, None)
    assert "request_id" in body
    assert other_user.received_messages.count() == 3


@override_settings(SEND_RATE="3/min")
def test_the_send_limit_is_per_member(api_client, other_client, user, other_user):
    with frozen_clock():
        for _ in range(3):
            api_client.post(
                "/api/messages/send",
                {"recipient_id": str(other_user.pk), "message_text": "hi"},
                format="json",
            )
        response = other_client.post(
            "/api/messages/send",
            {"recipient_id": str(user.pk), "message_text": "hi"},
            format="json",
        )
    assert response.status_code == HTTPStatus.CREATED


@override_settings(REGISTER_RATE="2/hour")
def test_sign_ups_from_one_address_are_limited(db):
    client = Client()
    statuses = []
    with frozen_clock(1_800_000_000.0 + 1800):
        for index in range(3):
            statuses.append(
                client.post(
                    "/api/auth/register",
                    {
                        "email": f"new{index}@example.org",
                        "name": "New",
                        "password": "a sound pass phrase 42",
                    },
                    content_type="application/json",
                ).status_code
            )
    assert statuses == [HTTPStatus.CREATED, HTTPStatus.CREATED, HTTPStatus.TOO_MANY_REQUESTS]


def test_login_limit_is_per_address_tried_and_case_blind(db):
    client = Client()
    with frozen_clock(), override_settings(LOGIN_RATE="2/min"):
        for email in ("Victim@example.org", "victim@example.org "):
            client.post(
                "/api/auth/token/",
                {"email": email, "password": "x"},
                content_type="application/json",
            )
        third = client.post(
            "/api/auth/token/",
            {"email": "VICTIM@example.org", "password": "x"},
            content_type="application/json",
        )
        other = client.post(
            "/api/auth/token/",
            {"email": "someone@example.org", "password": "x"},
            content_type="application/json",
        )
    assert third.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert other.status_code == HTTPStatus.UNAUTHORIZED


# --- sizes and pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/messages/send", "/api/auth/register", "/api/auth/token/", "/accounts/login/"]
)
def test_bodies_over_one_megabyte_are_refused_before_parsing(api_client, path):
    body = b'{"message_text": "' + b"x" * (1024 * 1024) + b'"}'
    response = api_client.generic("POST", path, body, content_type="application/json")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    payload = response.json()
    assert payload["success"] is False and payload["request_id"] == response["X-Request-ID"]


def test_a_body_just_under_the_limit_is_parsed(api_client, other_user):
    # The padding is the text itself: a body field the endpoint does not take is a 400 too.
    text = "x" * 900_000
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": text},
        format="json",
    )
    # Parsed, then refused by the 5,000-character rule: a 400, not a 413.
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "message_text" in response.json()["errors"]


LIST_DOORS = [
    "/api/messages/inbox",
    "/api/messages/conversation/{other}",
    "/api/messages/search?q=hello",
    "/api/users/search?q=member",
    "/api/messages/blocked-users",
]


@pytest.mark.parametrize("path", LIST_DOORS)
def test_every_list_has_a_maximum_page(api_client, user, other_user, path):
    send(user, other_user, "hello")
    path = path.format(other=other_user.pk)
    joiner = "&" if "?" in path else "?"
    assert api_client.get(f"{path}{joiner}limit=100").status_code == HTTPStatus.OK
    too_big = api_client.get(f"{path}{joiner}limit=101")
    assert too_big.status_code == HTTPStatus.BAD_REQUEST, too_big.content
    assert "limit" in too_big.json()["errors"]
    assert api_client.get(f"{path}{joiner}limit=100000000000000000000").status_code == 400


def test_blocked_users_list_is_paged_with_the_whole_total(api_client, user):
    from messaging import services

    members = UserFactory.create_batch(5)
    for member in members:
        services.block_user(blocker=user, blocked_user_id=member.pk)
    page = api_client.get("/api/messages/blocked-users?limit=2&offset=2").json()
    assert page["total"] == 5 and len(page["data"]) == 2


@pytest.mark.parametrize("path", ["/api/messages/search", "/api/users/search"])
def test_search_queries_are_bounded(api_client, path):
    assert api_client.get(f"{path}?q={'a' * 200}").status_code == HTTPStatus.OK
    too_long = api_client.get(f"{path}?q={'a' * 201}")
    assert too_long.status_code == HTTPStatus.BAD_REQUEST
    assert "q" in too_long.json()["errors"]
    assert api_client.get(f"{path}?q=%20%20").status_code == HTTPStatus.BAD_REQUEST
    assert api_client.get(path).status_code == HTTPStatus.BAD_REQUEST


def test_a_huge_offset_is_an_empty_page_not_a_slow_one(api_client, user, other_user):
    send(user, other_user, "hello")
    page = api_client.get("/api/messages/inbox?offset=999999999").json()
    assert page["data"] == [] and page["total"] == 1
    # Found by the schema fuzzer: a 30-digit offset overflowed the database (a 500).
    for path in ("/api/messages/inbox", "/api/messages/blocked-users"):
        response = api_client.get(f"{path}?offset={10**30}")
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "offset" in response.json()["errors"]


def _chunked(total: int, chunk: int = 64 * 1024) -> list[dict]:
    sizes = [chunk] * (total // chunk) + ([total % chunk] if total % chunk else [])
    return [
        {"type": "http.request", "body": b"x" * size, "more_body": index < len(sizes) - 1}
        for index, size in enumerate(sizes)
    ]


def _asgi_post(app, messages: list[dict], headers: list) -> tuple[dict, bytes, int]:
    """One POST through an ASGI app; returns the response start, its body and how many
    body chunks the app pulled from the client."""

    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        if pulled < len(messages):
            pulled += 1
            return messages[pulled - 1]
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/messages/send",
        "raw_path": b"/api/messages/send",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    run_in_own_loop(app(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start, body, pulled


def test_a_chunked_upload_over_the_limit_is_refused_while_it_streams():
    """No Content-Length: the ASGI layer counts the bytes and stops reading at 1 MB,
    before Django would spool the whole body."""
    from alumunity.middleware import AsgiBodySizeLimit

    reached = []

    async def django_app(scope, receive, send):
        reached.append(scope)

    messages = _chunked(5 * 1024 * 1024)
    start, body, pulled = _asgi_post(
        AsgiBodySizeLimit(django_app), messages, [(b"transfer-encoding", b"chunked")]
    )
    assert start["status"] == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert not reached
    assert pulled == 17 < len(messages)  # 16 chunks fill 1 MB; the 17th goes over
    payload = json.loads(body)
    headers = dict(start["headers"])
    assert payload["success"] is False
    assert payload["request_id"] == headers[b"x-request-id"].decode()


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    from alumunity.middleware import AsgiBodySizeLimit

    async def django_app(scope, receive, send):
        raise AssertionError("must not be reached")

    start, _body, pulled = _asgi_post(
        AsgiBodySizeLimit(django_app), _chunked(2 * 1024 * 1024), [(b"content-length", b"2097152")]
    )
    assert start["status"] == HTTPStatus.REQUEST_ENTITY_TOO_LARGE and pulled == 0


def test_a_chunked_body_under_the_limit_reaches_the_app_whole():
    from alumunity.middleware import AsgiBodySizeLimit

    seen = []

    async def django_app(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen.append(body)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    start, _body, _pulled = _asgi_post(AsgiBodySizeLimit(django_app), _chunked(300_000), [])
    assert start["status"] == HTTPStatus.NO_CONTENT
    assert seen == [b"x" * 300_000]


def test_the_served_asgi_application_has_the_streaming_limit(db):
    from alumunity.asgi import application

    start, _body, pulled = _asgi_post(
        application, _chunked(3 * 1024 * 1024), [(b"transfer-encoding", b"chunked")]
    )
    assert start["status"] == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert pulled == 17


def test_a_burst_of_requests_enters_django_only_as_many_at_a_time_as_allowed():
    """50 requests arrive at once; with 4 slots, 4 are inside the application and the
    rest wait; when those finish, all the others are served too."""
    import asyncio

    from alumunity.middleware import AsgiConcurrencyLimit

    inside, most_inside, served = 0, 0, 0

    async def scenario():
        release = asyncio.Event()

        async def django_app(scope, receive, send):
            nonlocal inside, most_inside, served
            inside += 1
            most_inside = max(most_inside, inside)
            await release.wait()
            inside -= 1
            served += 1

        limited = AsgiConcurrencyLimit(django_app, limit=4)
        tasks = [asyncio.create_task(limited({"type": "http"}, None, None)) for _ in range(50)]
        for _ in range(10):
            await asyncio.sleep(0)  # let every task run as far as it can
        assert inside == 4
        release.set()
        await asyncio.gather(*tasks)

    run_in_own_loop(scenario())
    assert most_inside == 4 and served == 50


def test_the_served_asgi_application_bounds_concurrent_requests():
    from alumunity.asgi import application
    from alumunity.middleware import AsgiBodySizeLimit, AsgiConcurrencyLimit

    assert isinstance(application.application_mapping["http"], AsgiBodySizeLimit)
    assert isinstance(application.application_mapping["http"].app, AsgiConcurrencyLimit)
    assert 1 <= settings.MAX_CONCURRENT_REQUESTS <= 64
