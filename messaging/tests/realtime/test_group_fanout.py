"""A group's events over the Redis pub/sub layer, sent as the server sends them: from the
HTTP request, on the loop after it (one command for all the members' groups,
alumunity.fanout). Every socket of every member hears each event once, in the order the
writes committed."""

import asyncio
import json
from http import HTTPStatus

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings

from alumunity.asgi import application
from alumunity.tests.test_wsgi_bridge import call, scope
from messaging import services
from messaging.tests.factories import UserFactory

from .helpers import access_token, async_test, bearer, next_event, nothing_more, socket_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the Redis layer)"),
]


async def _request(member, method: str, path: str, body: dict | None = None) -> dict:
    """Through the served application, as a mobile app's request reaches the server: in
    a task of its own, as the server runs each request, so what the request leaves in its
    context (the work for the loop) stays with it."""
    headers = [bearer(access_token(member)), (b"content-type", b"application/json")]
    status, _headers, answer = await asyncio.create_task(
        call(
            application,
            scope(method, path, headers=headers),
            [json.dumps(body).encode() if body is not None else b""],
        )
    )
    assert status in (HTTPStatus.OK, HTTPStatus.CREATED), answer
    return json.loads(answer)["data"]


@async_test
async def test_every_members_sockets_hear_a_group_message_once_then_the_next_event(
    user, other_user, third_user
):
    assert isinstance(get_channel_layer(), RedisPubSubChannelLayer)
    offline = await sync_to_async(UserFactory)()
    group = await sync_to_async(services.create_group)(
        creator=user, member_ids=[other_user.pk, third_user.pk, offline.pk], title="Reunion"
    )
    sockets = [await socket_for(member) for member in (user, other_user, other_user, third_user)]
    for socket in sockets:
        while not await nothing_more(socket):
            pass  # past the events of setting the group up

    sent = await _request(
        other_user, "POST", f"/api/conversations/{group.pk}/messages", {"message_text": "hi all"}
    )
    await _request(third_user, "PUT", f"/api/messages/{sent['id']}/reactions/👍")

    for socket in sockets:
        heard = [await next_event(socket), await next_event(socket)]
        assert [event["type"] for event in heard] == ["message.new", "reaction"]
        assert heard[0]["message"]["id"] == sent["id"]
        assert heard[0]["message"]["message_text"] == "hi all"
        assert heard[1]["message_id"] == sent["id"]
        assert heard[1]["emoji"] == "👍"
        assert await nothing_more(socket)
    for socket in sockets:
        await socket.disconnect()
