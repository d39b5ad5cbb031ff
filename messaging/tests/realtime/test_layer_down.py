"""With Redis down (channel layer and cache), writes still succeed and are saved; the
failed publish is logged, and clients catch up by polling."""

import logging
import socket
from http import HTTPStatus

import pytest
from channels.layers import channel_layers
from django.core.cache import cache

from conftest import client_for
from messaging.models import Message

from .helpers import away_from_running_loops

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """The Redis settings of production (channel layer and cache), at an address where
    nothing answers."""
    dead_redis = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [dead_redis]},
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "alumunity.cache.ResilientRedisCache",
            "LOCATION": dead_redis,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@away_from_running_loops
def test_send_succeeds_and_is_saved_when_redis_is_down(user, other_user, redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="messaging.events"):
        response = client_for(user).post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": "still delivered"},
            format="json",
        )
    assert response.status_code == HTTPStatus.CREATED
    assert Message.objects.filter(pk=response.json()["data"]["id"]).exists()
    assert [r.getMessage() for r in caplog.records if r.name == "messaging.events"] == [
        "could not publish message.new to a member group",
        "could not publish message.new to a member group",
    ]

    # The recipient's page, polling, sees the message.
    polled = client_for(other_user).get(f"/api/messages/conversation/{user.pk}")
    assert [m["message_text"] for m in polled.json()["data"]] == ["still delivered"]


@away_from_running_loops
def test_typing_read_and_status_succeed_when_redis_is_down(user, other_user, redis_down):
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
    status = client_for(user).get(f"/api/messages/conversation/{other_user.pk}/status")
    assert status.status_code == HTTPStatus.OK
    assert status.json()["data"]["other_user_status"] == "online"


def test_the_cache_answers_as_an_empty_one_while_redis_is_down(redis_down):
    assert cache.get("anything", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("marker", 1) is True
    assert cache.incr("counter") == 1
    assert cache.decr("counter") == 0
    assert cache.touch("counter") is False
    assert cache.set("key", 1) is None
    assert cache.delete("key") is False
