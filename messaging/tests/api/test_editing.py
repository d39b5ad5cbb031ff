"""PATCH / DELETE /api/messages/{id} and GET …/history (SPEC §9.3): who may edit or
delete what, the window, the text rules, what every participant then sees, and the
inbox preview following the current text."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from messaging import services
from messaging.models import Message, MessageRevision
from messaging.tests.factories import AttachmentFactory, send

from .helpers import assert_error, expected_message, ok_body, ok_list, utc

pytestmark = pytest.mark.django_db

DELETED = "This message was deleted"


def _edit(client, message_id, text):
    return client.patch(f"/api/messages/{message_id}", {"message_text": text}, format="json")


def _conversation(client, other):
    return ok_list(client.get(f"/api/messages/conversation/{other.pk}"))[0]


def test_sender_edits_within_the_window(api_client, other_client, user, other_user):
    message = send(user, other_user, "See you at 6")
    body = ok_body(_edit(api_client, message.pk, "  See you at 7  "))
    message.refresh_from_db()
    assert message.message_text == "See you at 7"
    assert message.edited_at is not None
    assert body["data"] == expected_message(message)
    assert body["data"]["edited_at"] == utc(message.edited_at)
    # The other member sees the new text and that it was edited.
    [seen] = _conversation(other_client, user)
    assert seen["message_text"] == "See you at 7"
    assert seen["edited_at"] == utc(message.edited_at)


def test_history_lists_earlier_versions_for_participants(
    api_client, other_client, third_client, user, other_user
):
    message = send(user, other_user, "first")
    _edit(api_client, message.pk, "second")
    _edit(api_client, message.pk, "third")
    versions, total = ok_list(other_client.get(f"/api/messages/{message.pk}/history"))
    assert total == 2
    assert [version["message_text"] for version in versions] == ["first", "second"]
    assert versions[0]["written_at"] == utc(message.sent_at)
    assert versions[0]["replaced_at"] == versions[1]["written_at"]
    assert ok_list(api_client.get(f"/api/messages/{message.pk}/history"))[1] == 2
    # Someone outside the conversation cannot tell the message exists.
    assert_error(
        third_client.get(f"/api/messages/{message.pk}/history"),
        HTTPStatus.NOT_FOUND,
        "Message not found.",
    )


def test_same_text_changes_nothing(api_client, user, other_user):
    message = send(user, other_user, "unchanged")
    ok_body(_edit(api_client, message.pk, "unchanged "))
    message.refresh_from_db()
    assert message.edited_at is None
    assert not MessageRevision.objects.exists()


def test_someone_elses_message_403_if_visible_404_if_not(
    other_client, third_client, user, other_user
):
    message = send(user, other_user, "mine")
    assert_error(
        _edit(other_client, message.pk, "hacked"),
        HTTPStatus.FORBIDDEN,
        "Only the sender can change this message.",
    )
    assert_error(
        other_client.delete(f"/api/messages/{message.pk}"),
        HTTPStatus.FORBIDDEN,
        "Only the sender can change this message.",
    )
    assert_error(_edit(third_client, message.pk, "x"), HTTPStatus.NOT_FOUND, "Message not found.")
    assert_error(
        third_client.delete(f"/api/messages/{message.pk}"),
        HTTPStatus.NOT_FOUND,
        "Message not found.",
    )
    assert_error(_edit(third_client, 999999, "x"), HTTPStatus.NOT_FOUND, "Message not found.")
    message.refresh_from_db()
    assert message.message_text == "mine" and message.deleted_at is None


def test_past_the_window_is_403(api_client, user, other_user, settings):
    settings.EDIT_WINDOW_MINUTES = 60
    message = send(user, other_user, "old")
    Message.objects.filter(pk=message.pk).update(sent_at=timezone.now() - timedelta(minutes=61))
    assert_error(
        _edit(api_client, message.pk, "new"),
        HTTPStatus.FORBIDDEN,
        "This message can no longer be edited.",
    )
    # Deleting has no window.
    ok_body(api_client.delete(f"/api/messages/{message.pk}"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   ", "A message needs text or an attachment."),
        ("x" * 5001, "Ensure this field has no more than 5000 characters."),
        ("nul\x00", "Null characters are not allowed."),
    ],
)
def test_bad_text_is_400_and_changes_nothing(api_client, user, other_user, text, reason):
    message = send(user, other_user, "fine")
    assert_error(
        _edit(api_client, message.pk, text),
        HTTPStatus.BAD_REQUEST,
        f"message_text: {reason}",
        {"message_text": [reason]},
    )
    message.refresh_from_db()
    assert message.message_text == "fine" and message.edited_at is None


@pytest.mark.parametrize("body", [{}, {"message_text": 5}, {"message_text": None}, []])
def test_malformed_body_is_400(api_client, user, other_user, body):
    message = send(user, other_user, "fine")
    response = api_client.patch(f"/api/messages/{message.pk}", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["success"] is False


def test_text_may_be_emptied_when_an_attachment_stays(api_client, user, other_user):
    message = send(user, other_user, "a link", attachment_url="https://example.org/a.pdf")
    body = ok_body(_edit(api_client, message.pk, ""))
    assert body["data"]["message_text"] == ""
    assert body["data"]["attachment_url"] == "https://example.org/a.pdf"


def test_hidden_message_cannot_be_edited(api_client, user, other_user):
    message = send(user, other_user, "rude")
    services.set_message_hidden(actor=other_user, message=message, hidden=True)
    response = _edit(api_client, message.pk, "nice")
    assert response.status_code == HTTPStatus.FORBIDDEN
    message.refresh_from_db()
    assert message.message_text == "rude"


def test_system_message_is_400(api_client, user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion"
    )
    services.rename_group(user=user, conversation_id=group.pk, title="Reunion 2027")
    system = Message.objects.filter(conversation=group, kind=Message.Kind.SYSTEM).last()
    assert system is not None and system.sender_id == user.pk
    for response in (
        _edit(api_client, system.pk, "x"),
        api_client.delete(f"/api/messages/{system.pk}"),
    ):
        assert_error(
            response,
            HTTPStatus.BAD_REQUEST,
            "message_id: A system message cannot be changed.",
            {"message_id": ["A system message cannot be changed."]},
        )


def test_delete_for_everyone(api_client, other_client, user, other_user):
    message = send(user, other_user, "oops, wrong chat", attachment_url="https://example.org/x.png")
    body = ok_body(api_client.delete(f"/api/messages/{message.pk}"))
    message.refresh_from_db()
    assert body["data"] == expected_message(
        message, message_text=DELETED, attachment_url=None, attachment_type=None, deleted=True
    )
    [seen] = _conversation(other_client, user)
    assert seen["message_text"] == DELETED
    assert seen["deleted"] is True and seen["attachment_url"] is None
    # The original stays, for staff only: not on the message row, not in the history.
    assert message.message_text == ""
    assert MessageRevision.objects.get(message=message, deleted=True).message_text == (
        "oops, wrong chat"
    )
    assert ok_list(other_client.get(f"/api/messages/{message.pk}/history")) == ([], 0)
    assert_error(
        api_client.delete(f"/api/messages/{message.pk}"),
        HTTPStatus.BAD_REQUEST,
        "message_id: This message was deleted.",
        {"message_id": ["This message was deleted."]},
    )
    assert _edit(api_client, message.pk, "again").status_code == HTTPStatus.BAD_REQUEST


def test_deleted_upload_is_no_longer_downloadable(api_client, other_client, user, other_user):
    upload = AttachmentFactory(uploader=user)
    message = services.send_message(
        sender=user, recipient_id=other_user.pk, text="", attachment_id=upload.pk
    ).message
    path = f"/api/attachments/{upload.pk}/file"
    assert other_client.get(path).status_code == HTTPStatus.OK
    ok_body(api_client.delete(f"/api/messages/{message.pk}"))
    assert other_client.get(path).status_code == HTTPStatus.NOT_FOUND
    assert api_client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_inbox_preview_follows_edit_and_delete(api_client, other_client, user, other_user):
    message = send(user, other_user, "draft words")
    _edit(api_client, message.pk, "final words")
    [row] = ok_list(other_client.get("/api/messages/inbox"))[0]
    assert row["last_message"] == "final words"
    api_client.delete(f"/api/messages/{message.pk}")
    [row] = ok_list(other_client.get("/api/messages/inbox"))[0]
    assert row["last_message"] == DELETED


def test_edit_and_delete_in_a_group(api_client, other_client, user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion"
    )
    message = services.send_to_conversation(
        sender=other_user, conversation_id=group.pk, text="Friday?"
    ).message
    assert _edit(api_client, message.pk, "x").status_code == HTTPStatus.FORBIDDEN
    ok_body(_edit(other_client, message.pk, "Saturday?"))
    page = ok_list(api_client.get(f"/api/conversations/{group.pk}/messages"))[0]
    assert page[-1]["message_text"] == "Saturday?" and page[-1]["edited_at"]
    ok_body(other_client.delete(f"/api/messages/{message.pk}"))
    page = ok_list(api_client.get(f"/api/conversations/{group.pk}/messages"))[0]
    assert page[-1]["message_text"] == DELETED and page[-1]["deleted"] is True


def test_blocked_pair_cannot_edit(api_client, other_client, user, other_user):
    message = send(user, other_user, "before the block")
    ok_body(
        other_client.post(
            "/api/messages/block-user", {"blocked_user_id": str(user.pk)}, format="json"
        )
    )
    assert _edit(api_client, message.pk, "after").status_code == HTTPStatus.FORBIDDEN
    # Taking one's own words back is still allowed.
    ok_body(api_client.delete(f"/api/messages/{message.pk}"))
