"""GET/PUT /api/notifications/settings (SPEC 9.2) and the /settings/notifications page."""

from http import HTTPStatus

import pytest

from messaging.tests.factories import TEST_PASSWORD

DEFAULTS = {
    "email_missed_messages": True,
    "email_delay_minutes": 5,
    "email_include_text": True,
    "browser_notifications": True,
}


def test_defaults(api_client):
    response = api_client.get("/api/notifications/settings")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"] == DEFAULTS


def test_a_put_changes_only_the_fields_it_carries(api_client):
    response = api_client.put(
        "/api/notifications/settings", {"email_delay_minutes": 1440}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"] == {**DEFAULTS, "email_delay_minutes": 1440}

    api_client.put("/api/notifications/settings", {"email_include_text": False}, format="json")

    assert api_client.get("/api/notifications/settings").json()["data"] == {
        **DEFAULTS,
        "email_delay_minutes": 1440,
        "email_include_text": False,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email_delay_minutes": 0}, "email_delay_minutes"),
        ({"email_delay_minutes": 1441}, "email_delay_minutes"),
        ({"email_delay_minutes": "10"}, "email_delay_minutes"),
        ({"email_delay_minutes": 2.5}, "email_delay_minutes"),
        ({"email_delay_minutes": True}, "email_delay_minutes"),
        ({"email_missed_messages": "yes"}, "email_missed_messages"),
        ({"browser_notifications": 1}, "browser_notifications"),
        ({"email_missed_messages": None}, "email_missed_messages"),
        ({"push": True}, "push"),
    ],
)
def test_bad_values_are_a_400_that_changes_nothing(api_client, body, field):
    response = api_client.put(
        "/api/notifications/settings", {**body, "email_include_text": False}, format="json"
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["success"] is False
    assert field in response.json()["errors"]
    assert api_client.get("/api/notifications/settings").json()["data"] == DEFAULTS


def test_a_body_that_is_not_an_object_is_a_400(api_client):
    response = api_client.put("/api/notifications/settings", [1], format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_needs_a_login(anon_client):
    assert anon_client.get("/api/notifications/settings").status_code == HTTPStatus.UNAUTHORIZED


def test_the_settings_page_saves_and_refuses_a_bad_delay(client, user):
    client.login(email=user.email, password=TEST_PASSWORD)

    page = client.get("/settings/notifications")
    assert page.status_code == HTTPStatus.OK
    assert b'name="email_delay_minutes"' in page.content

    saved = client.post(
        "/settings/notifications",
        {"email_missed_messages": "on", "email_delay_minutes": "15"},
        follow=True,
    )
    assert saved.status_code == HTTPStatus.OK
    assert b"Notification settings saved." in saved.content

    refused = client.post("/settings/notifications", {"email_delay_minutes": "0"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert b"Must be between 1 and 1440." in refused.content

    from messaging import selectors

    assert selectors.settings_payload(selectors.notification_settings(user=user)) == {
        "email_missed_messages": True,
        "email_delay_minutes": 15,
        "email_include_text": False,
        "browser_notifications": False,
    }
