"""HTTP through the served ASGI application: Django's WSGI handler on a pool of threads
that keep their database connection (alumunity/wsgi_bridge.py)."""

import asyncio
import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http import HTTPStatus
from unittest import mock

import pytest
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections

from alumunity.asgi import application
from alumunity.wsgi_bridge import WsgiOverAsgi, on_loop_after_request, wsgi_environ
from messaging.tests.realtime.helpers import access_token, bearer


def run_in_own_loop(coroutine):
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def scope(method: str, path: str, *, headers=(), query: bytes = b"") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


async def call(app, http_scope: dict, chunks: Sequence[bytes] = (b"",)) -> tuple[int, dict, bytes]:
    """One request through an ASGI app; returns status, headers and body."""
    pending = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent = []

    async def receive():
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    await app(http_scope, receive, send)
    start = sent[0]
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


@contextmanager
def one_thread_bridge():
    """A bridge of one thread, so that every request meets the same kept connection;
    the connection is closed when the test ends."""
    bridge = WsgiOverAsgi(get_wsgi_application(), threads=1)
    try:
        yield bridge
    finally:
        bridge.executor.submit(connections.close_all).result()
        bridge.executor.shutdown()


def test_the_environ_is_the_one_a_wsgi_server_builds():
    environ = wsgi_environ(
        scope(
            "POST",
            "/api/users/search/café",
            query=b"q=ada&limit=2",
            headers=[
                (b"content-type", b"application/json"),
                (b"cookie", b"a=1"),
                (b"cookie", b"b=2"),
                (b"accept", b"text/html"),
                (b"accept", b"application/json"),
                (b"x-request-id", b"abc"),
            ],
        ),
        b'{"x": 1}',
    )
    assert environ["REQUEST_METHOD"] == "POST"
    # PEP 3333: the path's UTF-8 bytes, one character per byte.
    assert environ["PATH_INFO"] == "/api/users/search/café".encode().decode("latin-1")
    assert environ["QUERY_STRING"] == "q=ada&limit=2"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "8"
    assert environ["wsgi.input"].read() == b'{"x": 1}'
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert environ["HTTP_ACCEPT"] == "text/html,application/json"
    assert environ["HTTP_X_REQUEST_ID"] == "abc"
    assert environ["REMOTE_ADDR"] == "127.0.0.1"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("127.0.0.1", "8000")
    assert environ["wsgi.url_scheme"] == "http"


def test_work_left_for_the_loop_runs_on_it_in_order_before_the_response_is_sent():
    happened = []

    def wsgi_app(environ, start_response):
        for n in (1, 2):
            left = on_loop_after_request(
                lambda n=n: happened.append((n, threading.current_thread().name))
            )
            assert left
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    async def scenario():
        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            happened.append(message["type"])

        await WsgiOverAsgi(wsgi_app, threads=1)(scope("GET", "/"), receive, send)
        return threading.current_thread().name

    loop_thread = run_in_own_loop(scenario())
    assert happened == [
        (1, loop_thread),
        (2, loop_thread),
        "http.response.start",
        "http.response.body",
    ]
    # Outside a request's thread the caller is told to do the work itself.
    assert on_loop_after_request(lambda: None) is False


def test_the_served_application_runs_http_on_the_bridge_with_the_request_bound():
    bridge = application.application_mapping["http"].app.app
    assert isinstance(bridge, WsgiOverAsgi)
    assert bridge.executor._max_workers == settings.MAX_CONCURRENT_REQUESTS
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db(transaction=True)
def test_a_rest_call_through_the_served_application(user):
    status, headers, body = run_in_own_loop(
        call(
            application,
            scope(
                "GET",
                "/api/auth/me",
                headers=[bearer(access_token(user)), (b"x-request-id", b"trace-1")],
            ),
        )
    )
    assert status == HTTPStatus.OK
    assert json.loads(body)["data"]["email"] == user.email
    assert headers["x-request-id"] == "trace-1"
    assert "content-security-policy" in headers


@pytest.mark.django_db(transaction=True)
def test_a_chunked_body_reaches_the_view_whole(user, other_user):
    """No Content-Length: the body still reaches DRF's parser (Django's WSGI request
    reads only as many bytes as CONTENT_LENGTH says)."""
    body = json.dumps({"recipient_id": str(other_user.pk), "message_text": "in two chunks"})
    status, _headers, answer = run_in_own_loop(
        call(
            application,
            scope(
                "POST",
                "/api/messages/send",
                headers=[
                    bearer(access_token(user)),
                    (b"content-type", b"application/json"),
                    (b"transfer-encoding", b"chunked"),
                ],
            ),
            [body[:20].encode(), body[20:].encode()],
        )
    )
    assert status == HTTPStatus.CREATED, answer
    assert json.loads(answer)["data"]["message_text"] == "in two chunks"


@pytest.mark.django_db(transaction=True)
def test_a_send_through_http_reaches_the_recipients_socket_in_the_same_process(user, other_user):
    """The event is published from the request's thread onto the server's event loop,
    where the in-process channel layer and the socket live."""
    channel_layers.backends.clear()

    async def scenario():
        socket = WebsocketCommunicator(
            application,
            "/ws/messages/",
            headers=[bearer(access_token(other_user)), (b"origin", b"http://localhost:8000")],
        )
        connected, _ = await socket.connect()
        assert connected
        try:
            status, _headers, _body = await call(
                application,
                scope(
                    "POST",
                    "/api/messages/send",
                    headers=[bearer(access_token(user)), (b"content-type", b"application/json")],
                ),
                [json.dumps({"recipient_id": str(other_user.pk), "message_text": "hi"}).encode()],
            )
            assert status == HTTPStatus.CREATED
            while True:
                event = await socket.receive_json_from(timeout=5)
                if event["type"] == "message.new":
                    return event
        finally:
            await socket.disconnect()

    try:
        event = run_in_own_loop(scenario())
    finally:
        channel_layers.backends.clear()
    assert event["message"]["message_text"] == "hi"


def _connection_id(bridge) -> int:
    return bridge.executor.submit(lambda: id(connection.connection)).result()


@pytest.mark.django_db(transaction=True)
def test_a_pool_thread_keeps_its_connection_between_requests():
    with one_thread_bridge() as bridge:
        for _ in range(2):
            status, _, _ = run_in_own_loop(call(bridge, scope("GET", "/healthz")))
            assert status == HTTPStatus.OK
        first = _connection_id(bridge)
        run_in_own_loop(call(bridge, scope("GET", "/healthz")))
        assert _connection_id(bridge) == first


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_the_database_dropped_gives_503s_then_recovers():
    """The database restarts: the kept connection is dead and new ones are refused
    (503), then the database is back and the same process answers again."""
    if connection.vendor != "mysql":
        pytest.skip("needs a database server that can drop a connection")
    with one_thread_bridge() as bridge:
        assert run_in_own_loop(call(bridge, scope("GET", "/healthz")))[0] == HTTPStatus.OK
        kept = bridge.executor.submit(lambda: connection.connection.thread_id()).result()
        with connection.cursor() as cursor:
            cursor.execute(f"KILL {int(kept)}")
        refused = connection.Database.OperationalError(2003, "Can't connect to server (111)")
        with mock.patch.object(
            type(connections["default"]), "get_new_connection", side_effect=refused
        ):
            status, _, body = run_in_own_loop(call(bridge, scope("GET", "/healthz")))
            assert status == HTTPStatus.SERVICE_UNAVAILABLE
            assert json.loads(body) == {"status": "unavailable"}
        for _ in range(2):
            status, _, body = run_in_own_loop(call(bridge, scope("GET", "/healthz")))
            assert status == HTTPStatus.OK, body
