"""Two real server processes on one database and one Redis: what happens on one reaches
the sockets connected to the other (SPEC §1 "several server processes deliver to each
other's sockets"). Runs in the MariaDB + Redis pass of .ci/run; the SQLite pass has no
shared channel layer and skips it (see conftest.py beside this file)."""

import json
import urllib.request
from http import HTTPStatus

import pytest
from websockets.sync.client import connect

from messaging.models import Message
from messaging.payloads import message_payload

from .helpers import access_token
from .servers import start_servers

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]

WAIT = 10


@pytest.fixture
def two_servers(transactional_db):
    servers = start_servers(2)
    yield servers
    for server in servers:
        server.stop()


def call(server, method: str, path: str, member, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        server.base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Bearer {access_token(member)}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        return response.status, json.loads(response.read() or b"null")


def next_event(socket, kind: str) -> dict:
    """The next event of this kind; others on the way (presence) are passed over."""
    while True:
        event = json.loads(socket.recv(timeout=WAIT))
        if event["type"] == kind:
            return event


def socket_on(server, member):
    socket = connect(
        server.ws_url, additional_headers={"Authorization": f"Bearer {access_token(member)}"}
    )
    socket.send(json.dumps({"type": "ping"}))
    next_event(socket, "pong")
    return socket


def test_message_typing_and_read_cross_between_server_processes(two_servers, user, other_user):
    first, second = two_servers
    sender_socket = socket_on(first, user)
    recipient_socket = socket_on(second, other_user)
    try:
        # A message sent over REST to process 1 arrives on the socket held by process 2.
        status, body = call(
            first,
            "POST",
            "/api/messages/send",
            user,
            {"recipient_id": str(other_user.pk), "message_text": "across processes ✨"},
        )
        assert status == HTTPStatus.CREATED
        message = Message.objects.get(pk=body["data"]["id"])
        assert next_event(recipient_socket, "message.new") == {
            "type": "message.new",
            "message": message_payload(message),
        }

        # Typing on process 1 (REST) reaches process 2; typing on process 2 (socket)
        # reaches process 1.
        assert call(first, "POST", f"/api/messages/typing/{other_user.pk}", user)[0] == 200
        assert next_event(recipient_socket, "typing") == {
            "type": "typing",
            "user_id": str(user.pk),
            "is_typing": True,
        }
        recipient_socket.send(json.dumps({"type": "typing", "to_user_id": str(user.pk)}))
        assert next_event(sender_socket, "typing") == {
            "type": "typing",
            "user_id": str(other_user.pk),
            "is_typing": True,
        }

        # A read receipt given on process 2 reaches the sender on process 1.
        recipient_socket.send(json.dumps({"type": "read", "message_id": message.pk}))
        receipt = next_event(sender_socket, "message.read")
        message.refresh_from_db()
        assert receipt["message_ids"] == [message.pk]
        assert receipt["reader_id"] == str(other_user.pk)
        assert message.read_at is not None

        # Presence is shared too: the recipient, on process 2, sees the sender leave
        # process 1.
        sender_socket.close()
        left = next_event(recipient_socket, "presence")
        assert (left["user_id"], left["status"]) == (str(user.pk), "offline")
    finally:
        sender_socket.close()
        recipient_socket.close()
