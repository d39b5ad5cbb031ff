"""Every server -> client event, triggered through the doors members and
staff use, arrives with exactly its documented shape, on every socket of the members
concerned and nobody else's."""

from http import HTTPStatus

import pytest
from asgiref.sync import sync_to_async

from conftest import client_for
from messaging import services
from messaging.models import Message
from messaging.payloads import iso, message_payload
from messaging.tests.factories import UserFactory, send

from .helpers import async_test, browser_socket_for, next_event, nothing_more, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


@async_test
async def test_message_new_reaches_both_members_on_every_socket(user, other_user, third_user):
    sender_phone = await socket_for(user)
    recipient_phone = await socket_for(other_user)
    recipient_laptop = await browser_socket_for(other_user)
    outsider = await socket_for(third_user)

    response = await sync_to_async(client_for(user).post)(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "Hello 👋", "client_message_id": "c1"},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED
    message = await Message.objects.aget(pk=response.json()["data"]["id"])
    expected = {"type": "message.new", "message": message_payload(message)}

    assert await next_event(sender_phone) == expected
    assert await next_event(recipient_phone) == expected
    assert await next_event(recipient_laptop) == expected
    assert expected["message"]["message_text"] == "Hello 👋"
    assert await nothing_more(outsider)
    for socket in (sender_phone, recipient_phone, recipient_laptop, outsider):
        await socket.disconnect()


@async_test
async def test_an_idempotent_retry_sends_no_second_event(user, other_user):
    recipient = await socket_for(other_user)
    body = {"recipient_id": str(other_user.pk), "message_text": "once", "client_message_id": "r"}
    api = client_for(user)
    first = await sync_to_async(api.post)("/api/messages/send", body, format="json")
    retry = await sync_to_async(api.post)("/api/messages/send", body, format="json")
    assert (first.status_code, retry.status_code) == (HTTPStatus.CREATED, HTTPStatus.OK)

    assert (await next_event(recipient))["message"]["id"] == first.json()["data"]["id"]
    assert await nothing_more(recipient)
    await recipient.disconnect()


@async_test
async def test_mark_as_read_tells_the_sender_and_the_reader(user, other_user, third_user):
    message = await sync_to_async(send)(user, other_user, "read me")
    sender = await socket_for(user)
    reader = await socket_for(other_user)
    outsider = await socket_for(third_user)

    response = await sync_to_async(client_for(other_user).put)(
        f"/api/messages/mark-as-read/{message.pk}"
    )
    assert response.status_code == HTTPStatus.OK
    await message.arefresh_from_db()
    expected = {
        "type": "message.read",
        "conversation_id": message.conversation_id,
        "message_ids": [message.pk],
        "reader_id": str(other_user.pk),
        "read_at": iso(message.read_at),
    }
    assert await next_event(sender) == expected
    assert await next_event(reader) == expected
    assert await nothing_more(outsider)

    # Marking again changes nothing, so nobody hears of it again.
    await sync_to_async(client_for(other_user).put)(f"/api/messages/mark-as-read/{message.pk}")
    assert await nothing_more(sender)
    for socket in (sender, reader, outsider):
        await socket.disconnect()


@async_test
async def test_opening_a_conversation_reads_it_in_one_event(user, other_user):
    first = await sync_to_async(send)(user, other_user, "one")
    second = await sync_to_async(send)(user, other_user, "two")
    sender = await socket_for(user)

    response = await sync_to_async(client_for(other_user).get)(
        f"/api/messages/conversation/{user.pk}"
    )
    assert response.status_code == HTTPStatus.OK
    event = await next_event(sender)
    await second.arefresh_from_db()
    assert event == {
        "type": "message.read",
        "conversation_id": first.conversation_id,
        "message_ids": [first.pk, second.pk],
        "reader_id": str(other_user.pk),
        "read_at": iso(second.read_at),
    }
    await sender.disconnect()


@async_test
async def test_hiding_a_message_tells_both_members(user, other_user, third_user):
    message = await sync_to_async(send)(user, other_user, "something rude")
    moderator = await sync_to_async(UserFactory)(is_staff=True)
    sender = await socket_for(user)
    recipient = await socket_for(other_user)
    outsider = await socket_for(third_user)

    await sync_to_async(services.set_message_hidden)(actor=moderator, message=message, hidden=True)

    expected = {
        "type": "message.hidden",
        "conversation_id": message.conversation_id,
        "message_id": message.pk,
    }
    assert await next_event(sender) == expected
    assert await next_event(recipient) == expected
    assert await nothing_more(outsider)
    for socket in (sender, recipient, outsider):
        await socket.disconnect()


@async_test
async def test_deleting_a_conversation_tells_only_the_deleter_on_all_devices(user, other_user):
    message = await sync_to_async(send)(user, other_user, "bye")
    phone = await socket_for(user)
    laptop = await browser_socket_for(user)
    partner = await socket_for(other_user)

    response = await sync_to_async(client_for(user).delete)(
        f"/api/messages/conversation/{message.conversation_id}"
    )
    assert response.status_code == HTTPStatus.OK
    expected = {"type": "conversation.deleted", "conversation_id": message.conversation_id}
    assert await next_event(phone) == expected
    assert await next_event(laptop) == expected
    assert await nothing_more(partner)
    for socket in (phone, laptop, partner):
        await socket.disconnect()


@async_test
async def test_typing_over_rest_reaches_only_the_member_written_to(user, other_user):
    typist = await socket_for(user)
    recipient = await socket_for(other_user)

    response = await sync_to_async(client_for(user).post)(f"/api/messages/typing/{other_user.pk}")
    assert response.status_code == HTTPStatus.OK
    assert await next_event(recipient) == {
        "type": "typing",
        "user_id": str(user.pk),
        "is_typing": True,
    }
    assert await nothing_more(typist)
    for socket in (typist, recipient):
        await socket.disconnect()


@async_test
async def test_presence_reaches_partners_only(user, other_user, third_user):
    await sync_to_async(send)(user, other_user, "hi")
    partner = await socket_for(other_user)
    stranger = await socket_for(third_user)

    socket = await socket_for(user)
    online = await next_event(partner, skip=())
    assert online["type"] == "presence"
    assert (online["user_id"], online["status"]) == (str(user.pk), "online")
    assert await nothing_more(stranger, skip=())
    await socket.disconnect()
    await partner.disconnect()
    await stranger.disconnect()
