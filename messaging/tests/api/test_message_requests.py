"""GET /api/messages/requests and POST /api/messages/requests/{id}/accept."""

from http import HTTPStatus

import pytest

from conftest import client_for
from messaging.tests.factories import UserFactory, send

from .helpers import assert_error, ok_body, ok_list

REQUESTS = "/api/messages/requests"


@pytest.fixture
def request_message(user, other_user, other_client):
    """Ada writes first to Grace, who receives message requests."""
    ok_body(other_client.put("/api/privacy/settings", {"message_requests": True}, format="json"))
    return send(user, other_user, "hello, we met at the reunion")


def test_a_request_is_listed_apart_from_the_inbox(other_client, api_client, user, request_message):
    requests, total = ok_list(other_client.get(REQUESTS))
    inbox, inbox_total = ok_list(other_client.get("/api/messages/inbox"))
    unread = ok_body(other_client.get("/api/messages/unread-count"))["data"]

    assert total == 1
    assert requests[0]["conversation_id"] == request_message.conversation_id
    assert requests[0]["other_user_id"] == str(user.pk)
    assert requests[0]["other_user_name"] == user.name
    assert requests[0]["is_request"] is True
    assert requests[0]["unread_count"] == 1
    assert (inbox, inbox_total) == ([], 0)
    assert unread == {"unread_count": 0}
    # The sender: sent, in their inbox, nothing said of a request.
    sent, _ = ok_list(api_client.get("/api/messages/inbox"))
    assert sent[0]["is_request"] is False
    assert ok_list(api_client.get(REQUESTS)) == ([], 0)


def test_the_conversation_object_says_whether_it_is_a_request(
    other_client, api_client, request_message
):
    path = f"/api/conversations/{request_message.conversation_id}"
    assert ok_body(other_client.get(path))["data"]["is_request"] is True
    assert ok_body(api_client.get(path))["data"]["is_request"] is False


def test_accepting_moves_it_to_the_inbox(other_client, request_message):
    accept = f"{REQUESTS}/{request_message.conversation_id}/accept"
    ok_body(other_client.post(accept))

    assert ok_list(other_client.get(REQUESTS)) == ([], 0)
    inbox, _ = ok_list(other_client.get("/api/messages/inbox"))
    assert inbox[0]["is_request"] is False
    assert ok_body(other_client.get("/api/messages/unread-count"))["data"] == {"unread_count": 1}
    assert_error(other_client.post(accept), HTTPStatus.NOT_FOUND, "Message request not found.")


@pytest.mark.parametrize("conversation_id", ["0", "abc", "99999999", "9" * 30])
def test_accepting_no_request_is_not_found(other_client, request_message, conversation_id):
    response = other_client.post(f"{REQUESTS}/{conversation_id}/accept")
    assert_error(response, HTTPStatus.NOT_FOUND, "Message request not found.")


def test_the_sender_cannot_accept_their_own_request(api_client, request_message):
    response = api_client.post(f"{REQUESTS}/{request_message.conversation_id}/accept")
    assert_error(response, HTTPStatus.NOT_FOUND, "Message request not found.")


def test_no_read_receipt_until_accepted(api_client, other_client, user, request_message):
    other_client.get(f"/api/messages/conversation/{user.pk}")  # Grace opens the request
    history, _ = ok_list(
        api_client.get(f"/api/messages/conversation/{request_message.recipient_id}")
    )
    assert history[0]["read"] is False

    other_client.post(f"{REQUESTS}/{request_message.conversation_id}/accept")
    other_client.get(f"/api/messages/conversation/{user.pk}")
    history, _ = ok_list(
        api_client.get(f"/api/messages/conversation/{request_message.recipient_id}")
    )
    assert history[0]["read"] is True


def test_deleting_a_request_is_silent(api_client, other_client, request_message):
    ok_body(other_client.delete(f"/api/messages/conversation/{request_message.conversation_id}"))

    assert ok_list(other_client.get(REQUESTS)) == ([], 0)
    sent, _ = ok_list(api_client.get("/api/messages/inbox"))
    assert sent[0]["last_message"] == "hello, we met at the reunion"


def test_the_limit_answers_429_with_retry_after(api_client, settings):
    settings.MESSAGE_REQUESTS_PER_DAY = 2
    strangers = UserFactory.create_batch(3, message_requests=True)
    for stranger in strangers[:2]:
        response = api_client.post(
            "/api/messages/send",
            {"recipient_id": str(stranger.pk), "message_text": "hi"},
            format="json",
        )
        assert response.status_code == HTTPStatus.CREATED

    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(strangers[2].pk), "message_text": "hi"},
        format="json",
    )

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 24 * 60 * 60
    assert "2 message requests" in response.json()["message"]
    assert ok_list(client_for(strangers[2]).get(REQUESTS)) == ([], 0)


@pytest.mark.parametrize("up_to", [False, True])
def test_marking_a_request_read_records_nothing(other_client, request_message, up_to):
    body = {"up_to_message_id": request_message.pk} if up_to else {}
    path = f"/api/conversations/{request_message.conversation_id}/read"
    ok_body(other_client.put(path, body, format="json"))
    ok_body(other_client.put(f"/api/messages/mark-as-read/{request_message.pk}"))

    request_message.refresh_from_db()
    assert request_message.read_at is None
