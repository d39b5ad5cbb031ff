"""Opening sockets the way a browser or a mobile app does, for the WebSocket tests."""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from alumunity.asgi import application

SITE_ORIGIN = b"http://localhost:8000"
PATH = "/ws/messages/"
# Long enough for a busy CI machine; a wait ends as soon as the event arrives.
WAIT = 3
# How long "nothing arrives" is watched for.
QUIET = 0.3


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def away_from_running_loops(test):
    """Run a sync test from a thread of its own when an event loop runs in this one
    (Playwright's sync API leaves one), since async_to_sync refuses to run there."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        if not _loop_running_here():
            return test(*args, **kwargs)
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(test, *args, **kwargs).result()

    return run


def async_test(test):
    """Run an async test body on its own event loop, from a plain (sync) pytest test, so
    the suite needs no asyncio plugin. Database calls made with database_sync_to_async
    come back to the test's thread, on the test's database connection."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        async def body():
            try:
                await test(*args, **kwargs)
            finally:
                await get_channel_layer().flush()

        # A fresh channel layer for each event loop: an in-memory layer's queues belong
        # to the loop that made them.
        channel_layers.backends.clear()
        try:
            away_from_running_loops(async_to_sync(body))()
        finally:
            channel_layers.backends.clear()

    return run


def access_token(member, *, lifetime: timedelta | None = None) -> str:
    token = AccessToken.for_user(member)
    if lifetime is not None:
        token.set_exp(lifetime=lifetime)
    return str(token)


def bearer(token: str) -> tuple[bytes, bytes]:
    return (b"authorization", f"Bearer {token}".encode())


@database_sync_to_async
def logged_in_browser(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def cookie_of(browser: Client) -> tuple[bytes, bytes]:
    return (b"cookie", f"sessionid={browser.cookies['sessionid'].value}".encode())


async def session_cookie(member) -> tuple[bytes, bytes]:
    return cookie_of(await logged_in_browser(member))


async def open_socket(headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, PATH, headers=list(headers))
    connected, _ = await communicator.connect(timeout=WAIT)
    assert connected
    return communicator


async def socket_for(member) -> WebsocketCommunicator:
    """A mobile app's socket: the access token in the handshake, no Origin."""
    communicator = await open_socket([bearer(access_token(member))])
    # The handshake is accepted before the checks; a ping proves this socket passed them.
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=WAIT) == {"type": "pong"}
    return communicator


async def browser_socket_for(member) -> WebsocketCommunicator:
    communicator = await open_socket([await session_cookie(member), (b"origin", SITE_ORIGIN)])
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=WAIT) == {"type": "pong"}
    return communicator


async def close_code(communicator: WebsocketCommunicator) -> int:
    """The code the server closed the socket with (it accepts, then closes)."""
    output = await communicator.receive_output(timeout=WAIT)
    assert output["type"] == "websocket.close", output
    return output.get("code", 1000)


async def next_event(communicator: WebsocketCommunicator, *, skip=("presence",)) -> dict:
    """The next event, passing over the kinds in `skip` (presence arrives whenever a
    partner connects or leaves, which most tests do not look at)."""
    while True:
        event = await communicator.receive_json_from(timeout=WAIT)
        if event["type"] not in skip:
            return event


async def nothing_more(communicator: WebsocketCommunicator, *, skip=("presence",)) -> bool:
    """True when no event other than the kinds in `skip` arrives for a while."""
    while not await communicator.receive_nothing(timeout=QUIET):
        event = await communicator.receive_json_from(timeout=WAIT)
        if event["type"] not in skip:
            return False
    return True
