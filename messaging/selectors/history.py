"""One conversation's history, paged by keyset, and what has been read in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from alumunity.users.models import User

from ..exceptions import NotFound
from ..models import Conversation, Message
from .members import canonical_pair, get_member, parse_user_id


@dataclass
class MessagePage:
    other_user: User
    conversation: Conversation | None
    messages: list[Message]
    total: int


def conversation_between(*, user: User, other_user_id: object) -> tuple[User, Conversation | None]:
    """The other member (404 if unknown, inactive or yourself) and your conversation,
    if any. One query when the conversation exists: it brings both members along."""
    other_id = parse_user_id(other_user_id)
    if other_id is None or other_id == user.pk:
        raise NotFound("Member not found.")
    user_one_id, user_two_id = canonical_pair(user.pk, other_id)
    conversation = (
        Conversation.objects.select_related("user_one", "user_two")
        .filter(user_one_id=user_one_id, user_two_id=user_two_id)
        .first()
    )
    if conversation is None:
        return get_member(other_id), None
    other = conversation.user_two if user_one_id == user.pk else conversation.user_one
    if not other.is_active:
        raise NotFound("Member not found.")
    return other, conversation


def access_message(*, user: User, message_id: int, lock: bool = False) -> Message:
    """The message `message_id` as `user` may see it, with its conversation: they sent or
    received it, and it lies after their delete-for-me marker. Anything else, a missing
    id included, is the same 404, so nobody learns whether someone else's message exists.
    Every service that acts on one message by id starts here; `lock` takes its row lock
    (inside the caller's transaction)."""
    messages = Message.objects.select_related("conversation").filter(
        Q(sender=user) | Q(recipient=user), pk=message_id
    )
    if lock:
        messages = messages.select_for_update()
    message = messages.first()
    if message is None or message.pk <= message.conversation.cleared_through_id_for(user.pk):
        raise NotFound("Message not found.")
    return message


def _before(anchor: Message) -> Q:
    return Q(sent_at__lt=anchor.sent_at) | Q(sent_at=anchor.sent_at, pk__lt=anchor.pk)


def _after(anchor: Message) -> Q:
    return Q(sent_at__gt=anchor.sent_at) | Q(sent_at=anchor.sent_at, pk__gt=anchor.pk)


def list_messages(
    *,
    user: User,
    other_user_id: object,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage:
    """A page of the visible history, ascending by (sent_at, id). Without an anchor the
    newest `limit`; `before`/`after` page by keyset from a message id; `around` centres
    the page on one. `total` is the whole visible history, read from the counters."""
    other, conversation = conversation_between(user=user, other_user_id=other_user_id)
    if conversation is None:
        if before or after or around:
            raise NotFound("Message not found.")
        return MessagePage(other, None, [], 0)
    # The upload each message carries comes along (a join on its primary key), so the
    # page shows its thumbnail or file chip without a query per message.
    visible = Message.objects.filter(conversation=conversation).select_related("attachment")
    marker = conversation.cleared_through_id_for(user.pk)
    if marker:
        # "id + 0": a bound `id > ?` lures SQLite and InnoDB onto the (conversation, id)
        # foreign-key index and a sort of the whole visible history; as an expression
        # the history index (conversation, sent_at, id) serves the page in order.
        visible = visible.alias(_id=F("id") + 0).filter(_id__gt=marker)
    anchor_id = before or after or around
    if anchor_id is None:
        newest = list(visible.order_by("-sent_at", "-id")[:limit])
        messages = newest[::-1]
    else:
        anchor = visible.select_related(None).filter(pk=anchor_id).only("pk", "sent_at").first()
        if anchor is None:
            raise NotFound("Message not found.")
        if before:
            messages = list(visible.filter(_before(anchor)).order_by("-sent_at", "-id")[:limit])[
                ::-1
            ]
        elif after:
            messages = list(visible.filter(_after(anchor)).order_by("sent_at", "id")[:limit])
        else:
            # Fetch up to a full page on each side, then centre the window on the anchor;
            # near either end of the history the other side fills the page.
            older = list(visible.filter(_before(anchor)).order_by("-sent_at", "-id")[: limit - 1])
            newer = list(
                visible.filter(Q(pk=anchor.pk) | _after(anchor)).order_by("sent_at", "id")[:limit]
            )
            take_older = min(len(older), max((limit - 1) // 2, limit - len(newer)))
            messages = older[:take_older][::-1] + newer[: limit - take_older]
    return MessagePage(other, conversation, messages, conversation.visible_count_for(user.pk))


def message_context(message: Message, *, before: int = 3, after: int = 3) -> list[Message]:
    """A message with its neighbours in the conversation, ascending, for moderators (who
    read the original text, hidden or not). Two queries on the history index."""
    neighbours = Message.objects.filter(conversation_id=message.conversation_id).select_related(
        "sender"
    )
    older = list(neighbours.filter(_before(message)).order_by("-sent_at", "-id")[:before])
    newer = list(neighbours.filter(_after(message)).order_by("sent_at", "id")[:after])
    return [*older[::-1], message, *newer]


def read_receipts(*, sender: User, message_ids: Iterable[int]) -> dict[int, datetime]:
    """Which of these messages, sent by `sender`, have been read, and when: an open page
    turns ✓ into ✓✓ without fetching the history again. One indexed query."""
    receipts = Message.objects.filter(
        sender=sender, pk__in=list(message_ids), read_at__isnull=False
    ).values_list("pk", "read_at")
    return {pk: read_at for pk, read_at in receipts if read_at is not None}
