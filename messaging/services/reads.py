"""Reading: a message or a whole conversation becomes read, and the counters follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from alumunity.users.models import User

from .. import events
from ..exceptions import NotFound
from ..models import Conversation, Message
from ..selectors import MessagePage, access_message, list_messages


def mark_read(*, reader: User, message_id: int) -> Message:
    """Mark one message read. Only its recipient may, and only while it is visible to
    them; anyone else gets the same 404 as for a missing message. Idempotent."""
    message = access_message(user=reader, message_id=message_id)
    if message.recipient_id != reader.pk:
        raise NotFound("Message not found.")
    if message.read_at is not None:
        return message
    side = message.conversation.side_of(reader.pk)
    now = timezone.now()
    with transaction.atomic():
        # The conversation row first, then the message: the order every writer takes
        # (send, mark_conversation_read), so concurrent reads cannot deadlock on MariaDB.
        # The counter update itself takes the row lock. It counts only while the message
        # is still visible: a delete-for-me that landed since the check above has already
        # zeroed the counter (and later sends count anew).
        Conversation.objects.filter(
            pk=message.conversation_id,
            **{f"cleared_through_id_{side}__lt": message.pk, f"unread_count_{side}__gt": 0},
        ).update(**{f"unread_count_{side}": F(f"unread_count_{side}") - 1})
        changed = Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        if not changed:
            # Another request read it first and counted it: undo this decrement.
            transaction.set_rollback(True)
        else:
            events.message_read(
                conversation_id=message.conversation_id,
                message_ids=[message.pk],
                reader_id=reader.pk,
                sender_id=message.sender_id,
                read_at=now,
            )
    if changed:
        message.read_at = now
    else:
        message.refresh_from_db(fields=["read_at"])
    return message


def mark_conversation_read(
    *, reader: User, conversation: Conversation, shown: Sequence[Message] = ()
) -> tuple[list[int], datetime]:
    """Mark every visible unread message to `reader` in the conversation read (opening
    a conversation does this). Returns the ids it changed and their read time; no query
    at all when the counter says nothing is unread.

    `shown` is the page the caller has just read from this conversation. When its unread
    messages are as many as the counter holds, they are all of them, and two statements
    mark them; otherwise the unread ids are looked up first."""
    now = timezone.now()
    if conversation.unread_count_for(reader.pk) == 0:
        return [], now
    marked = _mark_shown_read(reader=reader, conversation=conversation, shown=shown, now=now)
    if marked is None:
        marked = _mark_unread_read(reader=reader, conversation=conversation, now=now)
    if marked:
        events.message_read(
            conversation_id=conversation.pk,
            message_ids=marked,
            reader_id=reader.pk,
            sender_id=conversation.other_user_id(reader.pk),
            read_at=now,
        )
    setattr(conversation, f"unread_count_{conversation.side_of(reader.pk)}", 0)
    return marked, now


def _mark_shown_read(
    *, reader: User, conversation: Conversation, shown: Sequence[Message], now: datetime
) -> list[int] | None:
    """The two-statement path, or None when it cannot prove it saw every unread message.

    The counter equals the reader's unread messages after their marker (every writer
    keeps it so, under the row lock). Zeroing it only if it still holds the count and
    marker the page was read with takes that lock; if the shown candidates then mark
    exactly that many, they were all of them."""
    side = conversation.side_of(reader.pk)
    unread = conversation.unread_count_for(reader.pk)
    marker = conversation.cleared_through_id_for(reader.pk)
    candidates = [
        message.pk
        for message in shown
        if message.recipient_id == reader.pk and message.read_at is None and message.pk > marker
    ]
    if len(candidates) != unread:
        return None
    with transaction.atomic():
        locked = Conversation.objects.filter(
            pk=conversation.pk,
            **{f"unread_count_{side}": unread, f"cleared_through_id_{side}": marker},
        ).update(**{f"unread_count_{side}": 0})
        if not locked:
            return None
        changed = Message.objects.filter(pk__in=candidates, read_at__isnull=True).update(
            read_at=now
        )
        if changed != unread:
            transaction.set_rollback(True)
            return None
    return candidates


def _mark_unread_read(*, reader: User, conversation: Conversation, now: datetime) -> list[int]:
    """The general path: look the unread ids up under the row lock, then mark them."""
    side = conversation.side_of(reader.pk)
    with transaction.atomic():
        # `conversation` may be stale (open_conversation read it with the page): lock the
        # row and take the current marker, so a delete-for-me or a send cannot slip in.
        marker = (
            Conversation.objects.select_for_update()
            .values_list(f"cleared_through_id_{side}", flat=True)
            .get(pk=conversation.pk)
        )
        message_ids = list(
            Message.objects.filter(
                conversation=conversation, recipient=reader, read_at__isnull=True, pk__gt=marker
            ).values_list("pk", flat=True)
        )
        if not message_ids:
            return []
        changed = Message.objects.filter(pk__in=message_ids, read_at__isnull=True).update(
            read_at=now
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            **{f"unread_count_{side}": Greatest(F(f"unread_count_{side}") - changed, 0)}
        )
    return message_ids


def open_conversation(
    *,
    reader: User,
    other_user_id: object,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage:
    """Read a page of a conversation the way a member opens it: every message from the
    other member becomes read, and the page shows them as read."""
    page = list_messages(
        user=reader,
        other_user_id=other_user_id,
        limit=limit,
        before=before,
        after=after,
        around=around,
    )
    if page.conversation is not None:
        marked, read_at = mark_conversation_read(
            reader=reader, conversation=page.conversation, shown=page.messages
        )
        marked_ids = set(marked)
        for message in page.messages:
            if message.pk in marked_ids:
                message.read_at = read_at
    return page
