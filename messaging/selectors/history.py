"""One conversation's history, paged by keyset, and what has been read in it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, FilteredRelation, OuterRef, Q, QuerySet, Subquery

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..exceptions import NotFound
from ..models import Conversation, Message, MessageRevision, Participant
from .members import canonical_pair, get_member, parse_user_id
from .privacy import hide_unshared_receipts, shares_receipts
from .reactions import load_reactions


@dataclass
class MessagePage:
    other_user: User
    conversation: Conversation | None
    messages: list[Message]
    total: int
    # The reader's own participant row: their counters and markers as the page read them.
    participant: Participant | None = None


def conversation_between(*, user: User, other_user_id: object) -> tuple[User, Participant | None]:
    """The other member (404 if unknown, inactive or yourself) and your participant row
    in your direct conversation, if any. One query when the conversation exists: it
    brings the conversation and both members along."""
    other_id = parse_user_id(other_user_id)
    if other_id is None or other_id == user.pk:
        raise NotFound("Member not found.")
    user_one_id, user_two_id = canonical_pair(user.pk, other_id)
    reader_side, other_side = _SIDES[user_one_id == user.pk]
    found = _BETWEEN[other_side].instances(
        Participant, user_id=user.pk, user_one_id=user_one_id, user_two_id=user_two_id
    )
    participant: Participant | None = found[0] if found else None
    if participant is None:
        return get_member(other_id), None
    conversation = participant.conversation
    # The reader's row travels with the conversation, so a caller holding only the
    # conversation (mark_conversation_read) does not read it again; their member row is
    # the one they came with, not read again either.
    conversation.viewer = participant  # type: ignore[attr-defined]
    setattr(conversation, reader_side, user)
    other = getattr(conversation, other_side)
    if other is None or not other.is_active:
        raise NotFound("Member not found.")
    return other, participant


# (the reader's side of the pair, the other member's), by whether the reader is user_one.
_SIDES = {True: ("user_one", "user_two"), False: ("user_two", "user_one")}


def _between(other_side: str) -> Prepared:
    return Prepared(
        lambda *, user_id, user_one_id, user_two_id: (
            Participant.objects.select_related(f"conversation__{other_side}")
            .filter(
                user_id=user_id,
                conversation__user_one_id=user_one_id,
                conversation__user_two_id=user_two_id,
            )
            .order_by("pk")[:1]
        ),
        user_id=User._meta.pk,
        user_one_id=User._meta.pk,
        user_two_id=User._meta.pk,
    )


# Compiled once (alumunity.prepared): every open conversation starts here. One statement
# per side the other member is on, joining only their row.
_BETWEEN = {side: _between(side) for side in ("user_one", "user_two")}


def sees(participant: Participant, message_id: int) -> bool:
    """Whether this member sees the message: from the first message they may see (history
    from joining) through the last one they received (a member who left keeps what they
    saw), after their own delete-for-me marker."""
    return (
        participant.cleared_through_id < message_id
        and participant.first_message_id <= message_id
        and message_id <= (participant.last_message_id or 0)
    )


def access_message(*, user: User, message_id: int, lock: bool = False) -> Message:
    """The message `message_id` as `user` may see it, with its conversation and the
    member's participant row (`message.viewer`): they are a participant and it lies in
    their visible window (see `sees`). Anything else, a missing id included, is the same
    404, so nobody learns whether someone else's message exists. Every service that acts
    on one message by id starts here; `lock` takes its row lock (inside the caller's
    transaction). One query: the participant row comes through a filtered join."""
    statement = _ACCESS_LOCKED if lock else _ACCESS
    found = statement.instances(Message, for_write=lock, user_id=user.pk, message_id=message_id)
    message = found[0] if found else None
    if message is not None:
        viewer = Participant(
            conversation=message.conversation,
            user=user,
            **{name: getattr(message, f"_viewer_{name}") for name in _VIEWER_FIELDS},
        )
        message.viewer = viewer
        if sees(viewer, message.pk):
            return message
    raise NotFound("Message not found.")


_VIEWER_FIELDS = (
    "id",
    "unread_count",
    "cleared_through_id",
    "first_message_id",
    "last_message_id",
    "last_read_id",
    "left_at",
    "is_request",
    "muted",
)


def _accessed(*, user_id: Any, message_id: Any) -> QuerySet[Message]:
    """access_message's one query: the message, its conversation and sender, the
    member's participant row through a filtered join, and both receipt settings."""
    return (
        Message.objects.select_related("conversation", "sender")
        .annotate(
            _viewer=FilteredRelation(
                "conversation__participants",
                condition=Q(conversation__participants__user_id=user_id),
            )
        )
        .filter(pk=message_id, _viewer__isnull=False)
        .annotate(**{f"_viewer_{name}": F(f"_viewer__{name}") for name in _VIEWER_FIELDS})
        # The member's setting as stored now (a socket's member object may be older).
        .annotate(
            _reader_shows_receipts=Subquery(
                User.objects.filter(pk=user_id).values("show_read_receipts")[:1]
            ),
            _recipient_shows_receipts=Subquery(
                User.objects.filter(pk=OuterRef("recipient_id")).values("show_read_receipts")[:1]
            ),
        )
        .order_by("pk")[:1]
    )


# Compiled once (alumunity.prepared): building this query cost more than running it.
_ACCESS_PARAMS = {"user_id": User._meta.pk, "message_id": Message._meta.pk}
_ACCESS = Prepared(_accessed, **_ACCESS_PARAMS)
_ACCESS_LOCKED = Prepared(
    lambda **values: _accessed(**values).select_for_update(), **_ACCESS_PARAMS
)


# The keyset conditions. The outer bound on sent_at alone adds no row, but lets the
# database seek the history index (conversation, sent_at, id) to the anchor; with the
# OR alone it walks the index from the conversation's newest (before) or oldest
# (after) message to the anchor, the whole history for an old anchor.
def _before(anchor: Message) -> Q:
    return _before_keys(anchor.sent_at, anchor.pk)


def _before_keys(sent_at: Any, pk: Any) -> Q:
    return Q(sent_at__lte=sent_at) & (Q(sent_at__lt=sent_at) | Q(sent_at=sent_at, pk__lt=pk))


def _before_id(visible: QuerySet[Message], anchor_id: Any) -> Q:
    """Before the message `anchor_id`, its time read in the same statement: a subquery
    of the member's window by primary key, which both databases run once, before the
    page (a constant to their planners, so the page still seeks the history index). A
    page that finds nothing asks for the anchor alone, which tells an anchor outside
    the window (404) from one with nothing older."""
    sent_at = Subquery(_anchor_query(visible, anchor_id).values("sent_at"))
    return _before_keys(sent_at, anchor_id)


def _anchor_query(visible: QuerySet[Message], anchor_id: Any) -> QuerySet[Message]:
    return (
        visible.select_related(None).filter(pk=anchor_id).only("pk", "sent_at").order_by("pk")[:1]
    )


def _after(anchor: Message) -> Q:
    return Q(sent_at__gte=anchor.sent_at) & (
        Q(sent_at__gt=anchor.sent_at) | Q(sent_at=anchor.sent_at, pk__gt=anchor.pk)
    )


def _from(anchor: Message) -> Q:
    """The anchor and what comes after it."""
    return Q(sent_at__gte=anchor.sent_at) & (
        Q(sent_at__gt=anchor.sent_at) | Q(sent_at=anchor.sent_at, pk__gte=anchor.pk)
    )


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
    other, participant = conversation_between(user=user, other_user_id=other_user_id)
    if participant is None:
        if before or after or around:
            raise NotFound("Message not found.")
        return MessagePage(other, None, [], 0)
    messages = page_for(participant, limit=limit, before=before, after=after, around=around)
    hide_unshared_receipts(messages, viewer=user, other=other)
    return MessagePage(
        other, participant.conversation, messages, participant.visible_count, participant
    )


def page_for(
    participant: Participant,
    *,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> list[Message]:
    """One page of what this member sees of their conversation (see `sees`), ascending
    by (sent_at, id): the newest `limit` without an anchor, or keyset pages from one."""
    window, shape = page_window(participant)
    anchor_id = before or after or around
    if anchor_id is None:
        page = _statement("newest", limit=limit, **shape).instances(
            Message, **window, anchor_id=0, anchor_sent_at=_NO_TIME
        )[::-1]
    elif before:
        page = _statement("before_id", limit=limit, **shape).instances(
            Message, **window, anchor_id=before, anchor_sent_at=_NO_TIME
        )[::-1]
        if not page:
            check_anchor(shape=shape, window=window, anchor_id=before)
    else:
        found = _statement("anchor", limit=1, **shape).instances(
            Message, **window, anchor_id=anchor_id, anchor_sent_at=_NO_TIME
        )
        if not found:
            raise NotFound("Message not found.")
        anchor = {**window, "anchor_id": found[0].pk, "anchor_sent_at": found[0].sent_at}
        page = _anchored("after" if after else "around", limit=limit, shape=shape, anchor=anchor)
    load_reactions(page)
    return page


def page_window(participant: Participant) -> tuple[dict[str, Any], dict[str, bool]]:
    """The page statements' window parameters for this member (their conversation, the
    last message they received, their marker) and the shape they compile to."""
    marker = max(participant.cleared_through_id, participant.first_message_id - 1)
    window: dict[str, Any] = {
        "conversation_id": participant.conversation_id,
        "left_through": participant.last_message_id or 0,
        "marker": marker,
    }
    return window, {"left": participant.left_at is not None, "marked": bool(marker)}


def check_anchor(*, shape: dict, window: dict, anchor_id: int) -> None:
    """NotFound unless the member sees the message `anchor_id` (a `before=` page that
    came back empty asks: the page's own statement cannot tell)."""
    if not _statement("anchor", limit=1, **shape).raw(
        Message, **window, anchor_id=anchor_id, anchor_sent_at=_NO_TIME
    ):
        raise NotFound("Message not found.")


def _anchored(kind: str, *, limit: int, shape: dict, anchor: dict) -> list[Message]:
    """A page from an anchor, as `_page` reads it, through the compiled statements."""
    if kind == "after":
        return _statement("after", limit=limit, **shape).instances(Message, **anchor)
    newer = _statement("from", limit=limit, **shape).instances(Message, **anchor)
    wanted = _older_wanted(newer, limit=limit)
    # The ORM runs no query for `[:0]`, so neither does this.
    older = []
    if wanted:
        older = _statement("before", limit=wanted, **shape).instances(Message, **anchor)
    return older[::-1] + newer[: limit - len(older)]


def _older_wanted(newer: list[Message], *, limit: int) -> int:
    """How many older messages an `around` page shows: the window is centred on the
    anchor (the first of `newer`), and near the newest end the older side fills it."""
    return max((limit - 1) // 2, limit - len(newer))


def _visible(
    *, conversation_id: Any, left_through: Any, marker: Any, left: bool, marked: bool
) -> QuerySet[Message]:
    # The upload each message carries comes along (a join on its primary key), so the
    # page shows its thumbnail or file chip without a query per message.
    visible = Message.objects.filter(conversation_id=conversation_id).select_related("attachment")
    if left:
        visible = visible.filter(pk__lte=left_through)
    if marked:
        # "id + 0": a bound `id > ?` lures SQLite and InnoDB onto the (conversation, id)
        # foreign-key index and a sort of the whole visible history; as an expression
        # the history index (conversation, sent_at, id) serves the page in order.
        visible = visible.alias(_id=F("id") + 0).filter(_id__gt=marker)
    return visible


# The pages compiled once each (alumunity.prepared), by what shapes their SQL: which
# page, whether the member left or has a marker, and the limit (part of the SQL).
_PAGES: dict[tuple[str, bool, bool, int], Prepared] = {}
_NO_TIME = datetime(2000, 1, 1, tzinfo=UTC)


def _statement(kind: str, *, limit: int, left: bool, marked: bool) -> Prepared:
    return page_statement(_PAGES, _page_query, kind, limit=limit, left=left, marked=marked)


def page_statement(
    cache: dict[tuple[str, bool, bool, int], Prepared],
    build: Callable[..., Any],
    kind: str,
    *,
    limit: int,
    left: bool,
    marked: bool,
) -> Prepared:
    """The page statement `build` makes for this shape, compiled once and kept in
    `cache`; its parameters are the member's window and the anchor."""
    key = (kind, left, marked, limit)
    statement = cache.get(key)
    if statement is None:
        statement = cache[key] = Prepared(
            functools.partial(build, kind, limit=limit, left=left, marked=marked),
            conversation_id=Message._meta.get_field("conversation"),
            left_through=Message._meta.pk,
            marker=Message._meta.pk,
            anchor_id=Message._meta.pk,
            anchor_sent_at=Message._meta.get_field("sent_at"),
        )
    return statement


def _page_query(
    kind: str,
    *,
    limit: int,
    left: bool,
    marked: bool,
    anchor_id: Any,
    anchor_sent_at: Any,
    **window: Any,
) -> QuerySet[Message]:
    visible = _visible(**window, left=left, marked=marked)
    if kind == "anchor":
        return _anchor_query(visible, anchor_id)
    if kind == "before_id":
        return visible.filter(_before_id(visible, anchor_id)).order_by("-sent_at", "-id")[:limit]
    anchor = Message(pk=anchor_id, sent_at=anchor_sent_at)
    if kind == "after":
        return visible.filter(_after(anchor)).order_by("sent_at", "id")[:limit]
    if kind == "from":
        return visible.filter(_from(anchor)).order_by("sent_at", "id")[:limit]
    if kind == "before":
        visible = visible.filter(_before(anchor))
    return visible.order_by("-sent_at", "-id")[:limit]


def _page(  # the ORM's form of page_for's statements, which tests hold them to
    visible: QuerySet[Message],
    *,
    limit: int,
    before: int | None,
    after: int | None,
    around: int | None,
) -> list[Message]:
    anchor_id = before or after or around
    if anchor_id is None:
        return list(visible.order_by("-sent_at", "-id")[:limit])[::-1]
    if before:
        page = list(visible.filter(_before_id(visible, before)).order_by("-sent_at", "-id")[:limit])
        if not page and not _anchor_query(visible, before):
            raise NotFound("Message not found.")
        return page[::-1]
    anchor = _anchor_query(visible, anchor_id).first()
    if anchor is None:
        raise NotFound("Message not found.")
    if after:
        return list(visible.filter(_after(anchor)).order_by("sent_at", "id")[:limit])
    # Up to a full page from the anchor on, then what the window needs of the older
    # side; near the oldest end the newer side fills the page.
    newer = list(visible.filter(_from(anchor)).order_by("sent_at", "id")[:limit])
    wanted = _older_wanted(newer, limit=limit)
    older = list(visible.filter(_before(anchor)).order_by("-sent_at", "-id")[:wanted])
    return older[::-1] + newer[: limit - len(older)]


def message_context(message: Message, *, before: int = 3, after: int = 3) -> list[Message]:
    """A message with its neighbours in the conversation, ascending, for moderators (who
    read the original text, hidden or not). Two queries on the history index."""
    neighbours = Message.objects.filter(conversation_id=message.conversation_id).select_related(
        "sender"
    )
    older = list(neighbours.filter(_before(message)).order_by("-sent_at", "-id")[:before])
    newer = list(neighbours.filter(_after(message)).order_by("sent_at", "id")[:after])
    return [*older[::-1], message, *newer]


def read_receipts(*, sender: User, other: User, message_ids: Iterable[int]) -> dict[int, datetime]:
    """Which of these messages, sent by `sender` to `other`, have been read, and when:
    an open page turns ✓ into ✓✓ without fetching the history again. One indexed query;
    none when receipts do not pass between the two."""
    if not shares_receipts(sender, other):
        return {}
    receipts = Message.objects.filter(
        sender=sender, recipient=other, pk__in=list(message_ids), read_at__isnull=False
    ).values_list("pk", "read_at")
    return {pk: read_at for pk, read_at in receipts if read_at is not None}


def message_history(*, user: User, message_id: int) -> tuple[Message, list[MessageRevision]]:
    """The earlier versions of a message the member may see, oldest first (404 as
    access_message). A hidden or deleted message has none to show: its texts are for
    staff only."""
    message = access_message(user=user, message_id=message_id)
    if message.is_hidden or message.is_deleted:
        return message, []
    revisions = MessageRevision.objects.filter(message=message, deleted=False).order_by("id")
    return message, list(revisions)


def message_audience(message: Message) -> list:
    """The active members who see this message: who hears that it changed."""
    return list(
        Participant.objects.filter(
            conversation_id=message.conversation_id,
            left_at=None,
            first_message_id__lte=message.pk,
            cleared_through_id__lt=message.pk,
        ).values_list("user_id", flat=True)
    )
