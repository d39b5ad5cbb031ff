"""GET/PUT /api/privacy/settings, and what the settings do to REST payloads."""

from http import HTTPStatus

import pytest

from messaging.tests.factories import send

from .helpers import assert_error, ok_body, ok_list

URL = "/api/privacy/settings"
DEFAULTS = {"show_read_receipts": True, "show_presence": True, "message_requests": False}


def test_get_gives_the_defaults(api_client):
    assert ok_body(api_client.get(URL))["data"] == DEFAULTS


def test_put_changes_only_what_it_names(api_client, user):
    body = ok_body(api_client.put(URL, {"message_requests": True}, format="json"))
    assert body["data"] == {**DEFAULTS, "message_requests": True}

    body = ok_body(api_client.put(URL, {"show_read_receipts": False}, format="json"))
    assert body["data"] == {**DEFAULTS, "message_requests": True, "show_read_receipts": False}
    assert ok_body(api_client.get(URL))["data"] == body["data"]


def test_unknown_keys_are_refused_and_change_nothing(api_client):
    response = api_client.put(URL, {"show_presence": False, "show_email": False}, format="json")
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "show_email: Unknown field.",
        {"show_email": ["Unknown field."]},
    )
    assert ok_body(api_client.get(URL))["data"] == DEFAULTS


@pytest.mark.parametrize("value", ["false", 0, 1, None, [], {"a": 1}])
def test_wrong_types_are_refused(api_client, value):
    response = api_client.put(URL, {"show_presence": value}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert set(response.json()["errors"]) == {"show_presence"}
    assert ok_body(api_client.get(URL))["data"] == DEFAULTS


def test_a_body_that_is_not_an_object_is_refused(api_client):
    response = api_client.put(URL, [True], format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "errors" in response.json()


def test_needs_a_member(anon_client):
    assert anon_client.get(URL).status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("hider", ["me", "them"])
def test_hidden_receipts_keep_my_messages_sent_in_the_api(
    api_client, other_client, user, other_user, hider
):
    mine = send(user, other_user, "mine")
    (api_client if hider == "me" else other_client).put(
        URL, {"show_read_receipts": False}, format="json"
    )
    other_client.get(f"/api/messages/conversation/{user.pk}")  # Grace reads it

    history, _ = ok_list(api_client.get(f"/api/messages/conversation/{other_user.pk}"))
    by_id, _ = ok_list(api_client.get(f"/api/conversations/{mine.conversation_id}/messages"))
    found, _ = ok_list(api_client.get("/api/messages/search?q=mine"))

    for payload in (history[0], by_id[0], found[0]):
        assert (payload["read"], payload["read_at"]) == (False, None)
    # Grace's own view of what she received still says she read it.
    theirs, _ = ok_list(other_client.get(f"/api/messages/conversation/{user.pk}"))
    assert theirs[0]["read"] is True


@pytest.mark.parametrize("hider", ["me", "them"])
def test_hidden_presence_in_status_and_inbox(api_client, other_client, user, other_user, hider):
    send(user, other_user, "hi")
    other_client.get("/api/messages/unread-count")  # Grace is active
    (api_client if hider == "me" else other_client).put(
        URL, {"show_presence": False}, format="json"
    )

    status = ok_body(api_client.get(f"/api/messages/conversation/{other_user.pk}/status"))
    inbox, _ = ok_list(api_client.get("/api/messages/inbox"))

    assert status["data"] == {
        "other_user_status": "offline",
        "other_user_last_seen_at": None,
        "other_user_typing": False,
    }
    assert inbox[0]["other_user_status"] == "offline"


@pytest.mark.parametrize("change", ["edit", "delete", "react"])
def test_hidden_receipts_stay_hidden_when_a_message_changes(
    api_client, other_client, user, other_user, change
):
    mine = send(user, other_user, "mine")
    other_client.get(f"/api/messages/conversation/{user.pk}")  # Grace reads it
    other_client.put(URL, {"show_read_receipts": False}, format="json")
    path = f"/api/messages/{mine.pk}"

    if change == "edit":
        response = api_client.patch(path, {"message_text": "mine, edited"}, format="json")
    elif change == "delete":
        response = api_client.delete(path)
    else:
        response = api_client.put(f"{path}/reactions/%F0%9F%91%8D")

    payload = ok_body(response)["data"]
    assert (payload["read"], payload["read_at"]) == (False, None)
    mine.refresh_from_db()
    assert mine.read_at is not None  # recorded, only not shown


def test_receipts_shown_after_an_edit_when_both_show_them(
    api_client, other_client, user, other_user
):
    mine = send(user, other_user, "mine")
    other_client.get(f"/api/messages/conversation/{user.pk}")

    response = api_client.patch(
        f"/api/messages/{mine.pk}", {"message_text": "mine!"}, format="json"
    )

    assert ok_body(response)["data"]["read"] is True
