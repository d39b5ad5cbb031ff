"""Who may download an upload, asked again on every request: its uploader until it is
sent, then whoever may see the message carrying it, until that message is hidden or
deleted for them. Everyone else gets the same 404 as for a missing file."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.tests.factories import AttachmentFactory

from .test_attachments import read_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(user, other_user):
    attachment = AttachmentFactory(uploader=user)
    message = services.send_message(
        sender=user, recipient_id=other_user.pk, text="look", attachment_id=attachment.pk
    ).message
    return attachment, message


def statuses(attachment, *clients) -> list[int]:
    return [
        client.get(f"/api/attachments/{attachment.pk}/{path}").status_code
        for client in clients
        for path in ("file", "thumbnail")
    ]


OK, MISSING = HTTPStatus.OK, HTTPStatus.NOT_FOUND


def test_before_it_is_sent_only_the_uploader_downloads(
    api_client, other_client, third_client, user
):
    attachment = AttachmentFactory(uploader=user)
    assert statuses(attachment, api_client, other_client, third_client) == [OK, OK] + [MISSING] * 4


def test_once_sent_both_members_download_and_a_stranger_does_not(
    api_client, other_client, third_client, sent
):
    attachment, _message = sent
    assert statuses(attachment, api_client, other_client) == [OK] * 4
    assert statuses(attachment, third_client) == [MISSING] * 2


def test_a_strangers_404_is_the_same_as_a_missing_files(third_client, sent):
    attachment, _message = sent
    theirs = third_client.get(f"/api/attachments/{attachment.pk}/file").json()
    missing = third_client.get("/api/attachments/999999/file").json()
    assert {**theirs, "request_id": None} == {**missing, "request_id": None}


def test_a_hidden_message_serves_its_file_to_nobody(
    api_client, other_client, sent, django_user_model
):
    attachment, message = sent
    moderator = django_user_model.objects.create_user(
        email="mod@example.org", name="Mod", password="x", is_staff=True
    )
    services.set_message_hidden(actor=moderator, message=message, hidden=True)
    assert statuses(attachment, api_client, other_client) == [MISSING] * 4
    services.set_message_hidden(actor=moderator, message=message, hidden=False)
    assert statuses(attachment, api_client, other_client) == [OK] * 4


def test_deleting_the_conversation_ends_that_members_access_only(
    api_client, other_client, other_user, sent
):
    attachment, message = sent
    services.delete_conversation(user=other_user, conversation_id=message.conversation_id)
    assert statuses(attachment, other_client) == [MISSING] * 2
    assert statuses(attachment, api_client) == [OK] * 2


def test_the_file_is_the_one_uploaded(other_client, sent):
    attachment, _message = sent
    response = other_client.get(f"/api/attachments/{attachment.pk}/file")
    assert len(read_body(response)) == attachment.size


def test_a_download_asks_the_database_a_fixed_number_of_times(
    other_client, sent, assert_database_query_count
):
    attachment, _message = sent
    other_client.get("/api/auth/me")  # presence is written once, outside the count
    # member, attachment, the message carrying it, that message as the member may see it
    with assert_database_query_count(4):
        response = other_client.get(f"/api/attachments/{attachment.pk}/file")
    assert response.status_code == HTTPStatus.OK
