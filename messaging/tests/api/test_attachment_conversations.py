"""Uploads sent to a conversation by its id (`POST /api/conversations/{id}/messages` with
`attachment_id`), direct or group: the same rules as the §3.3 send, and every member who
may see the message downloads its file, while a member added later does not."""

from http import HTTPStatus

import pytest

from conftest import client_for
from messaging import services
from messaging.models import Message
from messaging.tests.factories import AttachmentFactory, UserFactory

from .test_attachments import read_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(user, other_user, third_user):
    return services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion"
    )


def send(client, conversation_id, **body):
    return client.post(f"/api/conversations/{conversation_id}/messages", body, format="json")


def test_a_group_member_sends_an_upload_and_every_member_downloads_it(
    api_client, other_client, third_client, user, group
):
    attachment = AttachmentFactory(uploader=user)
    response = send(api_client, group.pk, attachment_id=attachment.pk, client_message_id="p1")
    assert response.status_code == HTTPStatus.CREATED
    data = response.json()["data"]
    assert data["attachment_url"] == f"/api/attachments/{attachment.pk}/file"
    assert data["attachment_type"] == attachment.content_type
    assert data["recipient_id"] is None
    assert Message.objects.get(pk=data["id"]).attachment_id == attachment.pk
    for client in (api_client, other_client, third_client):
        download = client.get(data["attachment_url"])
        assert download.status_code == HTTPStatus.OK
        assert len(read_body(download)) == attachment.size


def test_a_member_added_after_the_message_cannot_download_it(api_client, user, group):
    attachment = AttachmentFactory(uploader=user)
    url = send(api_client, group.pk, attachment_id=attachment.pk).json()["data"]["attachment_url"]
    latecomer = UserFactory()
    services.add_members(user=user, conversation_id=group.pk, user_ids=[str(latecomer.pk)])
    assert client_for(latecomer).get(url).status_code == HTTPStatus.NOT_FOUND


def test_a_stranger_cannot_download_a_groups_file(api_client, user, group):
    attachment = AttachmentFactory(uploader=user)
    url = send(api_client, group.pk, attachment_id=attachment.pk).json()["data"]["attachment_url"]
    assert client_for(UserFactory()).get(url).status_code == HTTPStatus.NOT_FOUND


def test_a_direct_conversation_by_id_takes_an_upload_too(
    api_client, other_client, user, other_user
):
    first = services.send_message(sender=user, recipient_id=other_user.pk, text="hi").message
    attachment = AttachmentFactory(uploader=user)
    response = send(api_client, first.conversation_id, attachment_id=attachment.pk)
    assert response.status_code == HTTPStatus.CREATED
    data = response.json()["data"]
    assert data["recipient_id"] == str(other_user.pk)
    assert other_client.get(data["attachment_url"]).status_code == HTTPStatus.OK


def test_a_retry_returns_the_original_and_sends_the_upload_once(api_client, user, group):
    attachment = AttachmentFactory(uploader=user)
    first = send(api_client, group.pk, attachment_id=attachment.pk, client_message_id="r1")
    again = send(api_client, group.pk, attachment_id=attachment.pk, client_message_id="r1")
    assert (first.status_code, again.status_code) == (HTTPStatus.CREATED, HTTPStatus.OK)
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert Message.objects.filter(attachment=attachment).count() == 1


def test_an_upload_sent_once_cannot_be_sent_again(api_client, user, group):
    attachment = AttachmentFactory(uploader=user)
    assert send(api_client, group.pk, attachment_id=attachment.pk).status_code == 201
    before = Message.objects.count()
    again = send(api_client, group.pk, attachment_id=attachment.pk)
    assert again.status_code == HTTPStatus.NOT_FOUND
    assert Message.objects.count() == before


def test_another_members_upload_is_a_404_and_nothing_is_written(api_client, other_user, group):
    theirs = AttachmentFactory(uploader=other_user)
    before = Message.objects.count()
    response = send(api_client, group.pk, attachment_id=theirs.pk)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["success"] is False
    assert Message.objects.count() == before


def test_an_upload_and_a_url_together_are_refused(api_client, user, group):
    attachment = AttachmentFactory(uploader=user)
    response = send(
        api_client,
        group.pk,
        attachment_id=attachment.pk,
        attachment_url="https://example.org/a.png",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "attachment_id" in response.json()["errors"]


def test_a_member_who_left_cannot_send_their_upload(other_client, other_user, group):
    services.remove_member(user=other_user, conversation_id=group.pk, member_id=other_user.pk)
    attachment = AttachmentFactory(uploader=other_user)
    response = send(other_client, group.pk, attachment_id=attachment.pk)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Message.objects.filter(attachment=attachment).exists()


def test_the_group_page_sends_an_upload(client, user, group):
    client.force_login(user)
    attachment = AttachmentFactory(uploader=user)
    response = client.post(
        f"/messages/c/{group.pk}/send", {"message_text": "", "attachment_id": attachment.pk}
    )
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.OK)
    message = Message.objects.get(attachment=attachment)
    assert message.conversation_id == group.pk
