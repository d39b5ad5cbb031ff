"""The pages in a real browser (Chromium through Playwright) against the live server.

Few and focused: two members chatting live, injected markup staying text, phone width,
and nothing fetched from anywhere but this server."""

import os
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from messaging import services
from messaging.models import Message
from messaging.payloads import message_payload
from messaging.tests.factories import UserFactory, send
from messaging.tests.web.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = "<img src=x onerror=alert(1)>"


def test_two_members_chat_live_and_markup_stays_text(open_as):
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    send(grace, ada, "Are you coming to the reunion?")
    ada_view = open_as(ada)
    grace_view = open_as(grace)
    ada_page = ada_view.goto(f"/messages/{grace.pk}")
    grace_page = grace_view.goto(f"/messages/{ada.pk}")

    # Ada answers with markup in her text; Enter sends.
    composer = ada_page.get_by_label("Message to Grace Hopper")
    composer.fill(f"Yes! {XSS}")
    composer.press("Enter")
    expect(composer).to_have_value("")
    mine = ada_page.locator("li.message.mine").last
    expect(mine.locator(".text")).to_have_text(f"Yes! {XSS}")
    expect(mine.locator(".receipt")).to_have_attribute("aria-label", "Sent")

    # Grace's open page shows it without a reload, as text.
    arrived = grace_page.locator("li.message.theirs").last
    expect(arrived.locator(".text")).to_have_text(f"Yes! {XSS}")
    assert grace_page.locator(".messages img").count() == 0

    # Grace's page read it: Ada's tick turns into two.
    expect(mine.locator(".receipt")).to_have_attribute("aria-label", "Read")

    # Grace is typing: Ada sees it. Shift+Enter adds a line, Enter sends.
    grace_composer = grace_page.get_by_label("Message to Ada Lovelace")
    grace_composer.press_sequentially("See you")
    expect(ada_page.locator("#typing")).to_be_visible()
    grace_composer.press("Shift+Enter")
    grace_composer.press_sequentially("there")
    grace_composer.press("Enter")
    reply = ada_page.locator("li.message.theirs").last.locator(".text")
    expect(reply).to_have_text("See you\nthere")
    expect(ada_page.locator("#live-region")).to_contain_text("Grace Hopper: See you")

    for view in (ada_view, grace_view):
        assert view.dialogs == []
        assert view.console_errors == []
        assert view.foreign_requests == []


def test_list_page_has_no_sideways_scroll_at_phone_width(open_as):
    ada = UserFactory(name="Ada Lovelace")
    for index in range(3):
        other = UserFactory(name=f"Professor Emerita Bartholomew-Fitzgerald {index} of Cambridge")
        send(other, ada, "A very long first line of a message " * 8 + "https://" + "x" * 120)
    view = open_as(ada, viewport=PHONE)
    page = view.goto("/messages")
    expect(page.locator(".conversation-row")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(view.origin + page.locator(".row-link").first.get_attribute("href"))
    expect(page.locator("#composer")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_search_jumps_to_the_message_and_no_request_leaves_the_server(open_as):
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    target = send(grace, ada, "The logbook page with the moth")
    for index in range(70):
        send(ada if index % 2 else grace, grace if index % 2 else ada, f"filler {index}")
    view = open_as(ada)
    page = view.goto("/messages")
    expect(page).to_have_title(re.compile(r"^\(36\) Messages"))
    page.get_by_label("Search people and messages").fill("moth")
    result = page.locator(".result-row a")
    expect(result).to_have_attribute("href", f"/messages/{grace.pk}?message={target.pk}")
    result.click()
    highlighted = page.locator("li.is-highlighted")
    expect(highlighted).to_have_attribute("data-message-id", str(target.pk))
    expect(highlighted).to_be_in_viewport()
    # Opening the conversation read everything: the header total is gone.
    expect(page.locator("#unread-total")).to_have_text("0")

    assert any(url.endswith("/static/vendor/htmx/htmx.min.js") for url in view.requests)
    assert view.foreign_requests == []
    assert view.console_errors == []


def test_a_conversation_is_divided_by_day_in_the_readers_zone(open_as):
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    older = send(grace, ada, "Three days ago")
    yesterday = send(ada, grace, "Yesterday")
    today = send(grace, ada, "Today")
    now = timezone.now()
    Message.objects.filter(pk=older.pk).update(sent_at=now - timedelta(days=3))
    Message.objects.filter(pk=yesterday.pk).update(sent_at=now - timedelta(days=1))
    view = open_as(ada)
    page = view.goto(f"/messages/{grace.pk}")

    separators = page.locator("#message-list li.day-separator")
    expect(separators).to_have_count(3)
    expect(separators.nth(1)).to_have_text("Yesterday")
    expect(separators.nth(2)).to_have_text("Today")
    order = page.eval_on_selector_all(
        "#message-list > li",
        "rows => rows.map(r => r.dataset.messageId || r.className)",
    )
    day = "day-separator"
    assert order == [day, str(older.pk), day, str(yesterday.pk), day, str(today.pk)]
    # With the day above, a bubble shows only its time.
    assert re.fullmatch(
        r"\d{1,2}:\d{2}( [AP]M)?", page.locator("li.message time").first.inner_text()
    )

    # A message sent today joins today's group: no new separator.
    composer = page.get_by_label("Message to Grace Hopper")
    composer.fill("Still today")
    composer.press("Enter")
    expect(page.locator("li.message.mine").last.locator(".receipt")).to_have_attribute(
        "aria-label", "Sent"
    )
    expect(separators).to_have_count(3)
    assert view.console_errors == []


def test_screenshots_of_both_pages(open_as, tmp_path):
    """The README's pictures, from the demo data: `make screenshots` keeps them in
    docs/screenshots; a plain test run writes them to a temporary directory."""
    call_command("seed_demo", stdout=StringIO())
    members = get_user_model().objects
    ada = members.get(email="ada@example.org")
    grace = members.get(email="grace@example.org")
    # Ada replies from the page, which has read Grace's last message first.
    services.open_conversation(reader=ada, other_user_id=grace.pk, limit=50)
    send(ada, grace, "See you in June! I'll save you a seat 🎓")
    services.open_conversation(reader=grace, other_user_id=ada.pk, limit=50)  # ✓✓
    services.record_activity(user=grace)  # "Online"
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    for size, viewport, scheme in (("desktop", DESKTOP, "light"), ("phone", PHONE, "dark")):
        view = open_as(ada, viewport=viewport, color_scheme=scheme)
        page = view.goto("/messages")
        # Three direct conversations and the demo group Ada is in.
        expect(page.locator(".conversation-row")).to_have_count(4)
        page.screenshot(path=target / f"conversations-{size}.png")
        page = view.goto(f"/messages/{grace.pk}")
        composer = page.get_by_label("Message to Grace Hopper")
        if size == "desktop":  # one new message, sent from the page, in both pictures
            composer.fill("Perfect, the moth story it is.")
            composer.press("Enter")
        expect(page.locator("li.message.mine").last.locator(".text")).to_have_text(
            "Perfect, the moth story it is."
        )
        expect(page.locator("li.message.mine").last.locator(".receipt")).to_be_visible()
        composer.blur()
        if size == "desktop":  # a received message's menu, open
            theirs = page.locator("li.message.theirs").last
            theirs.hover()
            theirs.get_by_label("Actions for this message").click()
            expect(theirs.get_by_text("Report…")).to_be_visible()
        page.screenshot(path=target / f"conversation-{size}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert view.console_errors == []
    # `make screenshots` writes the other pages' pictures to the same directory.
    names = sorted(path.name for path in target.glob("conversation*.png"))
    assert names == [
        "conversation-desktop.png",
        "conversation-phone.png",
        "conversations-desktop.png",
        "conversations-phone.png",
    ]


def test_socket_events_drive_the_page(open_as):
    """The contract with the WebSocket client: DOM events named after the socket
    event types ("messaging:message.new", ...).
    The client itself is left out (its socket cannot open on this test server); the test
    plays its part, so every change below can only have come through an event."""
    ada = UserFactory(name="Ada Lovelace")
    grace = UserFactory(name="Grace Hopper")
    mine = send(ada, grace, "Did you get the slides?")
    theirs = send(grace, ada, "Something rude")
    view = open_as(ada)
    view.page.route("**/static/messaging/realtime.js", lambda route: route.abort())
    # Open from the start, so the page never polls: whatever changes comes from an event.
    view.page.add_init_script("document.documentElement.dataset.socket = 'open'")
    page = view.goto(f"/messages/{grace.pk}")
    expect(page.locator(f"#message-{theirs.pk}")).to_be_visible()

    def dispatch(event: dict):
        page.evaluate(
            "event => document.dispatchEvent("
            "new CustomEvent('messaging:' + event.type, {detail: event}))",
            event,
        )

    grace_id = str(grace.pk)
    dispatch({"type": "typing", "user_id": grace_id, "is_typing": True})
    expect(page.locator("#typing")).to_be_visible()
    dispatch({"type": "presence", "user_id": grace_id, "status": "do_not_disturb"})
    expect(page.locator("#chat-status")).to_have_text("Do not disturb")
    expect(page.locator(".chat-header .presence-dot")).to_have_class(
        "presence-dot status-do_not_disturb"
    )
    dispatch(
        {
            "type": "message.read",
            "conversation_id": mine.conversation_id,
            "message_ids": [mine.pk],
            "reader_id": grace_id,
            "read_at": "2026-01-01T00:00:00Z",
        }
    )
    expect(page.locator(f"#message-{mine.pk} .receipt")).to_have_attribute("aria-label", "Read")
    dispatch(
        {
            "type": "message.hidden",
            "conversation_id": theirs.conversation_id,
            "message_id": theirs.pk,
        }
    )
    expect(page.locator(f"#message-{theirs.pk} .text")).to_have_text(
        "Message removed by a moderator"
    )
    # A moderator restores it: message.new with a message already on the page.
    dispatch({"type": "message.new", "message": message_payload(theirs)})
    expect(page.locator(f"#message-{theirs.pk} .text")).to_have_text("Something rude")
    new = send(grace, ada, "Yes, thank you!")
    dispatch(
        {
            "type": "message.new",
            "message": {"id": new.pk, "sender_id": grace_id, "recipient_id": str(ada.pk)},
        }
    )
    expect(page.locator(f"#message-{new.pk} .text")).to_have_text("Yes, thank you!")
    expect(page.locator("#typing")).to_be_hidden()
    # One fetch, asked for by message.new; no polling while the socket is open.
    assert [url for url in view.requests if "/updates" in url] == [
        f"{view.origin}/messages/{grace.pk}/updates?after={theirs.pk}&seen=1"
    ]
    assert view.dialogs == []
