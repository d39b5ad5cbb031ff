"""Staff open a message's upload from its admin page, even once the message is hidden
(when members no longer may); nobody else reaches that door."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from messaging import services
from messaging.tests.factories import AttachmentFactory
from messaging.tests.files import pdf_bytes

from .helpers import change_url

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def picture_message(user, other_user):
    attachment = AttachmentFactory(uploader=user)
    return services.send_message(
        sender=user, recipient_id=other_user.pk, text="look", attachment_id=attachment.pk
    ).message


def test_the_change_page_shows_the_picture_and_links_the_file(staff_client, picture_message):
    page = staff_client.get(change_url(picture_message)).content.decode()
    file_url = reverse("admin:messaging_message_file", args=[picture_message.pk])
    thumbnail_url = reverse("admin:messaging_message_thumbnail", args=[picture_message.pk])
    assert f'href="{file_url}"' in page
    assert f'src="{thumbnail_url}"' in page


def test_staff_download_a_hidden_messages_file(staff_client, picture_message, superuser):
    services.set_message_hidden(
        actor=superuser, message=picture_message, hidden=True, reason="spam"
    )
    for name, magic in (("file", b"\x89PNG"), ("thumbnail", b"\xff\xd8\xff")):
        response = staff_client.get(
            reverse(f"admin:messaging_message_{name}", args=[picture_message.pk])
        )
        assert response.status_code == HTTPStatus.OK
        assert response["X-Content-Type-Options"] == "nosniff"
        assert body(response).startswith(magic)


def test_a_pdf_is_a_link_with_its_name_and_is_saved_not_shown(staff_client, user, other_user):
    attachment = AttachmentFactory(uploader=user, name="minutes.pdf", content=pdf_bytes())
    message = services.send_message(
        sender=user, recipient_id=other_user.pk, text="", attachment_id=attachment.pk
    ).message
    page = staff_client.get(change_url(message)).content.decode()
    assert "minutes.pdf" in page
    response = staff_client.get(reverse("admin:messaging_message_file", args=[message.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert reverse("admin:messaging_message_thumbnail", args=[message.pk]) not in page


def test_a_message_without_an_upload_has_no_file(staff_client, user, other_user):
    message = services.send_message(sender=user, recipient_id=other_user.pk, text="hi").message
    response = staff_client.get(reverse("admin:messaging_message_file", args=[message.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_members_and_visitors_never_reach_it(member_client, client, picture_message):
    url = reverse("admin:messaging_message_file", args=[picture_message.pk])
    assert member_client.get(url).status_code == HTTPStatus.FOUND  # to the admin login
    assert client.get(url).status_code == HTTPStatus.FOUND
