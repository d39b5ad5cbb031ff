"""Group events on the socket: every active member's sockets and nobody else's; a
member who leaves or is removed stops receiving at once."""

from http import HTTPStatus

import pytest
from asgiref.sync import sync_to_async

from conftest import client_for
from messaging import services
from messaging.tests.factories import UserFactory

from .helpers import async_test, next_event, nothing_more, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _group(creator, *members):
    return await sync_to_async(services.create_group)(
        creator=creator, member_ids=[member.pk for member in members], title="Reunion"
    )


async def _post(member, path, body):
    return await sync_to_async(client_for(member).post)(path, body, format="json")


async def _drain(*sockets):
    """Past the events of setting the group up."""
    for socket in sockets:
        while not await nothing_more(socket):
            pass


@async_test
async def test_message_new_reaches_every_member_and_nobody_else(user, other_user, third_user):
    group = await _group(user, other_user, third_user)
    sockets = [await socket_for(member) for member in (user, other_user, third_user)]
    outsider = await socket_for(await sync_to_async(UserFactory)())

    response = await _post(
        other_user, f"/api/conversations/{group.pk}/messages", {"message_text": "hi all"}
    )
    assert response.status_code == HTTPStatus.CREATED
    for socket in sockets:
        event = await next_event(socket)
        assert event["type"] == "message.new"
        assert event["message"]["message_text"] == "hi all"
        assert event["message"]["recipient_id"] is None
        assert event["message"]["kind"] == "text"
    assert await nothing_more(outsider)
    for socket in [*sockets, outsider]:
        await socket.disconnect()


@async_test
async def test_conversation_updated_goes_to_members_before_and_after(user, other_user, third_user):
    group = await _group(user, other_user, third_user)
    removed, newcomer = third_user, await sync_to_async(UserFactory)(name="Alan Turing")
    removed_socket = await socket_for(removed)
    newcomer_socket = await socket_for(newcomer)

    await sync_to_async(services.remove_member)(
        user=user, conversation_id=group.pk, member_id=removed.pk
    )
    events = [await next_event(removed_socket), await next_event(removed_socket)]
    assert [event["type"] for event in events] == ["message.new", "conversation.updated"]
    assert events[1]["conversation"]["member_count"] == 2

    await sync_to_async(services.add_members)(
        user=user, conversation_id=group.pk, user_ids=[newcomer.pk]
    )
    added = [await next_event(newcomer_socket), await next_event(newcomer_socket)]
    assert added[0]["message"]["message_text"] == "Ada Lovelace added Alan Turing"
    assert added[1]["type"] == "conversation.updated"
    assert {m["name"] for m in added[1]["conversation"]["members"]} == {
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
    }
    assert await nothing_more(removed_socket)
    for socket in (removed_socket, newcomer_socket):
        await socket.disconnect()


@async_test
async def test_a_member_who_leaves_stops_receiving_at_once(user, other_user, third_user):
    group = await _group(user, other_user, third_user)
    leaver = await socket_for(third_user)
    stayer = await socket_for(other_user)

    await sync_to_async(services.remove_member)(
        user=third_user, conversation_id=group.pk, member_id=third_user.pk
    )
    await _drain(leaver, stayer)
    await _post(user, f"/api/conversations/{group.pk}/messages", {"message_text": "after"})

    assert (await next_event(stayer))["message"]["message_text"] == "after"
    assert await nothing_more(leaver)
    await leaver.send_json_to({"type": "typing", "conversation_id": group.pk})
    assert (await next_event(leaver))["type"] == "error"
    assert await nothing_more(stayer)
    for socket in (leaver, stayer):
        await socket.disconnect()


@async_test
async def test_typing_by_conversation_id_names_the_group(user, other_user, third_user):
    group = await _group(user, other_user, third_user)
    typist = await socket_for(user)
    readers = [await socket_for(member) for member in (other_user, third_user)]

    await typist.send_json_to({"type": "typing", "conversation_id": group.pk})

    for socket in readers:
        assert await next_event(socket) == {
            "type": "typing",
            "user_id": str(user.pk),
            "is_typing": True,
            "conversation_id": group.pk,
        }
    assert await nothing_more(typist)
    for socket in [typist, *readers]:
        await socket.disconnect()


@async_test
async def test_read_in_a_group_goes_to_every_active_member(user, other_user, third_user):
    group = await _group(user, other_user, third_user)
    sent = await _post(user, f"/api/conversations/{group.pk}/messages", {"message_text": "x"})
    sockets = [await socket_for(member) for member in (user, third_user)]

    response = await sync_to_async(client_for(other_user).put)(
        f"/api/conversations/{group.pk}/read", {}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    for socket in sockets:
        event = await next_event(socket)
        assert event["type"] == "message.read"
        assert event["reader_id"] == str(other_user.pk)
        assert event["message_ids"] == [sent.json()["data"]["id"]]
    for socket in sockets:
        await socket.disconnect()
