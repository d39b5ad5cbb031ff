"""Two real server processes on one database and one Redis: what happens on one reaches
the sockets connected to the other (several server processes deliver to each other's
sockets). Runs in the MariaDB + Redis pass of .ci/run; the SQLite pass has no shared
channel layer and skips it (see conftest.py beside this file)."""

import json
from http import HTTPStatus

import pytest

from messaging.models import Message
from messaging.payloads import message_payload

from .helpers import access_token
from .servers import call, next_event, socket_on, start_servers

pytestmark = [pytest.mark.servers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_servers(transactional_db):
    servers = start_servers(2)
    yield servers
    for server in servers:
        server.stop()


def test_message_typing_and_read_cross_between_server_processes(two_servers, user, other_user):
    first, second = two_servers
    sender_socket = socket_on(first, access_token(user))
    recipient_socket = socket_on(second, access_token(other_user))
    try:
        # A message sent over REST to process 1 arrives on the socket held by process 2.
        status, body = call(
            first,
            "POST",
            "/api/messages/send",
            access_token(user),
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
        assert (
            call(first, "POST", f"/api/messages/typing/{other_user.pk}", access_token(user))[0]
            == 200
        )
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
