"""With the channel layer's Redis down, writes still succeed and are saved; the failed
publish is logged, and clients catch up by polling (SPEC §4, issue: "polling still works
with Redis stopped")."""

import logging
import socket
from http import HTTPStatus

import pytest
from channels.layers import channel_layers

from conftest import client_for
from messaging.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{closed_port()}/0"]},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_send_succeeds_and_is_saved_when_redis_is_down(user, other_user, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="messaging.events"):
        response = client_for(user).post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": "still delivered"},
            format="json",
        )
    assert response.status_code == HTTPStatus.CREATED
    assert Message.objects.filter(pk=response.json()["data"]["id"]).exists()
    assert [record.getMessage() for record in caplog.records] == [
        "could not publish message.new to a member group",
        "could not publish message.new to a member group",
    ]

    # The recipient's page, polling, sees the message.
    polled = client_for(other_user).get(f"/api/messages/conversation/{user.pk}")
    assert [m["message_text"] for m in polled.json()["data"]] == ["still delivered"]


def test_typing_and_read_succeed_when_redis_is_down(user, other_user, redis_down):
    sent = client_for(user).post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "read me"},
        format="json",
    )
    reader = client_for(other_user)
    assert reader.post(f"/api/messages/typing/{user.pk}").status_code == HTTPStatus.OK
    read = reader.put(f"/api/messages/mark-as-read/{sent.json()['data']['id']}")
    assert read.status_code == HTTPStatus.OK
    assert Message.objects.get(pk=sent.json()["data"]["id"]).read_at is not None
