"""The upload paths' own body limit in the ASGI layer, counted while the body streams:
MAX_UPLOAD_MB there, 1 MB everywhere else."""

from http import HTTPStatus

from alumunity.middleware import AsgiBodySizeLimit

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
