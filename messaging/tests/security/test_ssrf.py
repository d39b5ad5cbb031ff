"""OWASP API7: server side request forgery. An attachment URL is data the server stores
and returns; it never fetches it, whatever it points at."""

import socket
from http import HTTPStatus
from unittest import mock

import pytest

INTERNAL_TARGETS = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://127.0.0.1:6379/",
    "http://localhost:3306/",
    "https://internal.example.org/admin",
]


@pytest.mark.parametrize("url", INTERNAL_TARGETS)
def test_sending_an_attachment_url_never_opens_a_connection_to_it(api_client, other_user, url):
    opened = []
    real_connect = socket.socket.connect

    def recording_connect(self, address):
        opened.append(address)
        return real_connect(self, address)

    with mock.patch.object(socket.socket, "connect", recording_connect):
        response = api_client.post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": "see", "attachment_url": url},
            format="json",
        )
        history = api_client.get(f"/api/messages/conversation/{other_user.pk}")
    assert response.status_code == HTTPStatus.CREATED
    assert history.json()["data"][-1]["attachment_url"] == url  # stored and returned as is
    targets = {"169.254.169.254", "internal.example.org"}
    assert not [address for address in opened if address[0] in targets]
    assert not [address for address in opened if address[1:2] in ((80,), (443,))]


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://127.0.0.1:25/", "ftp://example.org/x", "//evil"]
)
def test_only_http_and_https_attachment_urls_are_accepted(api_client, other_user, url):
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "see", "attachment_url": url},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "attachment_url" in response.json()["errors"]
