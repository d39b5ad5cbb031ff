"""Socket events under privacy settings and message requests: withheld while hidden or
while a request waits, sent once it is accepted."""

import pytest
from asgiref.sync import sync_to_async

from messaging import services
from messaging.tests.factories import send

from .helpers import WAIT, async_test, next_event, nothing_more, socket_for

pytestmark = pytest.mark.django_db(transaction=True)


async def _receives_requests(member):
    await sync_to_async(services.update_privacy_settings)(user=member, message_requests=True)


@async_test
async def test_a_request_withholds_presence_typing_and_receipts_until_accepted(user, other_user):
    await _receives_requests(other_user)
    message = await sync_to_async(send)(user, other_user, "hello")
    ada = await socket_for(user)

    grace = await socket_for(other_user)  # Grace comes online: Ada is not told
    await grace.send_json_to({"type": "typing", "to_user_id": str(user.pk)})
    await grace.send_json_to({"type": "read", "message_id": message.pk})
    await sync_to_async(services.open_conversation)(
        reader=other_user, other_user_id=user.pk, limit=50
    )
    assert await nothing_more(ada, skip=())

    await sync_to_async(services.accept_request)(
        user=other_user, conversation_id=message.conversation_id
    )
    presence = await ada.receive_json_from(timeout=WAIT)
    assert (presence["type"], presence["user_id"], presence["status"]) == (
        "presence",
        str(other_user.pk),
        "online",
    )
    await grace.send_json_to({"type": "typing", "to_user_id": str(user.pk)})
    assert await next_event(ada) == {
        "type": "typing",
        "user_id": str(other_user.pk),
        "is_typing": True,
    }
    await grace.send_json_to({"type": "read", "message_id": message.pk})
    read = await next_event(ada)
    assert (read["type"], read["message_ids"]) == ("message.read", [message.pk])
    await ada.disconnect()
    await grace.disconnect()


@async_test
async def test_hidden_receipts_send_no_message_read_to_the_sender(user, other_user):
    message = await sync_to_async(send)(user, other_user, "hello")
    await sync_to_async(services.update_privacy_settings)(user=other_user, show_read_receipts=False)
    ada = await socket_for(user)
    grace = await socket_for(other_user)

    await grace.send_json_to({"type": "read", "message_id": message.pk})

    # The reader's own devices hear of it; the sender does not.
    read = await next_event(grace)
    assert (read["type"], read["message_ids"]) == ("message.read", [message.pk])
    assert await nothing_more(ada)
    await ada.disconnect()
    await grace.disconnect()


@async_test
async def test_a_sender_who_hides_receipts_sees_none(user, other_user):
    message = await sync_to_async(send)(user, other_user, "hello")
    await sync_to_async(services.update_privacy_settings)(user=user, show_read_receipts=False)
    ada = await socket_for(user)
    grace = await socket_for(other_user)

    await grace.send_json_to({"type": "read", "message_id": message.pk})

    assert (await next_event(grace))["type"] == "message.read"
    assert await nothing_more(ada)
    await ada.disconnect()
    await grace.disconnect()


@async_test
async def test_hidden_presence_shows_offline_and_sends_no_presence_or_typing(user, other_user):
    await sync_to_async(send)(user, other_user, "hello")
    ada = await socket_for(user)
    grace = await socket_for(other_user)
    online = await ada.receive_json_from(timeout=WAIT)
    assert (online["type"], online["status"]) == ("presence", "online")

    await sync_to_async(services.update_privacy_settings)(user=other_user, show_presence=False)
    assert await ada.receive_json_from(timeout=WAIT) == {
        "type": "presence",
        "user_id": str(other_user.pk),
        "status": "offline",
        "last_seen_at": None,
    }
    await grace.send_json_to({"type": "typing", "to_user_id": str(user.pk)})
    await grace.send_json_to({"type": "ping"})
    assert await grace.receive_json_from(timeout=WAIT) == {"type": "pong"}
    assert await nothing_more(ada, skip=())

    # Grace, hiding hers, is told nobody's either: Ada's typing does not reach her.
    await ada.send_json_to({"type": "typing", "to_user_id": str(other_user.pk)})
    assert await nothing_more(grace, skip=())

    await sync_to_async(services.update_privacy_settings)(user=other_user, show_presence=True)
    shown = await ada.receive_json_from(timeout=WAIT)
    assert (shown["type"], shown["status"]) == ("presence", "online")
    await ada.disconnect()
    await grace.disconnect()


@async_test
async def test_hiding_receipts_applies_to_a_socket_opened_before(user, other_user):
    message = await sync_to_async(send)(user, other_user, "hello")
    ada = await socket_for(user)
    grace = await socket_for(other_user)  # opened while Grace still shows receipts

    await sync_to_async(services.update_privacy_settings)(user=other_user, show_read_receipts=False)
    await grace.send_json_to({"type": "read", "message_id": message.pk})

    assert (await next_event(grace))["type"] == "message.read"
    assert await nothing_more(ada)
    await ada.disconnect()
    await grace.disconnect()


@async_test
async def test_an_edit_event_keeps_a_hidden_receipt_hidden(user, other_user):
    message = await sync_to_async(send)(user, other_user, "hello")
    await sync_to_async(services.open_conversation)(
        reader=other_user, other_user_id=user.pk, limit=50
    )
    await sync_to_async(services.update_privacy_settings)(user=other_user, show_read_receipts=False)
    ada = await socket_for(user)

    await sync_to_async(services.edit_message)(editor=user, message_id=message.pk, text="hi")

    edited = await next_event(ada)
    assert edited["type"] == "message.edited"
    assert (edited["message"]["read"], edited["message"]["read_at"]) == (False, None)
    await ada.disconnect()
