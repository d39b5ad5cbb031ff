"""The Web Push subscription API (POST/GET/DELETE /api/notifications/push-subscriptions),
the settings page's same-origin door for it, and the service worker script at /sw.js."""

from http import HTTPStatus

import pytest

from conftest import client_for
from messaging.models import PushSubscription
from messaging.tests.factories import TEST_PASSWORD

from .push_service import BrowserKeys

URL = "/api/notifications/push-subscriptions"
ENDPOINT = "https://push.example.net/send/abc123"


def browser_subscription(endpoint: str = ENDPOINT) -> dict:
    keys = BrowserKeys.generate()
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": keys.p256dh, "auth": keys.auth},
    }


def test_a_subscription_is_saved_once_per_endpoint(vapid, api_client, user):
    first = browser_subscription()
    response = api_client.post(URL, first, format="json")

    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["success"] is True
    assert body["data"]["web_push"] is True
    assert body["data"]["vapid_public_key"] == vapid
    assert [item["endpoint"] for item in body["data"]["subscriptions"]] == [ENDPOINT]

    # The same browser again (new keys after a resubscribe): updated, not duplicated.
    again = browser_subscription()
    assert api_client.post(URL, again, format="json").status_code == HTTPStatus.OK
    [saved] = PushSubscription.objects.all()
    assert (saved.user_id, saved.p256dh, saved.auth) == (
        user.pk,
        again["keys"]["p256dh"],
        again["keys"]["auth"],
    )


def test_an_endpoint_subscribed_by_another_member_becomes_theirs(vapid, api_client, other_user):
    api_client.post(URL, browser_subscription(), format="json")

    client_for(other_user).post(URL, browser_subscription(), format="json")

    assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [other_user.pk]


def test_a_member_keeps_a_bounded_number_the_oldest_go(vapid, settings, api_client, user):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "PUSH_MAX_SUBSCRIPTIONS": 3}
    for number in range(5):
        api_client.post(URL, browser_subscription(f"{ENDPOINT}/{number}"), format="json")

    kept = PushSubscription.objects.filter(user=user).values_list("endpoint", flat=True)
    assert sorted(kept) == [f"{ENDPOINT}/{number}" for number in (2, 3, 4)]


def test_delete_by_endpoint_is_idempotent_and_only_mine(vapid, api_client, other_client):
    api_client.post(URL, browser_subscription(), format="json")

    assert other_client.delete(URL, {"endpoint": ENDPOINT}, format="json").status_code == 200
    assert PushSubscription.objects.count() == 1

    response = api_client.delete(URL, {"endpoint": ENDPOINT}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["message"] == "Push subscription removed."
    assert response.json()["data"]["subscriptions"] == []
    again = api_client.delete(URL, {"endpoint": ENDPOINT}, format="json")
    assert again.status_code == HTTPStatus.OK
    assert again.json()["message"] == "No such push subscription."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": "http://push.example.net/send/abc"}, "endpoint"),
        ({"endpoint": "javascript:alert(1)"}, "endpoint"),
        ({"endpoint": "https://user:pw@push.example.net/x"}, "endpoint"),
        ({"endpoint": "https://push.example.net/" + "x" * 2000}, "endpoint"),
        ({"endpoint": 42}, "endpoint"),
        ({"keys": {"p256dh": "not-a-key", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys": {"p256dh": BrowserKeys.generate().p256dh, "auth": "c2hvcnQ"}}, "keys.auth"),
        ({"keys": {"p256dh": BrowserKeys.generate().p256dh}}, "keys"),
        ({"keys": "nope"}, "keys"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_400_with_errors_and_saves_nothing(vapid, api_client, change, field):
    body = {**browser_subscription(), **change}

    response = api_client.post(URL, body, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert field in errors or field.split(".")[0] in errors
    assert not PushSubscription.objects.exists()


def test_without_vapid_keys_web_push_is_off(settings, api_client):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""

    data = api_client.get(URL).json()["data"]
    assert (data["web_push"], data["vapid_public_key"]) == (False, None)
    response = api_client.post(URL, browser_subscription(), format="json")
    assert response.status_code == HTTPStatus.CONFLICT
    assert not PushSubscription.objects.exists()


def test_login_is_required_and_a_session_needs_its_csrf_token(vapid, anon_client, client, user):
    assert anon_client.post(URL, browser_subscription(), format="json").status_code == 401
    assert anon_client.get(URL).status_code == 401

    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.login(email=user.email, password=TEST_PASSWORD)
    response = strict.post(URL, browser_subscription(), content_type="application/json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not PushSubscription.objects.exists()


def test_the_settings_page_door_saves_and_forgets_this_browser(vapid, client, user):
    client.login(email=user.email, password=TEST_PASSWORD)
    door = "/settings/notifications/push-subscription"

    saved = client.post(door, browser_subscription(), content_type="application/json")
    assert (saved.status_code, saved.json()) == (200, {"subscribed": True})
    assert PushSubscription.objects.filter(user=user).count() == 1

    bad = client.post(door, {"endpoint": "http://x"}, content_type="application/json")
    assert bad.status_code == 400 and "endpoint" in bad.json()["errors"]

    gone = client.delete(door, {"endpoint": ENDPOINT}, content_type="application/json")
    assert gone.json() == {"subscribed": False}
    assert not PushSubscription.objects.exists()


def test_the_settings_page_carries_the_key_only_when_push_is_on(vapid, settings, client, user):
    client.login(email=user.email, password=TEST_PASSWORD)
    assert f'data-vapid-public-key="{vapid}"' in client.get("/settings/notifications").text

    settings.VAPID_PUBLIC_KEY = ""
    assert "data-vapid-public-key" not in client.get("/settings/notifications").text


def test_the_service_worker_is_served_from_the_root_for_the_whole_site(client):
    response = client.get("/sw.js")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    script = response.content.decode()
    assert 'addEventListener("push"' in script
    assert 'addEventListener("notificationclick"' in script
    assert "showNotification" in script and "openWindow" in script
