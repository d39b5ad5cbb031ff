"""static/messaging/realtime.js in Chromium against a real ASGI server: the page's socket
opens with the session cookie, server events become `messaging:<type>` DOM events,
window.messagingSocket.send reaches the server, and after the server restarts the
client reconnects by itself and says so ("messaging:reconnected")."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from .helpers import access_token
from .servers import Server, call, next_event, socket_on

pytestmark = [pytest.mark.browser, pytest.mark.servers, pytest.mark.django_db(transaction=True)]

RECORD_EVENTS = """() => {
  window.seen = [];
  ["message.new", "typing", "reconnected"].forEach((type) =>
    document.addEventListener("messaging:" + type, (event) =>
      window.seen.push({ type: type, detail: event.detail })));
}"""


@pytest.fixture
def browser():
    """Debian's Chromium, in a Playwright of this test's own: the session-wide one would
    leave its event loop running in the main thread for every later test."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def server(transactional_db):
    running = Server()
    running.wait_until_ready()
    yield running
    running.stop()


def test_page_socket_delivers_events_and_reconnects_after_a_restart(
    browser, server, user, other_user
):
    session = Client()
    session.force_login(user)
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": server.base_url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{server.base_url}/messages/{other_user.pk}")
    html = page.locator("html")
    expect(html).to_have_attribute("data-socket", "open")
    page.evaluate(RECORD_EVENTS)

    # Server -> page: a message sent over REST arrives as a DOM event.
    status, body = call(
        server,
        "POST",
        "/api/messages/send",
        access_token(other_user),
        {"recipient_id": str(user.pk), "message_text": "over the socket"},
    )
    assert status == 201
    page.wait_for_function("() => window.seen.some((e) => e.type === 'message.new')")
    detail = page.evaluate("() => window.seen.find((e) => e.type === 'message.new').detail")
    assert detail == {"type": "message.new", "message": body["data"]}

    # Page -> server: typing through the client's small API reaches the other member.
    other = socket_on(server, access_token(other_user))
    try:
        sent = page.evaluate(
            f"() => window.messagingSocket.send({{type: 'typing', to_user_id: '{other_user.pk}'}})"
        )
        assert sent is True
        assert next_event(other, "typing") == {
            "type": "typing",
            "user_id": str(user.pk),
            "is_typing": True,
        }
    finally:
        other.close()

    # The server goes away: the page falls back (data-socket="closed"); a server on the
    # same address comes back: the client reconnects on its own and says so.
    server.stop()
    expect(html).to_have_attribute("data-socket", "closed")
    restarted = Server(port=server.port)
    try:
        restarted.wait_until_ready()
        expect(html).to_have_attribute("data-socket", "open", timeout=40_000)
        page.wait_for_function("() => window.seen.some((e) => e.type === 'reconnected')")
    finally:
        restarted.stop()
        context.close()
