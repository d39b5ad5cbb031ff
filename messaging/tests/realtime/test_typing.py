"""Typing expires by itself: the watcher is told `is_typing: false` after
TYPING_SECONDS unless the typist goes on, and at once when the typist's message lands."""

import pytest
from asgiref.sync import sync_to_async

from messaging import selectors
from messaging.tests.factories import send

from .helpers import async_test, next_event, nothing_more, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def short_typing(settings):
    settings.MESSAGING = {**settings.MESSAGING, "TYPING_SECONDS": 0.2}


def typing(member, is_typing: bool) -> dict:
    return {"type": "typing", "user_id": str(member.pk), "is_typing": is_typing}


@async_test
async def test_typing_expires_by_itself(user, other_user, short_typing):
    typist = await socket_for(user)
    watcher = await socket_for(other_user)

    await typist.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    assert await next_event(watcher) == typing(user, True)
    assert await next_event(watcher) == typing(user, False)
    assert await nothing_more(watcher)
    await typist.disconnect()
    await watcher.disconnect()


@async_test
async def test_typing_again_keeps_the_indicator_until_the_last_expires(
    user, other_user, short_typing
):
    typist = await socket_for(user)
    watcher = await socket_for(other_user)

    await typist.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    await typist.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    assert await next_event(watcher) == typing(user, True)
    assert await next_event(watcher) == typing(user, True)
    # One expiry for the two: the first was replaced by the second.
    assert await next_event(watcher) == typing(user, False)
    assert await nothing_more(watcher)
    await typist.disconnect()
    await watcher.disconnect()


@async_test
async def test_the_typists_message_ends_the_indicator(user, other_user):
    typist = await socket_for(user)
    watcher = await socket_for(other_user)

    await typist.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    assert await next_event(watcher) == typing(user, True)
    await sync_to_async(send)(user, other_user, "done typing")
    assert (await next_event(watcher))["type"] == "message.new"
    assert await next_event(watcher) == typing(user, False)
    await typist.disconnect()
    await watcher.disconnect()


@async_test
async def test_after_the_typists_message_the_status_says_not_typing(user, other_user):
    typist = await socket_for(user)

    await typist.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    await typist.send_json_to({"type": "ping"})
    assert (await next_event(typist))["type"] == "pong"  # the typing frame was handled
    assert await sync_to_async(typing_status)(other_user, user) is True
    await sync_to_async(send)(user, other_user, "done typing")
    assert await sync_to_async(typing_status)(other_user, user) is False
    await typist.disconnect()


def typing_status(viewer, other) -> bool:
    status = selectors.conversation_status(user=viewer, other_user_id=other.pk)
    return status["other_user_typing"]
