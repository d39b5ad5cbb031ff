"""Reading: a message or a whole conversation becomes read, and the counters follow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from alumunity.prepared import Prepared, update_query
from alumunity.users.models import User

from .. import events
from ..exceptions import NotFound
from ..models import Conversation, Message, Participant
from ..selectors import (
    MessagePage,
    MessageRow,
    MessageRowPage,
    access_message,
    conversation_message_rows,
    conversation_messages,
    list_message_rows,
    list_messages,
    membership,
    receipt_audience,
    receipt_goes_to_its_sender,
    receipt_goes_to_sender,
    sees,
)


def mark_read(*, reader: User, message_id: int) -> Message:
    """Mark one message read. Only its recipient may, and only while it is visible to
    them; anyone else gets the same 404 as for a missing message. Idempotent."""
    message = access_message(user=reader, message_id=message_id)
    if message.conversation.is_group and message.sender_id != reader.pk:
        # A group's receipts are positions: this message and everything before it.
        _move_read_position(reader=reader, participant=message.viewer, up_to=message.pk)
        return message
    if message.recipient_id != reader.pk:
        raise NotFound("Message not found.")
    if message.read_at is not None or message.viewer.is_request:
        # A request's reading is recorded only once it is accepted (no receipt before).
        return message
    now = timezone.now()
    with transaction.atomic():
        # The participant row first, then the message: the order every writer takes
        # (send, mark_conversation_read), so concurrent reads cannot deadlock on MariaDB.
        # The counter update itself takes the row lock. It counts only while the message
        # is still visible: a delete-for-me that landed since the check above has already
        # zeroed the counter (and later sends count anew).
        _COUNT_ONE_READ.update(Participant, participant_id=message.viewer.pk, message_id=message.pk)
        changed = _MARK_ONE_READ.update(Message, message_id=message.pk, read_at=now)
        if not changed:
            # Another request read it first and counted it: undo this decrement.
            transaction.set_rollback(True)
        else:
            told = receipt_goes_to_its_sender(message)
            events.message_read(
                conversation_id=message.conversation_id,
                message_ids=[message.pk],
                reader_id=reader.pk,
                sender_id=message.sender_id if told else None,
                read_at=now,
            )
    if changed:
        message.read_at = now
    else:
        message.refresh_from_db(fields=["read_at"])
    return message


# mark_read's two statements, compiled once (alumunity.prepared).
_COUNT_ONE_READ = Prepared(
    lambda *, participant_id, message_id: update_query(
        Participant.objects.filter(
            pk=participant_id, cleared_through_id__lt=message_id, unread_count__gt=0
        ),
        unread_count=F("unread_count") - 1,
        last_read_id=Greatest(F("last_read_id"), message_id),
    ),
    participant_id=Participant._meta.pk,
    message_id=Message._meta.pk,
)
_MARK_ONE_READ = Prepared(
    lambda *, message_id, read_at: update_query(
        Message.objects.filter(pk=message_id, read_at__isnull=True), read_at=read_at
    ),
    message_id=Message._meta.pk,
    read_at=Message._meta.get_field("read_at"),
)


def mark_conversation_read(
    *,
    reader: User,
    conversation: Conversation,
    shown: Sequence[Message | MessageRow] = (),
    participant: Participant | None = None,
) -> tuple[list[int], datetime]:
    """Mark every visible unread message to `reader` in the conversation read (opening
    a conversation does this). Returns the ids it changed and their read time; no query
    at all when the reader's counter (on `participant`, their row as the caller read it)
    says nothing is unread.

    `shown` is the page the caller has just read from this conversation. When its unread
    messages are as many as the counter holds, they are all of them, and two statements
    mark them; otherwise the unread ids are looked up first."""
    now = timezone.now()
    if participant is None:
        viewer = getattr(conversation, "viewer", None)
        participant = (
            viewer
            if viewer is not None and viewer.user_id == reader.pk
            else Participant.objects.get(conversation=conversation, user=reader)
        )
    if participant.unread_count == 0 or participant.is_request:
        # A request's reading is recorded only once it is accepted (no receipt before).
        return [], now
    marked = _mark_shown_read(reader=reader, participant=participant, shown=shown, now=now)
    if marked is None:
        marked = _mark_unread_read(reader=reader, participant=participant, now=now)
    if marked:
        sender_id = conversation.other_user_id(reader.pk)
        told = receipt_goes_to_sender(reader=reader, conversation=conversation, sender_id=sender_id)
        events.message_read(
            conversation_id=conversation.pk,
            message_ids=marked,
            reader_id=reader.pk,
            sender_id=sender_id if told else None,
            read_at=now,
        )
    participant.unread_count = 0
    return marked, now


def _mark_shown_read(
    *, reader: User, participant: Participant, shown: Sequence[Message | MessageRow], now: datetime
) -> list[int] | None:
    """The two-statement path, or None when it cannot prove it saw every unread message.

    The counter equals the reader's unread messages after their marker (every writer
    keeps it so, under the row lock). Zeroing it only if it still holds the count and
    marker the page was read with takes that lock; if the shown candidates then mark
    exactly that many, they were all of them."""
    unread = participant.unread_count
    marker = participant.cleared_through_id
    candidates = [
        message.pk
        for message in shown
        if message.recipient_id == reader.pk and not message.is_read and message.pk > marker
    ]
    if len(candidates) != unread:
        return None
    with transaction.atomic():
        locked = Participant.objects.filter(
            pk=participant.pk, unread_count=unread, cleared_through_id=marker
        ).update(unread_count=0, last_read_id=Greatest(F("last_read_id"), max(candidates)))
        if not locked:
            return None
        changed = Message.objects.filter(pk__in=candidates, read_at__isnull=True).update(
            read_at=now
        )
        if changed != unread:
            transaction.set_rollback(True)
            return None
    return candidates


def _mark_unread_read(*, reader: User, participant: Participant, now: datetime) -> list[int]:
    """The general path: look the unread ids up under the row lock, then mark them."""
    with transaction.atomic():
        # `participant` may be stale (open_conversation read it with the page): lock the
        # row and take the current marker, so a delete-for-me or a send cannot slip in.
        marker = (
            Participant.objects.select_for_update()
            .values_list("cleared_through_id", flat=True)
            .get(pk=participant.pk)
        )
        message_ids = list(
            Message.objects.filter(
                conversation_id=participant.conversation_id,
                recipient=reader,
                read_at__isnull=True,
                pk__gt=marker,
            ).values_list("pk", flat=True)
        )
        if not message_ids:
            return []
        changed = Message.objects.filter(pk__in=message_ids, read_at__isnull=True).update(
            read_at=now
        )
        Participant.objects.filter(pk=participant.pk).update(
            unread_count=Greatest(F("unread_count") - changed, 0),
            last_read_id=Greatest(F("last_read_id"), max(message_ids)),
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
    _mark_opened(reader=reader, page=page)
    return page


def open_conversation_rows(
    *,
    reader: User,
    other_user_id: object,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage | MessageRowPage:
    """open_conversation for a door that only shows the page as data (the API): the
    newest and `before=` pages come as plain rows (selectors.MessageRow), the same
    messages and fields without building model instances; other anchors as
    open_conversation."""
    if after or around:
        return open_conversation(
            reader=reader, other_user_id=other_user_id, limit=limit, after=after, around=around
        )
    page = list_message_rows(user=reader, other_user_id=other_user_id, limit=limit, before=before)
    _mark_opened(reader=reader, page=page)
    return page


def _mark_opened(*, reader: User, page: MessagePage | MessageRowPage) -> None:
    if page.conversation is not None:
        marked, read_at = mark_conversation_read(
            reader=reader,
            conversation=page.conversation,
            shown=page.messages,
            participant=page.participant,
        )
        marked_ids = set(marked)
        for message in page.messages:
            if message.pk in marked_ids:
                message.read_at = read_at


def open_conversation_by_id(
    *,
    reader: User,
    conversation_id: object,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage:
    """A page of a conversation by its id, read the way a member opens it: everything
    in it becomes read for them (a group moves their read position)."""
    page = conversation_messages(
        user=reader,
        conversation_id=conversation_id,
        limit=limit,
        before=before,
        after=after,
        around=around,
    )
    assert page.conversation is not None and page.participant is not None
    _read_all(reader=reader, page=page)
    return page


def open_conversation_by_id_rows(
    *,
    reader: User,
    conversation_id: object,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage | MessageRowPage:
    """open_conversation_by_id for a door that only shows the page as data (the API):
    the newest and `before=` pages come as plain rows, as in open_conversation_rows."""
    if after or around:
        return open_conversation_by_id(
            reader=reader, conversation_id=conversation_id, limit=limit, after=after, around=around
        )
    page = conversation_message_rows(
        user=reader, conversation_id=conversation_id, limit=limit, before=before
    )
    _read_all(reader=reader, page=page)
    return page


def read_conversation(
    *, reader: User, conversation_id: object, up_to_message_id: int | None = None
) -> None:
    """Mark the conversation read for the reader, entirely or up to one message they
    can see (404 for any other id)."""
    participant = membership(user=reader, conversation_id=conversation_id)
    if up_to_message_id is not None and not sees(participant, up_to_message_id):
        raise NotFound("Message not found.")
    if participant.is_request:
        return  # a request's reading is recorded only once it is accepted
    if participant.conversation.is_group:
        _move_read_position(reader=reader, participant=participant, up_to=up_to_message_id)
    elif up_to_message_id is None:
        mark_conversation_read(
            reader=reader, conversation=participant.conversation, participant=participant
        )
    else:
        _mark_unread_read(reader=reader, participant=participant, now=timezone.now())


def _read_all(*, reader: User, page: MessagePage | MessageRowPage) -> None:
    participant, conversation = page.participant, page.conversation
    assert participant is not None and conversation is not None
    if conversation.is_group:
        _move_read_position(reader=reader, participant=participant, up_to=None)
        return
    _mark_opened(reader=reader, page=page)


def _move_read_position(*, reader: User, participant: Participant, up_to: int | None) -> None:
    """A group's read receipt is the reader's position: everything up to it is seen by
    them. Nothing is written when nothing is unread."""
    if participant.unread_count == 0:
        return
    now = timezone.now()
    with transaction.atomic():
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        last = locked.last_message_id or 0
        position = last if up_to is None else min(up_to, last)
        if position <= locked.last_read_id:
            return
        remaining = 0
        if position < last:
            remaining = (
                Message.objects.filter(
                    conversation_id=participant.conversation_id,
                    kind=Message.Kind.TEXT,
                    pk__gt=position,
                    pk__lte=last,
                )
                .exclude(sender=reader)
                .count()
            )
        Participant.objects.filter(pk=participant.pk).update(
            last_read_id=position, unread_count=remaining
        )
        events.message_read(
            conversation_id=participant.conversation_id,
            message_ids=[position],
            reader_id=reader.pk,
            sender_id=None,
            read_at=now,
            audience=receipt_audience(
                reader=reader, members=_active_members_receipts(participant.conversation_id)
            ),
        )
    participant.last_read_id, participant.unread_count = position, remaining


def _active_members_receipts(conversation_id: int) -> list[tuple[object, bool]]:
    """Each active member and whether they show read receipts."""
    return list(
        Participant.objects.filter(conversation_id=conversation_id, left_at=None).values_list(
            "user_id", "user__show_read_receipts"
        )
    )
