"""Who may open /ws/messages/: session cookie from this site, or an access JWT
in the handshake header; everyone else is closed with 4401, a foreign page or a
suspended member with 4403."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import RefreshToken

from alumunity.asgi import application
from messaging import services
from messaging.realtime import consumer
from messaging.tests.factories import UserFactory

from .helpers import (
    SITE_ORIGIN,
    WAIT,
    access_token,
    async_test,
    bearer,
    browser_socket_for,
    close_code,
    cookie_of,
    logged_in_browser,
    open_socket,
    session_cookie,
    socket_for,
)

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGN_ORIGIN = (b"origin", b"https://evil.example.com")


@async_test
async def test_access_token_in_the_header_without_origin_connects(user):
    # A mobile app's socket: the access token in the handshake, no Origin.
    socket = await open_socket([bearer(access_token(user))])
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@async_test
async def test_access_token_from_a_page_of_this_site_connects(user):
    socket = await open_socket([bearer(access_token(user)), (b"origin", SITE_ORIGIN)])
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@async_test
async def test_session_cookie_from_a_page_of_this_site_connects(user):
    socket = await open_socket([await session_cookie(user), (b"origin", SITE_ORIGIN)])
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.disconnect()


@async_test
async def test_session_cookie_without_origin_is_refused_4401(user):
    socket = await open_socket([await session_cookie(user)])
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_no_credentials_are_refused_4401(db):
    socket = await open_socket([(b"origin", SITE_ORIGIN)])
    assert await close_code(socket) == 4401
    await socket.disconnect()


@pytest.mark.parametrize(
    "header_value",
    [b"Bearer not-a-jwt", b"Bearer ", b"Basic dXNlcjpwYXNz", b"Token abc"],
)
@async_test
async def test_malformed_authorization_is_refused_4401(user, header_value):
    socket = await open_socket([(b"authorization", header_value)])
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_expired_access_token_is_refused_4401(user):
    expired = access_token(user, lifetime=-timedelta(seconds=1))
    socket = await open_socket([bearer(expired)])
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_refresh_token_is_not_an_access_token_4401(user):
    socket = await open_socket([bearer(str(RefreshToken.for_user(user)))])
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_token_of_a_deactivated_member_is_refused_4401(user):
    token = access_token(user)
    user.is_active = False
    await sync_to_async(user.save)()
    socket = await open_socket([bearer(token)])
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_a_bad_token_is_not_rescued_by_a_valid_session(user):
    socket = await open_socket(
        [await session_cookie(user), (b"origin", SITE_ORIGIN), bearer("not-a-jwt")]
    )
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_token_in_the_url_is_ignored_4401(user):
    socket = WebsocketCommunicator(application, f"/ws/messages/?token={access_token(user)}")
    connected, _ = await socket.connect(timeout=WAIT)
    assert connected
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_session_cookie_from_a_foreign_page_is_refused_4403(user):
    socket = await open_socket([await session_cookie(user), FOREIGN_ORIGIN])
    assert await close_code(socket) == 4403
    await socket.disconnect()


@pytest.mark.parametrize(
    "origin",
    [b"null", b"http://localhost.evil.example", b"http://evil.example/http://localhost", b"\xff"],
)
@async_test
async def test_look_alike_origins_are_refused_4403(user, origin):
    socket = await open_socket([await session_cookie(user), (b"origin", origin)])
    assert await close_code(socket) == 4403
    await socket.disconnect()


@async_test
async def test_valid_token_from_a_foreign_page_is_refused_4403(user):
    socket = await open_socket([bearer(access_token(user)), FOREIGN_ORIGIN])
    assert await close_code(socket) == 4403
    await socket.disconnect()


@async_test
async def test_suspended_member_is_refused_4403(db):
    suspended = await sync_to_async(UserFactory)(messaging_suspended=True)
    socket = await open_socket([bearer(access_token(suspended))])
    assert await close_code(socket) == 4403
    await socket.disconnect()


@async_test
async def test_suspension_closes_the_open_sockets_4403(user):
    moderator = await sync_to_async(UserFactory)(is_staff=True)
    phone = await socket_for(user)
    laptop = await browser_socket_for(user)
    await sync_to_async(services.set_messaging_suspended)(
        actor=moderator, user=user, suspended=True
    )
    assert await close_code(phone) == 4403
    assert await close_code(laptop) == 4403
    await phone.disconnect()
    await laptop.disconnect()


@async_test
async def test_socket_closes_4401_when_its_token_expires(user):
    # A token's expiry is whole seconds (exp truncates), so a 2-second token lives 1 to
    # 2 s: long enough for the ping below, within WAIT of the close.
    socket = await open_socket([bearer(access_token(user, lifetime=timedelta(seconds=2)))])
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    assert await close_code(socket) == 4401
    await socket.disconnect()


@async_test
async def test_oversized_frame_closes_the_socket_1009(user):
    socket = await socket_for(user)
    await socket.send_to(text_data='{"type": "ping", "pad": "' + "x" * 10_000 + '"}')
    assert await close_code(socket) == 1009
    await socket.disconnect()


@async_test
async def test_binary_frame_closes_the_socket_1003(user):
    socket = await socket_for(user)
    await socket.send_to(bytes_data=b"\x00\x01")
    assert await close_code(socket) == 1003
    await socket.disconnect()


@pytest.fixture
def small_frame_budget(monkeypatch):
    # Five frames per hour: the window never ends during the test, however slow the machine.
    monkeypatch.setattr(consumer, "MAX_FRAMES_PER_WINDOW", 5)
    monkeypatch.setattr(consumer, "FRAME_WINDOW_SECONDS", 3600)


@async_test
async def test_a_flood_of_client_messages_closes_the_socket_1008(user, small_frame_budget):
    socket = await socket_for(user)  # its first ping is the first frame
    for _ in range(4):
        await socket.send_json_to({"type": "ping"})
        assert await socket.receive_json_from(timeout=WAIT) == {"type": "pong"}
    await socket.send_json_to({"type": "ping"})
    assert await close_code(socket) == 1008
    await socket.disconnect()


@async_test
async def test_logging_out_closes_that_browser_sessions_sockets_only(user):
    browser = await logged_in_browser(user)
    tab = await open_socket([cookie_of(browser), (b"origin", SITE_ORIGIN)])
    await tab.send_json_to({"type": "ping"})
    assert await tab.receive_json_from(timeout=WAIT) == {"type": "pong"}
    other_browser = await browser_socket_for(user)
    phone = await socket_for(user)

    response = await database_sync_to_async(browser.post)("/accounts/logout/")

    assert response.status_code == 302
    assert await close_code(tab) == 4401
    for still_open in (other_browser, phone):
        await still_open.send_json_to({"type": "ping"})
        assert await still_open.receive_json_from(timeout=WAIT) == {"type": "pong"}
    for socket in (tab, other_browser, phone):
        await socket.disconnect()
