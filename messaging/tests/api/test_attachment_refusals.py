"""Bad uploads and bad sends: a clear 4xx, never a 500, and nothing stored."""

from http import HTTPStatus

import pytest

from messaging.models import Attachment, Message
from messaging.tests.factories import AttachmentFactory
from messaging.tests.files import bomb_png, image_bytes, pdf_bytes, upload
from messaging.tests.web.helpers import JSON, browser_for

from .test_attachments import post_file, stored_files

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"<!DOCTYPE html><script>alert(1)</script>", "cat.png", "Only PNG"),
        (b"  <html><body onload=alert(1)>", "cat.png", "Only PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "logo.svg", "Only PNG"),
        (b"<script>alert(1)</script>", "notes.txt", "Only PNG"),
        # Plain text is fine, but not under an image's name.
        (b"#!/bin/sh\nrm -rf /\n", "cat.png", "its content is text/plain"),
        (pdf_bytes(), "cat.png", "its content is application/pdf"),
        (image_bytes(), "report.pdf", "its content is image/png"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", "Only PNG"),
        (b"PK\x03\x04" + b"\x00" * 40, "archive.zip", "Only PNG"),
        (b"caf\xe9 latin-1 text", "old.txt", "Only PNG"),
        (b"text with a \x00 NUL", "notes.txt", "Only PNG"),
        (PNG_SIGNATURE + b"\x00\x00\x00\rIHDR garbage", "broken.png", "damaged"),
        (image_bytes(image_format="JPEG")[:300], "cut.jpg", "damaged"),
        (bomb_png(), "bomb.png", "too large to open"),
        (b"", "empty.txt", "empty"),
    ],
)
def test_refused_files_are_400_and_leave_nothing(api_client, content, name, reason):
    response = post_file(api_client, content, name)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["success"] is False and reason in body["errors"]["file"][0]
    assert not Attachment.objects.exists()
    assert stored_files() == set()


def test_a_bomb_under_the_size_limit_is_refused(api_client, settings):
    settings.MAX_IMAGE_PIXELS = 1_000_000
    # 1,200 x 1,200 is over the limit by less than twice, where Pillow only warns.
    response = post_file(api_client, image_bytes((1200, 1200)), "wide.png")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "too large to open" in response.json()["errors"]["file"][0]


def test_over_the_size_limit_is_413_and_nothing_is_stored(api_client, settings):
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    settings.UPLOAD_BODY_BYTES = 1024 * 1024 + 64 * 1024
    response = post_file(api_client, b"a" * (1024 * 1024 + 1), "big.txt")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["message"] == "Files may be at most 1 MB."
    assert not Attachment.objects.exists()
    assert stored_files() == set()


def test_the_upload_limit_is_larger_than_other_bodies(api_client):
    # 2 MB: over the 1 MB of every other path, under MAX_UPLOAD_MB.
    response = post_file(api_client, b"line of text\n" * 160_000, "long.txt")
    assert response.status_code == HTTPStatus.CREATED
    other = api_client.post(
        "/api/messages/report",
        b'{"reason": "' + b"x" * (1024 * 1024) + b'"}',
        content_type="application/json",
    )
    assert other.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


@pytest.mark.parametrize(
    "body",
    [{}, {"file": "not a file"}, {"file": upload(b"hi", "a.txt"), "extra": "field"}],
)
def test_a_malformed_upload_is_400(api_client, body):
    response = api_client.post("/api/attachments", body, format="multipart")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Attachment.objects.exists()


def test_a_json_body_is_refused_with_415(api_client):
    response = api_client.post("/api/attachments", {"file": "x"}, format="json")
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE


def test_a_failure_after_the_file_is_written_removes_it(api_client, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Attachment.objects, "create", fail)
    api_client.raise_request_exception = False
    response = post_file(api_client, image_bytes(), "view.png")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert stored_files() == set()


def send_upload(client, recipient, attachment_id, **extra):
    return client.post(
        "/api/messages/send",
        {"recipient_id": str(recipient.pk), "attachment_id": attachment_id, **extra},
        format="json",
    )


def test_sending_another_members_upload_is_404(api_client, other_user, third_user):
    theirs = AttachmentFactory(uploader=third_user)
    response = send_upload(api_client, other_user, theirs.pk)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["message"] == "Attachment not found."
    assert not Message.objects.exists()


def test_an_upload_is_sent_once(api_client, user, other_user, third_user):
    mine = AttachmentFactory(uploader=user)
    assert send_upload(api_client, other_user, mine.pk).status_code == HTTPStatus.CREATED
    again = send_upload(api_client, third_user, mine.pk)
    assert again.status_code == HTTPStatus.NOT_FOUND
    assert Message.objects.count() == 1


def test_a_retry_of_a_send_with_an_upload_returns_the_original(api_client, user, other_user):
    mine = AttachmentFactory(uploader=user)
    first = send_upload(api_client, other_user, mine.pk, client_message_id="c-1")
    retry = send_upload(api_client, other_user, mine.pk, client_message_id="c-1")
    assert (first.status_code, retry.status_code) == (HTTPStatus.CREATED, HTTPStatus.OK)
    assert retry.json()["data"] == first.json()["data"]


@pytest.mark.parametrize(
    "extra",
    [
        {"attachment_url": "https://example.org/x.png"},
        {"attachment_type": "image/png"},
    ],
)
def test_an_upload_and_a_url_together_are_400(api_client, user, other_user, extra):
    mine = AttachmentFactory(uploader=user)
    response = send_upload(api_client, other_user, mine.pk, **extra)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "attachment_id" in response.json()["errors"]


@pytest.mark.parametrize("attachment_id", ["12", 1.5, True, 0, -3, [1], {"id": 1}])
def test_a_malformed_attachment_id_is_400(api_client, other_user, attachment_id):
    response = send_upload(api_client, other_user, attachment_id)
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_a_missing_upload_is_404(api_client, other_user):
    assert send_upload(api_client, other_user, 999_999).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("path", ["file", "thumbnail"])
def test_downloading_a_missing_or_unknown_file_is_404(api_client, path):
    response = api_client.get(f"/api/attachments/999999/{path}")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["success"] is False


def test_uploads_are_limited_per_member_on_the_api_and_the_pages_together(
    api_client, user, settings
):
    settings.UPLOAD_RATE = "2/min"
    assert post_file(api_client, pdf_bytes(), "1.pdf").status_code == HTTPStatus.CREATED
    page = browser_for(user)
    from_page = page.post("/messages/attachments", {"file": upload(pdf_bytes(), "2.pdf")}, **JSON)
    assert from_page.status_code == HTTPStatus.CREATED
    refused = post_file(api_client, pdf_bytes(), "3.pdf")
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(refused["Retry-After"]) >= 1
    from_page = page.post("/messages/attachments", {"file": upload(pdf_bytes(), "4.pdf")}, **JSON)
    assert from_page.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert Attachment.objects.count() == 2
