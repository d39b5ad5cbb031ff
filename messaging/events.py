"""Real-time events. Services call these; each event is sent to the members'
groups only after the surrounding transaction commits, so nobody hears of a write that
rolled back. A channel layer that is down is logged, never raised: the write stands and
clients catch up by polling."""

import asyncio
import functools
import hashlib
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer
from django.db import transaction

from alumunity.fanout import group_send_many
from alumunity.wsgi_bridge import on_loop_after_request

from .models import Message
from .payloads import iso, message_payload

logger = logging.getLogger(__name__)


def user_group(user_id: object) -> str:
    if isinstance(user_id, uuid.UUID):
        return f"user_{user_id.hex}"  # a third of the time of str() and replace()
    return f"user_{str(user_id).replace('-', '')}"


async def _send_to_groups(layer: BaseChannelLayer, groups: list[str], event: dict) -> None:
    # The layer dispatches on "type": message.new reaches the consumer's message_new.
    # One serialization and one Redis round trip for all the groups (alumunity.fanout).
    for _group, error in await group_send_many(layer, groups, event):
        logger.warning("could not publish %s to a member group", event["type"], exc_info=error)


def session_group(session_key: str) -> str:
    """The sockets one browser session opened. Hashed: group names are visible in Redis,
    and a session key is a credential."""
    return "session_" + hashlib.sha256(session_key.encode()).hexdigest()[:40]


class _Outbox:
    """Events handed over by request threads, sent one after the other on the server's
    loop, so they keep the order in which their transactions committed."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue = asyncio.Queue()
        self.task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while True:
            layer, groups, event = await self.queue.get()
            try:
                await _send_to_groups(layer, groups, event)
            except Exception:
                logger.warning("could not publish %s", event["type"], exc_info=True)


_outboxes: dict[asyncio.AbstractEventLoop, _Outbox] = {}


def _post(layer: BaseChannelLayer, groups: list[str], event: dict) -> None:
    """Runs on the server's loop."""
    loop = asyncio.get_running_loop()
    if loop not in _outboxes:
        _outboxes[loop] = _Outbox()
        # A loop that ends (tests run many) cancels the task; forget its outbox then.
        _outboxes[loop].task.add_done_callback(lambda _task: _outboxes.pop(loop, None))
    _outboxes[loop].queue.put_nowait((layer, groups, event))


def _deliver_to_groups(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # An HTTP request's thread leaves the event to the server's loop, which sends it
    # when the request is done, just before the response (waiting here for the loop
    # cost a send about a millisecond).
    if on_loop_after_request(functools.partial(_post, layer, groups, event)):
        return
    try:
        # One hop to the event loop for all the groups.
        async_to_sync(_send_to_groups)(layer, groups, event)
    except Exception:
        logger.warning("could not publish %s", event["type"], exc_info=True)


def _deliver(user_ids: Iterable[uuid.UUID], event: dict) -> None:
    _deliver_to_groups([user_group(user_id) for user_id in user_ids], event)


def publish(user_ids: Iterable[uuid.UUID], event: dict) -> None:
    recipients = list(dict.fromkeys(user_ids))
    transaction.on_commit(lambda: _deliver(recipients, event))


def session_ended(session_key: str) -> None:
    """Closes the sockets a browser session opened, on every server process."""
    groups = [session_group(session_key)]
    transaction.on_commit(lambda: _deliver_to_groups(groups, {"type": "session.ended"}))


def _pair(message: Message) -> list[uuid.UUID]:
    return [member for member in (message.sender_id, message.recipient_id) if member]


def message_new(message: Message, *, audience: Iterable[uuid.UUID] | None = None) -> None:
    """To both members of a direct conversation, or to `audience` (a group's active
    members, read under the conversation lock)."""
    publish(
        _pair(message) if audience is None else audience,
        {"type": "message.new", "message": message_payload(message)},
    )


def message_read(
    *,
    conversation_id: int,
    message_ids: list[int],
    reader_id: uuid.UUID,
    sender_id: uuid.UUID | None,
    read_at: datetime,
    audience: Iterable[uuid.UUID] | None = None,
) -> None:
    """To the sender and the reader; in a group to every active member (`audience`)."""
    publish(
        [member for member in (sender_id, reader_id) if member] if audience is None else audience,
        {
            "type": "message.read",
            "conversation_id": conversation_id,
            "message_ids": message_ids,
            "reader_id": str(reader_id),
            "read_at": iso(read_at),
        },
    )


def message_hidden(message: Message, *, audience: Iterable[uuid.UUID] | None = None) -> None:
    publish(
        _pair(message) if audience is None else audience,
        {
            "type": "message.hidden",
            "conversation_id": message.conversation_id,
            "message_id": message.pk,
        },
    )


def typing(
    *,
    user_id: uuid.UUID,
    is_typing: bool,
    to_user_id: uuid.UUID | None = None,
    audience: Iterable[uuid.UUID] = (),
    conversation_id: int | None = None,
) -> None:
    """To the member typed to, or in a group to its other members (`conversation_id`)."""
    event: dict = {"type": "typing", "user_id": str(user_id), "is_typing": is_typing}
    if conversation_id is not None:
        event["conversation_id"] = conversation_id
    publish([to_user_id] if to_user_id else audience, event)


def presence(
    *, user_id: uuid.UUID, status: str, last_seen_at: datetime | None, audience: Iterable[uuid.UUID]
) -> None:
    publish(
        audience,
        {
            "type": "presence",
            "user_id": str(user_id),
            "status": status,
            "last_seen_at": iso(last_seen_at),
        },
    )


def conversation_deleted(*, conversation_id: int, user_id: uuid.UUID) -> None:
    publish([user_id], {"type": "conversation.deleted", "conversation_id": conversation_id})


def conversation_updated(*, user_id: uuid.UUID, conversation: dict) -> None:
    publish([user_id], {"type": "conversation.updated", "conversation": conversation})


def message_edited(message: Message, *, audience: Iterable[uuid.UUID]) -> None:
    """The edited message to each member who sees it, each with their own `me` on its
    reactions (one small event per member)."""
    for member in dict.fromkeys(audience):
        payload = message_payload(message, viewer_id=member)
        publish([member], {"type": "message.edited", "message": payload})


def message_deleted(message: Message, *, audience: Iterable[uuid.UUID]) -> None:
    publish(
        audience,
        {
            "type": "message.deleted",
            "conversation_id": message.conversation_id,
            "message_id": message.pk,
        },
    )


def reaction(
    message: Message, *, emoji: str, user_id: uuid.UUID, added: bool, audience: Iterable[uuid.UUID]
) -> None:
    publish(
        audience,
        {
            "type": "reaction",
            "conversation_id": message.conversation_id,
            "message_id": message.pk,
            "emoji": emoji,
            "user_id": str(user_id),
            "op": "add" if added else "remove",
        },
    )
