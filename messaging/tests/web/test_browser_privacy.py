"""Message requests and hidden read receipts in Chromium: a stranger's first message
waits under Requests until accepted, and a member who hides receipts leaves everyone's
messages at ✓."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from messaging.models import Message, Participant
from messaging.tests.factories import send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_is_read_and_accepted_from_the_requests_view(open_as, ada, grace):
    grace_view = open_as(grace)
    page = grace_view.goto("/settings/privacy")
    page.get_by_label("Message requests").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#privacy-saved")).to_have_text("Saved.")
    send(ada, grace, "We met at the 1999 reunion")

    page = grace_view.goto("/messages")
    expect(page.locator("#conversation-list .conversation-row")).to_have_count(0)
    page.get_by_role("link", name="Requests (1)").click()
    expect(page.get_by_role("heading", name="Message requests")).to_be_visible()
    page.get_by_role("link", name="Ada Lovelace").click()

    banner = page.locator("#request-banner")
    expect(banner).to_contain_text("Message request from Ada Lovelace.")
    expect(page.locator("li.message.theirs .text")).to_have_text("We met at the 1999 reunion")
    page.wait_for_timeout(1500)  # a poll of the open page (seen) has come and gone
    assert Message.objects.get().read_at is None  # no receipt while it is a request
    banner.get_by_role("button", name="Accept").click()

    expect(page.locator("#request-banner")).to_have_count(0)
    assert Participant.objects.get(user=grace).is_request is False
    page = grace_view.goto("/messages")
    expect(page.locator("#requests-entry")).to_have_count(0)
    expect(page.locator(".conversation-row .row-name")).to_have_text("Ada Lovelace")
    assert grace_view.console_errors == []


def test_a_deleted_request_leaves_the_requests_view(open_as, ada, grace):
    grace.message_requests = True
    grace.save(update_fields=["message_requests"])
    send(ada, grace, "Buy my course")
    grace_view = open_as(grace)
    page = grace_view.goto(f"/messages/{ada.pk}")

    page.locator("#request-banner").get_by_role("button", name="Delete").click()

    expect(page).to_have_url(grace_view.origin + "/messages")
    expect(page.locator("#requests-entry")).to_have_count(0)
    assert grace_view.console_errors == []


def test_hidden_read_receipts_leave_messages_at_one_tick(open_as, ada, grace):
    grace_view = open_as(grace)
    settings_page = grace_view.goto("/settings/privacy")
    settings_page.get_by_label("Read receipts").uncheck()
    settings_page.get_by_role("button", name="Save").click()
    expect(settings_page.locator("#privacy-saved")).to_be_visible()
    send(ada, grace, "Did you get the photos?")
    ada_page = open_as(ada).goto(f"/messages/{grace.pk}")
    receipt = ada_page.locator("li.message.mine .receipt")
    expect(receipt).to_have_text("✓")

    grace_view.goto(f"/messages/{ada.pk}")  # Grace reads it
    expect(grace_view.page.locator("li.message.theirs .text")).to_have_text(
        "Did you get the photos?"
    )
    ada_page.wait_for_timeout(2500)  # past Ada's page polls

    assert Message.objects.get().read_at is not None
    expect(receipt).to_have_text("✓")
    expect(ada_page.locator(".receipt.is-read")).to_have_count(0)
    ada_page.reload()
    expect(ada_page.locator("li.message.mine .receipt")).to_have_text("✓")


def test_screenshot_of_a_request_and_the_privacy_settings(open_as, ada, grace, tmp_path):
    """The README's pictures of a message request and of the privacy settings (`make
    screenshots` keeps them in docs/screenshots; a plain run writes to a temporary
    directory)."""
    grace.message_requests = True
    grace.save(update_fields=["message_requests"])
    send(ada, grace, "Hello Grace! We were both in the 1999 robotics club. Coffee next week?")
    grace_view = open_as(grace)
    page = grace_view.goto(f"/messages/{ada.pk}")
    expect(page.locator("#request-banner")).to_be_visible()
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=target / "message-request-desktop.png")

    page = grace_view.goto("/settings/privacy")
    expect(page.get_by_label("Message requests")).to_be_checked()
    page.screenshot(path=target / "privacy-settings-desktop.png")
