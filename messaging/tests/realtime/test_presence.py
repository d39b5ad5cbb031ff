"""Presence over sockets: online while any socket of the member is open, away
after inactivity, offline with last_seen_at after the last socket closes,
do_not_disturb when chosen; a block hides it both ways."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.utils import timezone

from conftest import client_for
from messaging import selectors, services
from messaging.models import Presence
from messaging.payloads import conversation_status_payload, iso
from messaging.tests.factories import send

from .helpers import (
    WAIT,
    async_test,
    away_from_running_loops,
    browser_socket_for,
    next_event,
    nothing_more,
    socket_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def presence_event(socket) -> dict:
    event = await socket.receive_json_from(timeout=WAIT)
    assert event["type"] == "presence", event
    return event


async def status_seen_by(viewer, member) -> dict:
    status = await sync_to_async(selectors.conversation_status)(
        user=viewer, other_user_id=member.pk
    )
    return conversation_status_payload(status)


@async_test
async def test_two_sockets_offline_only_after_the_second_closes(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    watcher = await socket_for(other_user)

    phone = await socket_for(user)
    assert await presence_event(watcher) == {
        "type": "presence",
        "user_id": str(user.pk),
        "status": "online",
        "last_seen_at": iso((await Presence.objects.aget(user=user)).last_seen_at),
    }
    laptop = await browser_socket_for(user)
    # Already online: the second socket changes nothing anyone needs to hear.
    assert await nothing_more(watcher, skip=())

    await phone.disconnect()
    assert await nothing_more(watcher, skip=())
    assert (await status_seen_by(other_user, user))["other_user_status"] == "online"

    await laptop.disconnect()
    offline = await presence_event(watcher)
    last_seen = (await Presence.objects.aget(user=user)).last_seen_at
    assert offline == {
        "type": "presence",
        "user_id": str(user.pk),
        "status": "offline",
        "last_seen_at": iso(last_seen),
    }
    assert await status_seen_by(other_user, user) == {
        "other_user_status": "offline",
        "other_user_last_seen_at": iso(last_seen),
        "other_user_typing": False,
    }
    await watcher.disconnect()


@async_test
async def test_inbox_shows_offline_after_the_last_socket_closes(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    socket = await socket_for(user)
    inbox = await sync_to_async(selectors.list_conversations)(user=other_user, limit=10, offset=0)
    assert inbox[0][0]["other_user_status"] == "online"
    await socket.disconnect()
    inbox = await sync_to_async(selectors.list_conversations)(user=other_user, limit=10, offset=0)
    assert inbox[0][0]["other_user_status"] == "offline"


@async_test
async def test_activity_after_leaving_brings_the_member_back_online(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    socket = await socket_for(user)
    await socket.disconnect()
    assert (await status_seen_by(other_user, user))["other_user_status"] == "offline"

    # The page fell back to polling: its next request is activity again.
    response = await sync_to_async(client_for(user).get)("/api/messages/unread-count")
    assert response.status_code == HTTPStatus.OK
    assert (await status_seen_by(other_user, user))["other_user_status"] == "online"


@async_test
async def test_idle_open_socket_turns_away_and_activity_online_again(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    socket = await socket_for(user)
    watcher = await socket_for(other_user)
    # The member last did something long ago; the socket only says it is still open.
    long_ago = timezone.now() - timedelta(minutes=30)
    await Presence.objects.filter(user=user).aupdate(last_seen_at=long_ago)

    await socket.send_json_to({"type": "ping", "idle": True})
    assert await next_event(socket) == {"type": "pong"}
    assert await presence_event(watcher) == {
        "type": "presence",
        "user_id": str(user.pk),
        "status": "away",
        "last_seen_at": iso(long_ago),
    }
    assert (await status_seen_by(other_user, user))["other_user_status"] == "away"

    # Activity is written at most every ACTIVITY_WRITE_SECONDS: start a fresh window.
    await sync_to_async(cache.delete)(f"activity:{user.pk}")
    await socket.send_json_to({"type": "ping"})
    assert await next_event(socket) == {"type": "pong"}
    assert (await presence_event(watcher))["status"] == "online"
    await socket.disconnect()
    await watcher.disconnect()


@async_test
async def test_do_not_disturb_is_published_and_auto_returns_online(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    socket = await socket_for(user)
    watcher = await socket_for(other_user)

    api = client_for(user)
    response = await sync_to_async(api.put)(
        "/api/messages/presence", {"status": "do_not_disturb"}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    assert (await presence_event(watcher))["status"] == "do_not_disturb"

    await sync_to_async(api.put)("/api/messages/presence", {"status": "auto"}, format="json")
    assert (await presence_event(watcher))["status"] == "online"
    await socket.disconnect()
    await watcher.disconnect()


@async_test
async def test_blocked_members_hear_no_presence_either_way(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    await sync_to_async(services.block_user)(blocker=user, blocked_user_id=other_user.pk)

    blocker_socket = await socket_for(user)
    blocked_socket = await socket_for(other_user)
    assert await nothing_more(blocker_socket, skip=())
    assert await nothing_more(blocked_socket, skip=())
    assert (await status_seen_by(other_user, user))["other_user_status"] == "offline"

    await blocker_socket.disconnect()
    assert await nothing_more(blocked_socket, skip=())
    await blocked_socket.disconnect()


@async_test
async def test_a_new_block_shows_each_member_offline_and_not_typing(user, other_user):
    await sync_to_async(send)(user, other_user, "hi")
    blocker_socket = await socket_for(user)
    blocked_socket = await socket_for(other_user)
    await blocker_socket.receive_json_from(timeout=WAIT)  # the other came online

    await sync_to_async(services.block_user)(blocker=user, blocked_user_id=other_user.pk)

    for socket, member in ((blocked_socket, user), (blocker_socket, other_user)):
        assert await socket.receive_json_from(timeout=WAIT) == {
            "type": "typing",
            "user_id": str(member.pk),
            "is_typing": False,
        }
        assert await socket.receive_json_from(timeout=WAIT) == {
            "type": "presence",
            "user_id": str(member.pk),
            "status": "offline",
            "last_seen_at": None,
        }

    await sync_to_async(services.unblock_user)(blocker=user, blocked_user_id=other_user.pk)
    assert (await presence_event(blocked_socket))["status"] == "online"
    assert (await presence_event(blocker_socket))["status"] == "online"
    await blocker_socket.disconnect()
    await blocked_socket.disconnect()


@away_from_running_loops
def test_a_socket_whose_count_expired_still_leaves_offline(user, other_user):
    send(user, other_user, "hi")
    services.open_socket(user=user)
    cache.delete(selectors.socket_count_key(user.pk))  # expired while the socket was idle
    services.close_socket(user=user)
    assert selectors.live_presence([user.pk])[user.pk].sockets == 0
    status = selectors.conversation_status(user=other_user, other_user_id=user.pk)
    assert status["other_user_status"] == "offline"


@away_from_running_loops
def test_a_ping_counts_again_a_socket_whose_count_expired(user):
    services.open_socket(user=user)
    cache.delete(selectors.socket_count_key(user.pk))
    services.record_heartbeat(user=user)
    assert selectors.live_presence([user.pk])[user.pk].sockets == 1
