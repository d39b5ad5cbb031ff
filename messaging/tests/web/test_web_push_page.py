"""In Chromium: with VAPID keys configured, the settings page's button registers the
service worker at /sw.js for the whole site, subscribes with the server's key and saves
the subscription. Headless Chromium reaches no real push service, so PushManager's
subscribe is replaced by a recorder returning a browser-shaped subscription."""

import base64

import pytest
from playwright.sync_api import expect

from messaging.models import PushSubscription
from messaging.tests.notifications.push_service import BrowserKeys, vapid_pair
from messaging.tests.web.conftest import DESKTOP
from messaging.tests.web.test_browser_notifications import FAKE_NOTIFICATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENDPOINT = "https://push.example.net/send/browser-1"

FAKE_PUSH = """
(([endpoint, p256dh, auth]) => {
  window.__subscribed = [];
  PushManager.prototype.getSubscription = async function () { return null; };
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribed.push({
      userVisibleOnly: options.userVisibleOnly,
      key: btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey))),
    });
    return { toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }) };
  };
})
"""


def test_the_button_registers_the_worker_subscribes_and_saves(open_as, ada, settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_pair()
    keys = BrowserKeys.generate()
    opened = open_as(ada, viewport=DESKTOP)
    opened.context.add_init_script(FAKE_NOTIFICATIONS)
    opened.context.add_init_script(f"{FAKE_PUSH}({[ENDPOINT, keys.p256dh, keys.auth]!r});")
    page = opened.goto("/settings/notifications")

    page.locator("#allow-notifications").click()

    expect(page.locator("#push-status")).to_have_text(
        "This browser also gets notifications while the site is closed."
    )
    [saved] = PushSubscription.objects.all()
    assert (saved.user_id, saved.endpoint, saved.p256dh, saved.auth) == (
        ada.pk,
        ENDPOINT,
        keys.p256dh,
        keys.auth,
    )
    [options] = page.evaluate("window.__subscribed")
    assert options["userVisibleOnly"] is True
    padded = settings.VAPID_PUBLIC_KEY + "=" * (-len(settings.VAPID_PUBLIC_KEY) % 4)
    assert base64.b64decode(options["key"]) == base64.urlsafe_b64decode(padded)
    scope = page.evaluate(
        "navigator.serviceWorker.getRegistration('/').then((found) => found && found.scope)"
    )
    assert scope == f"{opened.origin}/"
    assert opened.console_errors == []
