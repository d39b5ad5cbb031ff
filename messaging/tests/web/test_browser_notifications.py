"""In Chromium: the settings page asks for permission only from its button, saves the
form; a message arriving while the tab is hidden shows a desktop notification that opens
the conversation when clicked. The Notification API is replaced by a recorder (headless
Chromium draws no desktop notifications), and the live test server has no WebSocket, so
the socket's DOM event is dispatched as realtime.js would."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from messaging import selectors
from messaging.tests.factories import send
from messaging.tests.web.conftest import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_NOTIFICATIONS = """
(() => {
  window.__asked = 0;
  window.__shown = [];
  window.__hidden = false;
  Object.defineProperty(Document.prototype, "hidden", { get: () => window.__hidden });
  class FakeNotification extends EventTarget {
    static get permission() {
      return sessionStorage.getItem("permission") || "default";
    }
    static async requestPermission() {
      window.__asked += 1;
      sessionStorage.setItem("permission", "granted");
      return "granted";
    }
    constructor(title, options) {
      super();
      window.__shown.push(this);
      this.title = title;
      this.body = options.body;
    }
    close() {}
  }
  window.Notification = FakeNotification;
})();
"""


def test_permission_is_asked_from_the_button_only_and_the_form_saves(open_as, ada, tmp_path):
    opened = open_as(ada, viewport=DESKTOP)
    opened.context.add_init_script(FAKE_NOTIFICATIONS)
    page = opened.goto("/settings/notifications")

    button = page.locator("#allow-notifications")
    expect(button).to_be_visible()
    assert page.evaluate("window.__asked") == 0
    directory = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    page.screenshot(path=str(directory / "notification-settings-desktop.png"))
    button.click()
    expect(page.locator("#browser-permission")).to_have_text(
        "Desktop notifications are allowed in this browser."
    )
    expect(button).to_be_hidden()
    assert page.evaluate("window.__asked") == 1

    page.fill("#email-delay", "20")
    page.uncheck("input[name=email_include_text]")
    page.click(".settings-form button[type=submit]:not(#allow-notifications)")
    expect(page.locator(".flash")).to_contain_text("Notification settings saved.")
    assert selectors.settings_payload(selectors.notification_settings(user=ada)) == {
        "email_missed_messages": True,
        "email_delay_minutes": 20,
        "email_include_text": False,
        "browser_notifications": True,
    }
    assert opened.console_errors == []


def test_a_message_in_a_hidden_tab_shows_a_notification_that_opens_it(open_as, ada, grace):
    opened = open_as(ada, viewport=DESKTOP)
    opened.context.add_init_script(FAKE_NOTIFICATIONS)
    opened.context.add_init_script("sessionStorage.setItem('permission', 'granted')")
    page = opened.goto("/messages")
    message = send(grace, ada, "Dinner at eight?")
    socket_event = """([id, conversation]) => document.dispatchEvent(new CustomEvent(
        "messaging:message.new",
        {detail: {type: "message.new", message: {id: id, conversation_id: conversation}}}))"""

    # A visible tab shows nothing: the page itself shows the message.
    page.evaluate(socket_event, [message.pk, message.conversation_id])
    page.wait_for_timeout(300)
    assert page.evaluate("window.__shown.length") == 0

    page.evaluate("window.__hidden = true")
    page.evaluate(socket_event, [message.pk, message.conversation_id])
    # (wait_for_function would evaluate a string, which the page's CSP refuses)
    for _ in range(50):
        if page.evaluate("window.__shown.length"):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("[window.__shown[0].title, window.__shown[0].body]") == [
        "Grace Hopper",
        "Dinner at eight?",
    ]

    page.evaluate("window.__shown[0].dispatchEvent(new Event('click'))")
    expect(page).to_have_url(f"{opened.origin}/messages/{grace.pk}")
    assert opened.console_errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_settings_and_unsubscribe_pages_pass_axe(open_as, ada, scheme):
    from messaging.tests.web.test_accessibility import axe_violations

    opened = open_as(ada, viewport=DESKTOP, color_scheme=scheme)
    page = opened.goto("/settings/notifications")
    page.fill("#email-delay", "0")
    page.locator("#email-delay").evaluate("input => input.removeAttribute('min')")
    page.click(".settings-form button[type=submit]:not(#allow-notifications)")
    expect(page.locator("#email-delay-error")).to_have_text("Must be between 1 and 1440.")
    assert axe_violations(page) == []

    token = selectors.unsubscribe_token(user_id=ada.pk, generation=0)
    page = opened.goto(f"/notifications/unsubscribe/{token}")
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert axe_violations(page) == []
