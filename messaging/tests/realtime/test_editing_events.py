"""message.edited, message.deleted and reaction (SPEC §9.3): after commit, with exactly
their documented shapes, to every participant who sees the message and nobody else, in
direct conversations and in groups."""

from http import HTTPStatus
from urllib.parse import quote

import pytest
from asgiref.sync import sync_to_async

from conftest import client_for
from messaging import services
from messaging.models import Message
from messaging.payloads import iso
from messaging.tests.factories import UserFactory, send

from .helpers import async_test, next_event, nothing_more, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _call(member, method, path, body=None):
    client = client_for(member)
    return await sync_to_async(getattr(client, method))(path, body, format="json")


async def _drain(*sockets):
    for socket in sockets:
        while not await nothing_more(socket):
            pass


@async_test
async def test_edit_delete_and_reactions_reach_both_members_only(user, other_user, third_user):
    message = await sync_to_async(send)(user, other_user, "See you at 6")
    sender, recipient, outsider = [
        await socket_for(member) for member in (user, other_user, third_user)
    ]
    await _drain(sender, recipient)

    response = await _call(user, "patch", f"/api/messages/{message.pk}", {"message_text": "At 7"})
    assert response.status_code == HTTPStatus.OK
    edited = await Message.objects.aget(pk=message.pk)
    for socket in (sender, recipient):
        event = await next_event(socket)
        assert event == {"type": "message.edited", "message": response.json()["data"]}
        assert event["message"]["message_text"] == "At 7"
        assert event["message"]["edited_at"] == iso(edited.edited_at)

    path = f"/api/messages/{message.pk}/reactions/{quote('👍')}"
    assert (await _call(other_user, "put", path)).status_code == HTTPStatus.OK
    expected = {
        "type": "reaction",
        "conversation_id": message.conversation_id,
        "message_id": message.pk,
        "emoji": "👍",
        "user_id": str(other_user.pk),
        "op": "add",
    }
    assert await next_event(sender) == expected
    assert await next_event(recipient) == expected
    # Adding again changes nothing, so nothing is said.
    assert (await _call(other_user, "put", path)).status_code == HTTPStatus.OK
    assert await nothing_more(sender)
    assert (await _call(other_user, "delete", path)).status_code == HTTPStatus.OK
    assert await next_event(sender) == {**expected, "op": "remove"}
    assert await next_event(recipient) == {**expected, "op": "remove"}

    assert (await _call(user, "delete", f"/api/messages/{message.pk}")).status_code == 200
    deleted = {
        "type": "message.deleted",
        "conversation_id": message.conversation_id,
        "message_id": message.pk,
    }
    assert await next_event(sender) == deleted
    assert await next_event(recipient) == deleted
    assert await nothing_more(outsider)
    for socket in (sender, recipient, outsider):
        await socket.disconnect()


@async_test
async def test_edited_event_carries_each_members_own_reactions(user, other_user):
    message = await sync_to_async(send)(user, other_user, "vote")
    await sync_to_async(services.add_reaction)(user=other_user, message_id=message.pk, emoji="👍")
    sender, recipient = await socket_for(user), await socket_for(other_user)
    await _call(user, "patch", f"/api/messages/{message.pk}", {"message_text": "vote now"})
    mine = (await next_event(sender))["message"]["reactions"]
    theirs = (await next_event(recipient))["message"]["reactions"]
    assert mine == [{"emoji": "👍", "count": 1, "me": False}]
    assert theirs == [{"emoji": "👍", "count": 1, "me": True}]
    await sender.disconnect()
    await recipient.disconnect()


@async_test
async def test_group_events_go_to_members_who_see_the_message(user, other_user, third_user):
    group = await sync_to_async(services.create_group)(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion"
    )
    message = await sync_to_async(
        lambda: (
            services.send_to_conversation(
                sender=other_user, conversation_id=group.pk, text="Friday?"
            ).message
        )
    )()
    # Someone added after the message never saw it, so hears nothing of it.
    newcomer = await sync_to_async(UserFactory)(name="Alan Turing")
    await sync_to_async(services.add_members)(
        user=user, conversation_id=group.pk, user_ids=[newcomer.pk]
    )
    sockets = [await socket_for(member) for member in (user, other_user, third_user)]
    late = await socket_for(newcomer)
    await _drain(*sockets, late)

    await _call(other_user, "patch", f"/api/messages/{message.pk}", {"message_text": "Sat?"})
    for socket in sockets:
        event = await next_event(socket)
        assert event["type"] == "message.edited"
        assert event["message"]["message_text"] == "Sat?"
    await _call(third_user, "put", f"/api/messages/{message.pk}/reactions/{quote('🎉')}")
    for socket in sockets:
        assert (await next_event(socket))["type"] == "reaction"
    await _call(other_user, "delete", f"/api/messages/{message.pk}")
    for socket in sockets:
        assert await next_event(socket) == {
            "type": "message.deleted",
            "conversation_id": group.pk,
            "message_id": message.pk,
        }
    assert await nothing_more(late)
    for socket in [*sockets, late]:
        await socket.disconnect()


@async_test
async def test_a_refused_edit_says_nothing(user, other_user):
    message = await sync_to_async(send)(user, other_user, "mine")
    sender, recipient = await socket_for(user), await socket_for(other_user)
    await _drain(sender, recipient)
    response = await _call(
        other_user, "patch", f"/api/messages/{message.pk}", {"message_text": "x"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert await nothing_more(sender)
    assert await nothing_more(recipient)
    await sender.disconnect()
    await recipient.disconnect()
