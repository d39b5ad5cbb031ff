"""Faults: the database going away and coming back, a failure in the middle of a send,
and Redis (cache and channel layer) down."""

import contextlib
import json
import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test import Client, override_settings

from conftest import client_for
from messaging import events, services
from messaging.models import Conversation, Message, Participant
from messaging.tests.factories import UserFactory, send

ROOT = Path(settings.BASE_DIR)


def assert_unavailable(response):
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE, response.content
    body = response.json()
    assert body["success"] is False and body["data"] is None
    assert "unavailable" in body["message"]
    assert body["request_id"] == response["X-Request-ID"]


class DatabaseDown:
    """Every new connection is refused the way the driver refuses it, until `up()`.
    Open connections are closed first, so the next query must reconnect."""

    def __enter__(self):
        connections.close_all()
        refused = connection.Database.OperationalError(2003, "Can't connect to server (111)")
        self._patch = mock.patch.object(
            type(connections["default"]), "get_new_connection", side_effect=refused
        )
        self._patch.start()
        return self

    def up(self):
        self._patch.stop()

    def __exit__(self, *exc):
        with contextlib.suppress(RuntimeError):  # already up
            self._patch.stop()


@pytest.mark.django_db(transaction=True)
def test_database_outage_gives_503s_and_service_resumes_without_restart(caplog):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database cannot be disconnected")
    ada, grace = UserFactory.create_batch(2)
    client = client_for(ada)
    payload = {"recipient_id": str(grace.pk), "message_text": "during the outage"}

    with DatabaseDown() as outage:
        assert_unavailable(client.get("/api/messages/inbox"))
        assert_unavailable(client.post("/api/messages/send", payload, format="json"))
        assert_unavailable(
            Client().post(
                "/api/auth/token/",
                {"email": ada.email, "password": "x"},
                content_type="application/json",
            )
        )
        outage_lines = [r.getMessage() for r in caplog.records if "unavailable" in r.getMessage()]
        assert "database unavailable: OperationalError code=2003" in outage_lines
        assert not any("Can't connect" in line for line in outage_lines)  # code, not text
        health = Client().get("/healthz")
        assert health.status_code == HTTPStatus.SERVICE_UNAVAILABLE
        assert health.json() == {"status": "unavailable"}

        outage.up()  # the database is back; the process was never restarted

        assert Client().get("/healthz").json() == {"status": "ok"}
        sent = client.post(
            "/api/messages/send", {**payload, "message_text": "after"}, format="json"
        )
        assert sent.status_code == HTTPStatus.CREATED
    assert list(Message.objects.values_list("message_text", flat=True)) == ["after"]
    assert client.get("/api/messages/inbox").json()["total"] == 1


UNREACHABLE_PROBE = """
import json
import django
django.setup()
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
token = AccessToken()
token["user_id"] = "8c1f0c32-7a4b-4c1e-9d1a-2f0c4b1e7a10"
client = Client()
results = {
    "healthz": client.get("/healthz").status_code,
    "inbox": client.get("/api/messages/inbox", HTTP_AUTHORIZATION=f"Bearer {token}"),
    "login": client.post("/api/auth/token/", {"email": "a@example.org", "password": "x"},
                         content_type="application/json"),
}
print(json.dumps({
    name: value if isinstance(value, int) else [value.status_code, value.json()]
    for name, value in results.items()
}))
"""


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("mysql://root@127.0.0.1:1/alumunity", id="mariadb-closed-port"),
        pytest.param("sqlite:////nonexistent-directory/db.sqlite3", id="sqlite-unopenable"),
    ],
)
def test_a_server_started_without_its_database_answers_503(database_url):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "alumunity.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "x" * 64,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "REDIS_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", UNREACHABLE_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["healthz"] == HTTPStatus.SERVICE_UNAVAILABLE
    for name in ("inbox", "login"):
        status, body = probe[name]
        assert status == HTTPStatus.SERVICE_UNAVAILABLE, probe
        assert body["success"] is False and body["request_id"]


# --- a failure in the middle of a send ---------------------------------------------------------


def _counters(conversation_id):
    """The conversation's count and last message, and every member's row as stored."""
    conversation = Conversation.objects.get(pk=conversation_id)
    return {
        "message_count": conversation.message_count,
        "last_message_id": conversation.last_message_id,
        "participants": list(
            Participant.objects.filter(conversation_id=conversation_id).order_by("pk").values()
        ),
    }


def _fail_after_insert(sender, instance, created, **kwargs):
    if created:
        raise RuntimeError("disk full, right after the insert")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["after-insert", "after-counters"])
def test_a_failure_mid_send_leaves_nothing_half_written(where):
    ada, grace = UserFactory.create_batch(2)
    first = send(grace, ada, "before")
    before = _counters(first.conversation_id)
    client = client_for(grace)

    if where == "after-insert":
        post_save.connect(_fail_after_insert, sender=Message, dispatch_uid="fail-mid-send")
        failure = contextlib.nullcontext()
    else:
        failure = mock.patch.object(events, "message_new", side_effect=RuntimeError("late"))
    try:
        with failure:
            response = client.post(
                "/api/messages/send",
                {"recipient_id": str(ada.pk), "message_text": "half", "client_message_id": "c1"},
                format="json",
            )
    finally:
        post_save.disconnect(sender=Message, dispatch_uid="fail-mid-send")

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response.json()["success"] is False
    assert list(Message.objects.values_list("message_text", flat=True)) == ["before"]
    assert _counters(first.conversation_id) == before
    # The same client_message_id is free: the retry sends the message for real.
    retry = client.post(
        "/api/messages/send",
        {"recipient_id": str(ada.pk), "message_text": "half", "client_message_id": "c1"},
        format="json",
    )
    assert retry.status_code == HTTPStatus.CREATED
    after = _counters(first.conversation_id)
    assert after["message_count"] == before["message_count"] + 1
    assert after["last_message_id"] == retry.json()["data"]["id"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_first_message_leaves_no_conversation_behind():
    ada, grace = UserFactory.create_batch(2)
    post_save.connect(_fail_after_insert, sender=Message, dispatch_uid="fail-first")
    try:
        with pytest.raises(RuntimeError):
            services.send_message(sender=ada, recipient_id=grace.pk, text="hello")
    finally:
        post_save.disconnect(sender=Message, dispatch_uid="fail-first")
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


# --- Redis down --------------------------------------------------------------------------------


class BrokenLayer:
    async def group_send(self, group, message):
        raise ConnectionError("Redis is down")


@pytest.mark.django_db(transaction=True)
def test_sends_are_saved_when_the_channel_layer_raises(caplog):
    ada, grace = UserFactory.create_batch(2)
    with mock.patch.object(events, "get_channel_layer", return_value=BrokenLayer()):
        response = client_for(ada).post(
            "/api/messages/send",
            {"recipient_id": str(grace.pk), "message_text": "still here"},
            format="json",
        )
    assert response.status_code == HTTPStatus.CREATED
    assert Message.objects.get().message_text == "still here"
    assert client_for(grace).get("/api/messages/unread-count").json()["data"] == {"unread_count": 1}
    assert any("could not publish" in record.getMessage() for record in caplog.records)


DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db(transaction=True)
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "alumunity.cache.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    },
    CHANNEL_LAYERS={
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [DEAD_REDIS]},
        }
    },
)
def test_with_redis_unreachable_members_still_send_read_and_poll():
    """Cache and channel layer both point at a port nobody listens on."""
    ada, grace = UserFactory.create_batch(2)
    ada_client, grace_client = client_for(ada), client_for(grace)
    sent = ada_client.post(
        "/api/messages/send",
        {"recipient_id": str(grace.pk), "message_text": "through the outage"},
        format="json",
    )
    assert sent.status_code == HTTPStatus.CREATED, sent.content
    assert ada_client.post(f"/api/messages/typing/{grace.pk}").status_code == HTTPStatus.OK
    status = grace_client.get(f"/api/messages/conversation/{ada.pk}/status")
    assert status.status_code == HTTPStatus.OK
    # Polling: the inbox and the history show the message, and reading it works.
    inbox = grace_client.get("/api/messages/inbox").json()
    assert inbox["data"][0]["unread_count"] == 1
    history = grace_client.get(f"/api/messages/conversation/{ada.pk}").json()
    assert [m["message_text"] for m in history["data"]] == ["through the outage"]
    assert grace_client.get("/api/messages/unread-count").json()["data"]["unread_count"] == 0
    assert Message.objects.get().read_at is not None
