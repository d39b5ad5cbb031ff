"""Client -> server messages: typing, read and ping go through the same
services as the REST API; a service's refusal comes back as an error event, and the
socket stays open."""

import pytest
from asgiref.sync import sync_to_async

from messaging import selectors, services
from messaging.models import Message
from messaging.payloads import iso
from messaging.tests.factories import send

from .helpers import async_test, next_event, nothing_more, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


@async_test
async def test_ping_answers_pong(user):
    socket = await socket_for(user)
    await socket.send_json_to({"type": "ping"})
    assert await next_event(socket) == {"type": "pong"}
    await socket.disconnect()


@async_test
async def test_typing_from_the_socket_reaches_the_other_member(user, other_user):
    typist = await socket_for(user)
    recipient = await socket_for(other_user)

    await typist.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    assert await next_event(recipient) == {
        "type": "typing",
        "user_id": str(user.pk),
        "is_typing": True,
    }
    status = await sync_to_async(selectors.conversation_status)(
        user=other_user, other_user_id=user.pk
    )
    assert status["other_user_typing"] is True
    assert await nothing_more(typist)
    await typist.disconnect()
    await recipient.disconnect()


@async_test
async def test_read_from_the_socket_marks_the_message_and_tells_both(user, other_user):
    message = await sync_to_async(send)(user, other_user, "read me")
    sender = await socket_for(user)
    reader = await socket_for(other_user)

    await reader.send_json_to({"type": "read", "message_id": message.pk})
    event = await next_event(reader)
    await message.arefresh_from_db()
    assert message.read_at is not None
    assert event == {
        "type": "message.read",
        "conversation_id": message.conversation_id,
        "message_ids": [message.pk],
        "reader_id": str(other_user.pk),
        "read_at": iso(message.read_at),
    }
    assert await next_event(sender) == event
    assert await sync_to_async(selectors.unread_total)(user=other_user) == 0
    await sender.disconnect()
    await reader.disconnect()


@async_test
async def test_reading_someone_elses_message_is_an_error_event(user, other_user, third_user):
    message = await sync_to_async(send)(user, other_user, "not yours")
    intruder = await socket_for(third_user)

    await intruder.send_json_to({"type": "read", "message_id": message.pk})
    assert await next_event(intruder) == {"type": "error", "message": "Message not found."}
    assert (await Message.objects.aget(pk=message.pk)).read_at is None
    # The socket is still usable.
    await intruder.send_json_to({"type": "ping"})
    assert await next_event(intruder) == {"type": "pong"}
    await intruder.disconnect()


@async_test
async def test_typing_to_an_unknown_member_is_an_error_event(user):
    socket = await socket_for(user)
    await socket.send_json_to({"type": "typing", "to_user_id": "not-a-uuid"})
    assert await next_event(socket) == {"type": "error", "message": "Member not found."}
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("not json", "Messages must be JSON objects."),
        ("[1, 2]", "Messages must be JSON objects."),
        ('{"type": "dance"}', "Unknown message type; expected typing, read or ping."),
        ("{}", "Unknown message type; expected typing, read or ping."),
        (
            '{"type": "read", "message_id": "12"}',
            "message_id: A message id (a number) is required.",
        ),
        (
            '{"type": "read", "message_id": true}',
            "message_id: A message id (a number) is required.",
        ),
    ],
)
@async_test
async def test_malformed_client_messages_are_error_events(user, frame, message):
    socket = await socket_for(user)
    await socket.send_to(text_data=frame)
    assert await next_event(socket) == {"type": "error", "message": message}
    await socket.disconnect()


@async_test
async def test_blocked_members_never_see_each_other_typing(user, other_user):
    await sync_to_async(services.block_user)(blocker=user, blocked_user_id=other_user.pk)
    blocker = await socket_for(user)
    blocked = await socket_for(other_user)

    await blocked.send_json_to({"type": "typing", "to_user_id": str(user.pk)})
    await blocker.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    assert await nothing_more(blocker)
    assert await nothing_more(blocked)
    await blocker.disconnect()
    await blocked.disconnect()
