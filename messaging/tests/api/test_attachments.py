"""POST /api/attachments, sending with attachment_id, and the download paths."""

import io
from http import HTTPStatus

import pytest
from django.core.files.storage import storages
from PIL import Image

from messaging.models import Attachment, Message
from messaging.tests.factories import AttachmentFactory
from messaging.tests.files import (
    GPS_IFD,
    MAKE,
    ORIENTATION,
    animated_gif,
    image_bytes,
    pdf_bytes,
    photo_with_exif,
    upload,
)

from .helpers import expected_message

pytestmark = pytest.mark.django_db


def post_file(client, content: bytes, name: str, content_type="application/octet-stream"):
    return client.post(
        "/api/attachments", {"file": upload(content, name, content_type)}, format="multipart"
    )


def stored_files() -> set[str]:
    storage = storages["default"]
    found = set()
    folders = ["attachments"]
    while folders:
        folder = folders.pop()
        if not storage.exists(folder):
            continue
        subfolders, files = storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        found |= {f"{folder}/{name}" for name in files}
    return found


def read_body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_uploading_a_picture_returns_its_description(api_client):
    response = post_file(api_client, image_bytes((640, 320)), "holiday.png", "image/png")
    assert response.status_code == HTTPStatus.CREATED
    attachment = Attachment.objects.get()
    assert response.json() == {
        "success": True,
        "data": {
            "id": attachment.pk,
            "name": "holiday.png",
            "content_type": "image/png",
            "size": attachment.size,
            "url": f"/api/attachments/{attachment.pk}/file",
            "width": 640,
            "height": 320,
            "thumbnail_url": f"/api/attachments/{attachment.pk}/thumbnail",
        },
        "message": "File uploaded.",
    }
    assert stored_files() == {attachment.storage_name, attachment.thumbnail_name}


@pytest.mark.parametrize(
    ("content", "name", "declared", "sniffed"),
    [
        (image_bytes(image_format="JPEG"), "a.jpg", "image/jpeg", "image/jpeg"),
        (image_bytes(image_format="GIF"), "a.gif", "image/gif", "image/gif"),
        (image_bytes(image_format="WEBP"), "a.webp", "image/webp", "image/webp"),
        (pdf_bytes(), "minutes.pdf", "application/pdf", "application/pdf"),
        ("Menu: soupe à l'oignon 🍲\n".encode(), "menu.txt", "text/plain", "text/plain"),
        # The type comes from the bytes: a wrong header or no extension changes nothing.
        (image_bytes(), "scan", "application/pdf", "image/png"),
        (pdf_bytes(), "report", "image/png", "application/pdf"),
    ],
)
def test_the_type_is_read_from_the_content(api_client, content, name, declared, sniffed):
    response = post_file(api_client, content, name, declared)
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["data"]["content_type"] == sniffed


def test_a_photo_loses_its_exif_and_is_turned_upright(api_client):
    response = post_file(api_client, photo_with_exif((800, 400)), "IMG_0001.jpg")
    data = response.json()["data"]
    # Orientation 6 means the pixels are sideways: shown upright, 800 x 400 is 400 x 800.
    assert (data["width"], data["height"]) == (400, 800)
    stored = Image.open(io.BytesIO(read_body(api_client.get(data["url"]))))
    assert stored.size == (400, 800)
    exif = stored.getexif()
    assert ORIENTATION not in exif and MAKE not in exif and GPS_IFD not in exif
    assert "exif" not in stored.info


@pytest.mark.parametrize(
    ("size", "thumbnail_size"),
    [((1920, 1080), (480, 270)), ((300, 1200), (120, 480)), ((200, 100), (200, 100))],
)
def test_the_thumbnail_has_a_longest_side_of_480(api_client, size, thumbnail_size):
    data = post_file(api_client, image_bytes(size), "big.png").json()["data"]
    thumbnail = api_client.get(data["thumbnail_url"])
    assert thumbnail.status_code == HTTPStatus.OK
    assert Image.open(io.BytesIO(read_body(thumbnail))).size == thumbnail_size


def test_an_animated_gif_stays_animated(api_client):
    data = post_file(api_client, animated_gif(frames=3), "wave.gif").json()["data"]
    stored = Image.open(io.BytesIO(read_body(api_client.get(data["url"]))))
    assert stored.n_frames == 3


def test_pdf_and_text_have_no_thumbnail_and_no_size_in_pixels(api_client):
    data = post_file(api_client, pdf_bytes(), "minutes.pdf").json()["data"]
    assert (data["width"], data["height"], data["thumbnail_url"]) == (None, None, None)
    assert api_client.get(f"/api/attachments/{data['id']}/thumbnail").status_code == 404


def test_sending_an_upload_makes_its_download_url_the_attachment(api_client, other_user):
    attachment_id = post_file(api_client, pdf_bytes(), "minutes.pdf").json()["data"]["id"]
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "", "attachment_id": attachment_id},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED
    message = Message.objects.get()
    assert response.json()["data"] == expected_message(message)
    assert response.json()["data"]["attachment_url"] == f"/api/attachments/{attachment_id}/file"
    assert response.json()["data"]["attachment_type"] == "application/pdf"
    assert message.attachment_id == attachment_id


def test_a_url_attachment_still_works_as_in_version_1(api_client, other_user):
    response = api_client.post(
        "/api/messages/send",
        {
            "recipient_id": str(other_user.pk),
            "message_text": "see this",
            "attachment_url": "https://example.org/cat.png",
            "attachment_type": "image/png",
        },
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["data"]["attachment_url"] == "https://example.org/cat.png"


def test_a_picture_and_a_pdf_reach_the_other_member(api_client, other_client, other_user):
    picture = post_file(api_client, image_bytes((900, 600)), "view.png").json()["data"]
    document = post_file(api_client, pdf_bytes(), "plan.pdf").json()["data"]
    for upload_data in (picture, document):
        api_client.post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "attachment_id": upload_data["id"]},
            format="json",
        )
    image_response = other_client.get(picture["url"])
    assert image_response.status_code == HTTPStatus.OK
    assert image_response["Content-Type"] == "image/png"
    assert image_response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in image_response["Content-Security-Policy"]
    assert image_response["Content-Disposition"].startswith("inline")
    assert Image.open(io.BytesIO(read_body(image_response))).size == (900, 600)
    pdf_response = other_client.get(document["url"])
    assert pdf_response["Content-Type"] == "application/pdf"
    assert pdf_response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert pdf_response["X-Content-Type-Options"] == "nosniff"
    assert read_body(pdf_response) == pdf_bytes()


def test_text_is_served_as_utf8_and_as_a_download(api_client):
    data = post_file(api_client, "héllo\n".encode(), "note.txt").json()["data"]
    response = api_client.get(data["url"])
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_browser_session_downloads_too(client, user):
    attachment = AttachmentFactory(uploader=user)
    client.force_login(user)
    response = client.get(f"/api/attachments/{attachment.pk}/file", HTTP_ACCEPT="image/avif")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/png"


def test_downloads_need_a_member(anon_client, user):
    attachment = AttachmentFactory(uploader=user)
    response = anon_client.get(f"/api/attachments/{attachment.pk}/file")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
