"""PUT /api/messages/mark-as-read/{id} and GET /api/messages/unread-count."""

from http import HTTPStatus

from messaging.tests.factories import send

from .helpers import assert_error, expected_message, ok_body


def _unread(client) -> int:
    body = ok_body(client.get("/api/messages/unread-count"))
    assert body == {
        "success": True,
        "data": {"unread_count": body["data"]["unread_count"]},
        "message": "Unread count retrieved.",
    }
    return body["data"]["unread_count"]


def test_mark_as_read_returns_the_read_message_and_drops_the_count(api_client, user, other_user):
    first = send(other_user, user, "one")
    send(other_user, user, "two")
    assert _unread(api_client) == 2

    body = ok_body(api_client.put(f"/api/messages/mark-as-read/{first.pk}"))
    first.refresh_from_db()
    assert first.read_at is not None
    assert body == {
        "success": True,
        "data": expected_message(first),
        "message": "Message marked as read.",
    }
    assert body["data"]["read"] is True and body["data"]["read_at"].endswith("Z")
    assert _unread(api_client) == 1


def test_mark_as_read_is_idempotent(api_client, user, other_user):
    message = send(other_user, user)
    first = ok_body(api_client.put(f"/api/messages/mark-as-read/{message.pk}"))
    second = ok_body(api_client.put(f"/api/messages/mark-as-read/{message.pk}"))
    assert second["data"] == first["data"]
    assert _unread(api_client) == 0


def test_the_sender_cannot_mark_their_own_message_read(api_client, user, other_user, other_client):
    message = send(user, other_user)
    assert_error(
        api_client.put(f"/api/messages/mark-as-read/{message.pk}"),
        HTTPStatus.NOT_FOUND,
        "Message not found.",
    )
    assert _unread(other_client) == 1


def test_mark_as_read_of_a_missing_message_is_404(api_client):
    assert_error(
        api_client.put("/api/messages/mark-as-read/987654321"),
        HTTPStatus.NOT_FOUND,
        "Message not found.",
    )


def test_mark_as_read_with_a_non_numeric_id_is_the_json_404(api_client):
    assert_error(
        api_client.put("/api/messages/mark-as-read/abc"), HTTPStatus.NOT_FOUND, "Not found."
    )


def test_unread_count_sums_every_conversation(api_client, user, other_user, third_user):
    send(other_user, user)
    send(other_user, user)
    send(third_user, user)
    send(user, third_user)  # my own messages never count
    assert _unread(api_client) == 3
