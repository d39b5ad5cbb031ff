"""POST /api/messages/send: its answers, and the rules of sending (text or attachment,
limits, never to yourself, not while suspended or blocked, retries by client id)."""

from http import HTTPStatus

import pytest

from messaging.models import Conversation, Message

from .helpers import assert_error, expected_message, ok_body, utc

SEND = "/api/messages/send"


def _send(client, recipient, **fields):
    return client.post(SEND, {"recipient_id": str(recipient.pk), **fields}, format="json")


def test_send_returns_201_and_the_whole_message(api_client, user, other_user):
    response = _send(
        api_client,
        other_user,
        message_text="  Hello Grace 👋  ",
        attachment_url="https://files.example.org/plan.pdf",
        attachment_type="application/pdf",
        client_message_id="c-1",
    )
    body = ok_body(response, HTTPStatus.CREATED)
    message = Message.objects.get()
    assert body == {
        "success": True,
        "data": {
            "id": message.pk,
            "conversation_id": message.conversation_id,
            "sender_id": str(user.pk),
            "recipient_id": str(other_user.pk),
            "message_text": "Hello Grace 👋",
            "attachment_url": "https://files.example.org/plan.pdf",
            "attachment_type": "application/pdf",
            "sent_at": utc(message.sent_at),
            "read": False,
            "read_at": None,
            "client_message_id": "c-1",
            "hidden": False,
            "kind": "text",
            "edited_at": None,
            "deleted": False,
            "reactions": [],
        },
        "message": "Message sent.",
    }
    assert body["data"]["sent_at"].endswith("Z")


def test_attachment_alone_is_enough(api_client, other_user):
    response = _send(api_client, other_user, attachment_url="http://files.example.org/a.png")
    body = ok_body(response, HTTPStatus.CREATED)
    assert body["data"]["message_text"] == ""
    assert body["data"]["attachment_url"] == "http://files.example.org/a.png"


def test_retry_with_same_client_message_id_returns_200_and_the_original(
    api_client, other_user, other_client
):
    first = ok_body(_send(api_client, other_user, message_text="once", client_message_id="k"), 201)
    retry = _send(api_client, other_user, message_text="once again?", client_message_id="k")
    body = ok_body(retry, HTTPStatus.OK)
    assert body["data"] == first["data"]
    assert body["message"] == "Message already sent."
    assert Message.objects.count() == 1
    unread = ok_body(other_client.get("/api/messages/unread-count"))["data"]
    assert unread == {"unread_count": 1}


def test_send_updates_the_recipients_unread_count(api_client, other_user, other_client):
    for text in ("one", "two", "three"):
        ok_body(_send(api_client, other_user, message_text=text), HTTPStatus.CREATED)
    body = ok_body(other_client.get("/api/messages/unread-count"))
    assert body["data"] == {"unread_count": 3}
    assert ok_body(api_client.get("/api/messages/unread-count"))["data"] == {"unread_count": 0}


def test_emoji_and_four_byte_characters_round_trip(api_client, other_user, other_client):
    text = "𝄞 music, 🧑🏽‍🚀 crew, 漢字 and ñ"
    sent = ok_body(_send(api_client, other_user, message_text=text), HTTPStatus.CREATED)
    assert sent["data"]["message_text"] == text
    history = ok_body(other_client.get(f"/api/messages/conversation/{sent['data']['sender_id']}"))
    assert [message["message_text"] for message in history["data"]] == [text]


TEXT_REQUIRED = "A message needs text or an attachment."
TOO_LONG = "Ensure this field has no more than 5000 characters."


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"message_text": ""}, "message_text", TEXT_REQUIRED),
        ({"message_text": "   \n\t "}, "message_text", TEXT_REQUIRED),
        ({}, "message_text", TEXT_REQUIRED),
        ({"message_text": None}, "message_text", TEXT_REQUIRED),
        ({"message_text": "x" * 5001}, "message_text", TOO_LONG),
        ({"message_text": "a\x00b"}, "message_text", "Null characters are not allowed."),
        ({"message_text": 42}, "message_text", "Not a valid string."),
        ({"message_text": ["hi"]}, "message_text", "Not a valid string."),
        (
            {"message_text": "hi", "attachment_url": "javascript:alert(1)"},
            "attachment_url",
            "Enter a valid http or https URL.",
        ),
        (
            {"message_text": "hi", "attachment_url": "ftp://files.example.org/a"},
            "attachment_url",
            "Enter a valid http or https URL.",
        ),
        (
            {"message_text": "hi", "attachment_url": "https://e.org/" + "a" * 490},
            "attachment_url",
            "Ensure this field has no more than 500 characters.",
        ),
        (
            {"message_text": "hi", "client_message_id": "c" * 65},
            "client_message_id",
            "Ensure this field has no more than 64 characters.",
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "missing",
        "null",
        "5001-chars",
        "nul-char",
        "number",
        "list",
        "javascript-url",
        "ftp-url",
        "url-too-long",
        "client-id-too-long",
    ],
)
def test_bad_send_input_is_400_and_creates_nothing(api_client, other_user, fields, field, reason):
    response = _send(api_client, other_user, **fields)
    assert_error(response, HTTPStatus.BAD_REQUEST, f"{field}: {reason}", {field: [reason]})
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()


def test_exactly_5000_characters_is_accepted(api_client, other_user):
    body = ok_body(_send(api_client, other_user, message_text="y" * 5000), HTTPStatus.CREATED)
    assert len(body["data"]["message_text"]) == 5000


def test_sending_to_yourself_is_400(api_client, user):
    reason = "You cannot send a message to yourself."
    assert_error(
        _send(api_client, user, message_text="me"),
        HTTPStatus.BAD_REQUEST,
        f"recipient_id: {reason}",
        {"recipient_id": [reason]},
    )


def test_unknown_recipient_is_404(api_client):
    response = api_client.post(
        SEND,
        {"recipient_id": "6f1c2d9e-0000-4000-8000-000000000000", "message_text": "hi"},
        format="json",
    )
    assert_error(response, HTTPStatus.NOT_FOUND, "Member not found.")


@pytest.mark.parametrize("recipient_id", ["not-a-uuid", 123, "", None, ["x"]])
def test_malformed_recipient_is_400(api_client, recipient_id):
    response = api_client.post(
        SEND, {"recipient_id": recipient_id, "message_text": "hi"}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert set(body["errors"]) == {"recipient_id"}
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert not Message.objects.exists()


def test_missing_recipient_is_400(api_client):
    response = api_client.post(SEND, {"message_text": "hi"}, format="json")
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "recipient_id: This field is required.",
        {"recipient_id": ["This field is required."]},
    )


def test_suspended_sender_is_403(api_client, user, other_user):
    user.messaging_suspended = True
    user.save(update_fields=["messaging_suspended"])
    assert_error(
        _send(api_client, other_user, message_text="hi"),
        HTTPStatus.FORBIDDEN,
        "Your messaging is suspended by a moderator. You can still read your messages.",
    )


def test_send_to_a_deactivated_member_is_404(api_client, other_user):
    other_user.is_active = False
    other_user.save(update_fields=["is_active"])
    assert_error(
        _send(api_client, other_user, message_text="hi"), HTTPStatus.NOT_FOUND, "Member not found."
    )


def test_sent_message_shows_in_both_histories_identically(
    api_client, other_client, user, other_user
):
    ok_body(_send(api_client, other_user, message_text="ping"), HTTPStatus.CREATED)
    message = Message.objects.get()
    mine = ok_body(api_client.get(f"/api/messages/conversation/{other_user.pk}"))["data"]
    message.refresh_from_db()
    assert mine == [expected_message(message)]
    theirs = ok_body(other_client.get(f"/api/messages/conversation/{user.pk}"))["data"]
    message.refresh_from_db()
    assert message.read_at is not None
    assert theirs == [expected_message(message)]
