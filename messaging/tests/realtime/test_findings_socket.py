"""Findings of the outside scan on /ws/messages/: deeply nested frames, tokens naming no
member, look-alike origins on another port or scheme, and closing a socket twice."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from messaging.realtime import consumer

from .helpers import (
    SITE_ORIGIN,
    WAIT,
    async_test,
    bearer,
    close_code,
    open_socket,
    session_cookie,
    socket_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "frame",
    [
        '{"a":' + "[" * 2000,  # 2 KB, under the frame limit: RecursionError before
        '{"type": "ping", "a": ' + "[" * 1500 + "]" * 1500 + "}",
        "[" * 4096,
        '{"type": "ping", "a": ' + '{"b":' * 600 + "1" + "}" * 600 + "}",
    ],
)
@async_test
async def test_deeply_nested_frames_are_an_error_event_and_the_socket_stays_open(user, frame):
    socket = await socket_for(user)
    assert len(frame) <= consumer.MAX_FRAME_CHARS
    await socket.send_to(text_data=frame)
    assert await socket.receive_json_from(timeout=WAIT) == {
        "type": "error",
        "message": "Messages must be flat JSON objects.",
    }
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@async_test
async def test_brackets_inside_strings_are_not_nesting(user):
    socket = await socket_for(user)
    await socket.send_json_to({"type": "ping", "note": '[[[[[[[[[[[[[[[[[[[[\\"{{{{{{{{{{{{'})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("user_id", ["not-a-uuid", 42, ["x"], {"a": 1}, "", None])
@async_test
async def test_a_signed_token_naming_no_valid_member_is_closed_4401(db, user_id):
    token = AccessToken()
    token["user_id"] = user_id
    socket = await open_socket([bearer(str(token))])
    assert await close_code(socket) == 4401
    await socket.disconnect()


FOREIGN_PORTS_AND_SCHEMES = [
    b"http://localhost:9999",
    b"http://127.0.0.1:1",
    b"https://127.0.0.1",
    b"https://localhost:8000",
    b"http://localhost",
    b"http://localhost:abc",
]


async def _browser_socket(user, origin: bytes, host: bytes | None):
    """A session socket from a page at `origin`, addressed to `host` (None: no Host)."""
    headers = [await session_cookie(user), (b"origin", origin)]
    if host is not None:
        headers.append((b"host", host))
    return await open_socket(headers)


@pytest.mark.parametrize("origin", FOREIGN_PORTS_AND_SCHEMES)
@pytest.mark.parametrize("host", [None, b"localhost:8000", b"127.0.0.1:8000"])
@async_test
async def test_an_origin_on_another_port_or_scheme_is_refused_4403(user, origin, host):
    socket = await _browser_socket(user, origin, host)
    assert await close_code(socket) == 4403
    await socket.disconnect()


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        (SITE_ORIGIN, b"localhost:8000"),
        (b"http://127.0.0.1:8123", b"127.0.0.1:8123"),  # a server on another port
        (b"HTTP://LOCALHOST:8000", None),
    ],
)
@async_test
async def test_the_sites_own_origin_connects(user, origin, host):
    socket = await _browser_socket(user, origin, host)
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@async_test
async def test_a_host_outside_allowed_hosts_gives_its_origin_no_pass(user):
    origin = b"http://evil.example:8000"
    socket = await open_socket(
        [await session_cookie(user), (b"origin", origin), (b"host", b"evil.example:8000")]
    )
    assert await close_code(socket) == 4403
    await socket.disconnect()


@async_test
async def test_a_trusted_public_origin_connects_behind_a_proxy(user, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://chat.example.org"]
    cookie = await session_cookie(user)
    socket = await open_socket(
        [cookie, (b"origin", b"https://chat.example.org"), (b"host", b"localhost:8000")]
    )
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()
    refused = await open_socket([cookie, (b"origin", b"https://chat.example.org:8443")])
    assert await close_code(refused) == 4403
    await refused.disconnect()


@async_test
async def test_a_flooding_socket_is_closed_exactly_once(user, monkeypatch):
    monkeypatch.setattr(consumer, "MAX_FRAMES_PER_WINDOW", 3)
    monkeypatch.setattr(consumer, "FRAME_WINDOW_SECONDS", 3600)
    socket = await socket_for(user)  # its ping is the first frame
    for _ in range(10):
        await socket.send_json_to({"type": "ping"})
    outputs = []
    while not await socket.receive_nothing(timeout=0.5):
        outputs.append(await socket.receive_output(timeout=WAIT))
    closes = [output for output in outputs if output["type"] == "websocket.close"]
    assert closes == [{"type": "websocket.close", "code": 1008}]
    assert outputs[-1]["type"] == "websocket.close"  # nothing is sent after the close
    await socket.disconnect()
