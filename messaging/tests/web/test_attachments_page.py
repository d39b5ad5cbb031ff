"""Attachments on the pages: the composer's upload, a send that carries it, and the
rows that show a picture's thumbnail or a file chip."""

import json
from http import HTTPStatus

import pytest

from messaging import services
from messaging.models import Attachment, Message
from messaging.tests.factories import AttachmentFactory, UserFactory, send
from messaging.tests.files import image_bytes, pdf_bytes, upload
from messaging.tests.web.helpers import JSON, browser_for, count_queries

pytestmark = pytest.mark.django_db


def upload_from_page(client, content: bytes, name: str):
    return client.post("/messages/attachments", {"file": upload(content, name)}, **JSON)


def test_the_page_uploads_a_file_and_gets_its_description(user):
    response = upload_from_page(browser_for(user), image_bytes((960, 480)), "dune.png")
    assert response.status_code == HTTPStatus.CREATED
    attachment = Attachment.objects.get()
    assert response.json() == {
        "attachment": {
            "id": attachment.pk,
            "name": "dune.png",
            "content_type": "image/png",
            "size": attachment.size,
            "url": f"/api/attachments/{attachment.pk}/file",
            "width": 960,
            "height": 480,
            "thumbnail_url": f"/api/attachments/{attachment.pk}/thumbnail",
        }
    }


@pytest.mark.parametrize(
    ("content", "name", "status"),
    [
        (b"<html><script>alert(1)</script>", "cat.png", HTTPStatus.BAD_REQUEST),
        (b"\x89PNG\r\n\x1a\n broken", "cat.png", HTTPStatus.BAD_REQUEST),
    ],
)
def test_a_refused_upload_says_why(user, content, name, status):
    response = upload_from_page(browser_for(user), content, name)
    assert response.status_code == status
    assert response.json()["errors"]["file"]
    assert not Attachment.objects.exists()


def test_an_upload_without_a_file_is_400(user):
    response = browser_for(user).post("/messages/attachments", {}, **JSON)
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_the_upload_needs_the_csrf_token(user):
    client = browser_for(user, enforce_csrf=True)
    response = upload_from_page(client, image_bytes(), "a.png")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_upload_needs_a_member(client):
    response = upload_from_page(client, image_bytes(), "a.png")
    assert response.status_code == HTTPStatus.FOUND


def test_sending_from_the_page_carries_the_upload(user, other_user):
    client = browser_for(user)
    attachment = AttachmentFactory(uploader=user, name="dune.png")
    response = client.post(
        f"/messages/{other_user.pk}/send",
        {"message_text": "", "attachment_id": str(attachment.pk), "client_message_id": "p-1"},
        **JSON,
    )
    assert response.status_code == HTTPStatus.CREATED
    html = response.json()["html"]
    assert f'src="/api/attachments/{attachment.pk}/thumbnail"' in html
    assert f'href="/api/attachments/{attachment.pk}/file"' in html
    assert 'alt="dune.png"' in html
    assert Message.objects.get().attachment == attachment


@pytest.mark.parametrize("raw", ["abc", "-1", "99999999999999999999", "0"])
def test_a_send_with_an_unknown_upload_is_404(user, other_user, raw):
    response = browser_for(user).post(
        f"/messages/{other_user.pk}/send", {"message_text": "hi", "attachment_id": raw}, **JSON
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Message.objects.exists()


def test_the_other_member_sees_the_thumbnail_and_a_pdf_chip(user, other_user):
    picture = AttachmentFactory(uploader=user, name='"><img src=x onerror=alert(1)>.png')
    document = AttachmentFactory(uploader=user, name="plan.pdf", content=pdf_bytes())
    for attachment in (picture, document):
        services.send_message(
            sender=user, recipient_id=other_user.pk, text="", attachment_id=attachment.pk
        )
    html = browser_for(other_user).get(f"/messages/{user.pk}").content.decode()
    assert f'<img src="/api/attachments/{picture.pk}/thumbnail"' in html
    assert 'alt="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.png"' in html
    assert "<img src=x" not in html
    assert f'class="file-chip" href="/api/attachments/{document.pk}/file"' in html
    assert '<span class="file-name">plan.pdf</span>' in html


def test_a_hidden_message_shows_no_attachment(user, other_user):
    moderator = UserFactory(is_staff=True)
    attachment = AttachmentFactory(uploader=user)
    message = services.send_message(
        sender=user, recipient_id=other_user.pk, text="", attachment_id=attachment.pk
    ).message
    services.set_message_hidden(actor=moderator, message=message, hidden=True)
    html = browser_for(other_user).get(f"/messages/{user.pk}").content.decode()
    assert f"/api/attachments/{attachment.pk}/" not in html


def test_the_page_says_the_upload_limit(user, other_user, settings):
    settings.MAX_UPLOAD_MB = 7
    html = browser_for(user).get(f"/messages/{other_user.pk}").content.decode()
    assert 'data-max-mb="7"' in html and 'id="attach-file"' in html


def test_attachments_add_no_query_to_the_page(user, other_user):
    client = browser_for(user)
    send(other_user, user, "plain")
    client.get(f"/messages/{other_user.pk}")
    plain = count_queries(lambda: client.get(f"/messages/{other_user.pk}"))
    for _ in range(5):
        attachment = AttachmentFactory(uploader=other_user)
        services.send_message(
            sender=other_user, recipient_id=user.pk, text="", attachment_id=attachment.pk
        )
    client.get(f"/messages/{other_user.pk}")
    assert count_queries(lambda: client.get(f"/messages/{other_user.pk}")) == plain


def test_the_json_upload_answer_is_valid_json_for_errors_too(user, settings):
    settings.MAX_UPLOAD_MB = 0
    settings.MAX_UPLOAD_BYTES = 10
    response = upload_from_page(browser_for(user), b"more than ten bytes", "a.txt")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert json.loads(response.content)["message"] == "Files may be at most 0 MB."


def test_the_list_says_attachment_for_a_message_without_text(user, other_user):
    attachment = AttachmentFactory(uploader=other_user)
    services.send_message(
        sender=other_user, recipient_id=user.pk, text="", attachment_id=attachment.pk
    )
    html = browser_for(user).get("/messages").content.decode()
    assert '<span class="row-preview">📎 Attachment</span>' in html
