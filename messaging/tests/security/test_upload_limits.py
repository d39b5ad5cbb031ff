"""The upload paths' own body limit in the ASGI layer, counted while the body streams:
MAX_UPLOAD_MB there, 1 MB everywhere else."""

from http import HTTPStatus

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from alumunity.middleware import AsgiBodySizeLimit
from messaging.models import Attachment
from messaging.tests.factories import UserFactory

from .test_resources import _asgi_post, _chunked

MB = 1024 * 1024


async def _drain(scope, receive, send):
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send(
        {"type": "http.response.start", "status": 204, "headers": [(b"x-size", b"%d" % size)]}
    )
    await send({"type": "http.response.body", "body": b""})


def test_an_upload_path_takes_more_than_one_megabyte():
    start, _body, _pulled = _asgi_post(
        AsgiBodySizeLimit(_drain), _chunked(3 * MB), [], path="/api/attachments"
    )
    assert start["status"] == HTTPStatus.NO_CONTENT
    assert dict(start["headers"])[b"x-size"] == b"%d" % (3 * MB)


def test_an_upload_over_its_limit_is_refused_while_it_streams():
    messages = _chunked(30 * MB)
    for path in ("/api/attachments", "/messages/attachments"):
        start, body, pulled = _asgi_post(
            AsgiBodySizeLimit(_drain), messages, [(b"transfer-encoding", b"chunked")], path=path
        )
        assert start["status"] == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        assert b"Files may be at most 10 MB." in body
        # MAX_UPLOAD_MB plus 64 KB of multipart framing: 161 chunks of 64 KB, then over.
        assert pulled == 162 < len(messages)


def test_other_paths_keep_one_megabyte():
    start, _body, _pulled = _asgi_post(
        AsgiBodySizeLimit(_drain), _chunked(3 * MB), [], path="/api/attachments/1/file"
    )
    assert start["status"] == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


def test_a_declared_upload_over_the_limit_is_refused_before_reading():
    start, _body, pulled = _asgi_post(
        AsgiBodySizeLimit(_drain),
        _chunked(11 * MB),
        [(b"content-length", str(11 * MB).encode())],
        path="/api/attachments",
    )
    assert start["status"] == HTTPStatus.REQUEST_ENTITY_TOO_LARGE and pulled == 0


def _multipart(content: bytes, name: str) -> tuple[bytes, bytes]:
    boundary = b"----upload-boundary-7d1f"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + name.encode() + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
        b"--" + boundary + b"--\r\n"
    )
    return body, b"multipart/form-data; boundary=" + boundary


@pytest.mark.django_db(transaction=True)
def test_the_served_application_takes_a_three_megabyte_upload_and_serves_it():
    """Through the whole served stack (body limit, concurrency limit, Django's handler
    on its thread pool): a file over 1 MB is taken on the upload path, then downloaded."""
    from alumunity.asgi import application

    member = UserFactory()
    token = str(RefreshToken.for_user(member).access_token).encode()
    content = b"a line of the minutes\n" * 150_000  # 3.3 MB of text
    body, content_type = _multipart(content, "minutes.txt")
    chunks = [
        {"type": "http.request", "body": body[at : at + 64 * 1024], "more_body": True}
        for at in range(0, len(body), 64 * 1024)
    ]
    chunks[-1]["more_body"] = False
    headers = [(b"authorization", b"Bearer " + token), (b"content-type", content_type)]
    start, answer, _pulled = _asgi_post(application, chunks, headers, path="/api/attachments")
    assert start["status"] == HTTPStatus.CREATED, answer
    attachment = Attachment.objects.get()
    assert (attachment.content_type, attachment.size) == ("text/plain", len(content))
    download = Client(HTTP_AUTHORIZATION="Bearer " + token.decode())
    response = download.get(f"/api/attachments/{attachment.pk}/file")
    assert b"".join(response.streaming_content) == content
