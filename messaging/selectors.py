"""Every read the doors need, with its query plan applied. Nothing here writes.

Visibility is decided here and nowhere else: a member sees only conversations they
are part of, and in each only the messages after their own delete-for-me marker.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from alumunity.users.models import NamePrefix
from alumunity.users.names import query_prefixes

from .exceptions import NotFound
from .models import REMOVED_TEXT, Block, Conversation, Message, Presence
from .payloads import iso

User = get_user_model()

OFFLINE = "offline"


def parse_user_id(value) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def get_member(user_id) -> User:
    """An active member by id; a malformed or unknown id is the same 404."""
    parsed = parse_user_id(user_id)
    member = User.objects.filter(pk=parsed, is_active=True).first() if parsed else None
    if member is None:
        raise NotFound("Member not found.")
    return member


def canonical_pair(first_id, second_id) -> tuple:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


def is_blocked_between(first_id, second_id) -> bool:
    return Block.objects.filter(
        Q(blocker_id=first_id, blocked_id=second_id) | Q(blocker_id=second_id, blocked_id=first_id)
    ).exists()


def typing_key(*, from_user_id, to_user_id) -> str:
    return f"typing:{from_user_id}:{to_user_id}"


# --- presence ---------------------------------------------------------------------------


class PresenceState(NamedTuple):
    """A presence row's two columns, for callers that read them as plain values."""

    mode: str | None
    last_seen_at: datetime | None


@dataclass(frozen=True)
class LivePresence:
    """What the member's sockets say: how many are open, and when the last one closed."""

    sockets: int = 0
    left_at: datetime | None = None


def socket_count_key(user_id) -> str:
    return f"sockets:{user_id}"


def socket_left_key(user_id) -> str:
    return f"sockets-left:{user_id}"


def live_presence(user_ids) -> dict:
    """LivePresence for each member, read from the cache in one round trip."""
    ids = list(user_ids)
    found = cache.get_many(
        [key for user_id in ids for key in (socket_count_key(user_id), socket_left_key(user_id))]
    )
    return {
        user_id: LivePresence(
            sockets=int(found.get(socket_count_key(user_id)) or 0),
            left_at=found.get(socket_left_key(user_id)),
        )
        for user_id in ids
    }


def effective_status(
    presence: Presence | PresenceState | None,
    *,
    now: datetime | None = None,
    live: LivePresence | None = None,
) -> str:
    """online / away / offline from the last activity; do_not_disturb when chosen.

    With `live` (the member's sockets), an open socket keeps the member at least away
    however long they are idle, and the close of their last socket makes them offline at
    once, until they are active again (a REST request, a new socket)."""
    if presence is None or presence.last_seen_at is None:
        return OFFLINE
    if (
        live is not None
        and live.sockets <= 0
        and live.left_at is not None
        and presence.last_seen_at <= live.left_at
    ):
        return OFFLINE
    if presence.mode == Presence.Mode.DO_NOT_DISTURB:
        return Presence.Mode.DO_NOT_DISTURB
    idle = (now or timezone.now()) - presence.last_seen_at
    if idle <= timedelta(seconds=settings.MESSAGING["ONLINE_WINDOW_SECONDS"]):
        return "online"
    if (live is not None and live.sockets > 0) or idle <= timedelta(
        seconds=settings.MESSAGING["AWAY_WINDOW_SECONDS"]
    ):
        return "away"
    return OFFLINE


def member_presence(*, user_id) -> dict:
    """The status and last_seen_at a member's partners are told (presence events)."""
    presence = Presence.objects.filter(user_id=user_id).first()
    return {
        "status": effective_status(presence, live=live_presence([user_id])[user_id]),
        "last_seen_at": presence.last_seen_at if presence else None,
    }


def presence_audience(*, user, limit: int = 500) -> list:
    """Who hears of this member's presence: the partners of their most recent
    conversations, never a member blocked either way. Bounded so that a member with
    thousands of conversations costs the same; the others read the status when they
    open the conversation."""
    pairs = (
        Conversation.objects.filter(Q(user_one=user) | Q(user_two=user))
        .order_by("-last_message_at")
        .values_list("user_one_id", "user_two_id")[:limit]
    )
    hidden = blocked_user_ids(user=user)
    partners = (two if one == user.pk else one for one, two in pairs)
    return [partner for partner in partners if partner not in hidden]


def blocked_user_ids(*, user) -> set:
    """Everyone this member has blocked or is blocked by (a block hides presence both ways)."""
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {blocked if blocker == user.pk else blocker for blocker, blocked in pairs}


# --- inbox ----------------------------------------------------------------------------


def _visible_conversations(user) -> QuerySet[Conversation]:
    return Conversation.objects.filter(
        Q(user_one=user, last_message_id__gt=F("cleared_through_id_one"))
        | Q(user_two=user, last_message_id__gt=F("cleared_through_id_two"))
    )


_SIDE_FIELDS = ("id", "name", "avatar_url", "presence__mode", "presence__last_seen_at")
_SUMMARY_COLUMNS = (
    "pk",
    "last_message_at",
    "unread_count_one",
    "unread_count_two",
    "last_message__message_text",
    "last_message__sender_id",
    "last_message__is_hidden",
    *(f"user_{side}__{field}" for side in ("one", "two") for field in _SIDE_FIELDS),
)


def list_conversations(*, user, limit: int, offset: int) -> tuple[list[dict], int]:
    """Conversation summaries (SPEC §3.3), newest activity first; two queries whatever
    the number of conversations: the page's ids with the total (a window count over the
    conversation rows alone, so they are read once and nothing is joined yet), then the
    page as plain rows with its last messages, both members and whether a block stands
    between them. Only a page past the end needs a COUNT of its own."""
    visible = _visible_conversations(user)
    ids_and_total = list(
        visible.annotate(matching_total=Window(Count("pk")))
        .order_by("-last_message_at", "-id")
        .values_list("pk", "matching_total")[offset : offset + limit]
    )
    if not ids_and_total:
        return [], visible.count() if offset else 0
    total = ids_and_total[0][1]
    # Plain rows, not models: building 50 rows of six model instances took longer than
    # both queries.
    queryset = Conversation.objects.filter(pk__in=[pk for pk, _ in ids_and_total])
    rows = list(
        queryset.annotate(blocked=_blocked_between(user, connections[queryset.db]))
        .order_by("-last_message_at", "-id")
        .values(*_SUMMARY_COLUMNS, "blocked")
    )
    others = [_other_side(row, user.pk) for row in rows]
    live = live_presence(other["id"] for other in others if other["presence__last_seen_at"])
    now = timezone.now()
    summaries = []
    for row, other in zip(rows, others, strict=True):
        mine_is_one = row["user_one__id"] == user.pk
        status = (
            OFFLINE
            if row["blocked"]
            else effective_status(
                PresenceState(other["presence__mode"], other["presence__last_seen_at"]),
                now=now,
                live=live.get(other["id"]),
            )
        )
        text = row["last_message__message_text"]
        summaries.append(
            {
                "conversation_id": row["pk"],
                "other_user_id": str(other["id"]),
                "other_user_name": other["name"],
                "photo_url": other["avatar_url"] or None,
                "last_message": REMOVED_TEXT if row["last_message__is_hidden"] else text,
                "last_message_at": iso(row["last_message_at"]),
                "unread_count": row["unread_count_one" if mine_is_one else "unread_count_two"],
                "last_message_from_me": text is not None
                and row["last_message__sender_id"] == user.pk,
                "other_user_status": status,
            }
        )
    return summaries, total


def _blocked_between(user, connection) -> RawSQL:
    """Whether a block stands between `user` and the other member of each conversation
    row. A member never blocks themself, so a block between them and either side of the
    conversation is one with the other member. Written as SQL: the same condition as an
    ORM Exists() over four OuterRefs cost more to build than the query took to run."""
    member = Block._meta.get_field("blocker").target_field.get_db_prep_value(user.pk, connection)
    sides = "(messaging_conversation.user_one_id, messaging_conversation.user_two_id)"
    return RawSQL(
        "EXISTS (SELECT 1 FROM messaging_block WHERE "
        f"(messaging_block.blocker_id = %s AND messaging_block.blocked_id IN {sides}) OR "
        f"(messaging_block.blocked_id = %s AND messaging_block.blocker_id IN {sides}))",
        [member, member],
        output_field=BooleanField(),
    )


def _other_side(row: dict, user_id) -> dict:
    side = "two" if row["user_one__id"] == user_id else "one"
    return {field: row[f"user_{side}__{field}"] for field in _SIDE_FIELDS}


def unread_total(*, user) -> int:
    side_counter = Case(
        When(user_one=user, then=F("unread_count_one")),
        default=F("unread_count_two"),
        output_field=IntegerField(),
    )
    result = Conversation.objects.filter(Q(user_one=user) | Q(user_two=user)).aggregate(
        total=Sum(side_counter)
    )
    return result["total"] or 0


# --- one conversation -------------------------------------------------------------------


@dataclass
class MessagePage:
    other_user: User
    conversation: Conversation | None
    messages: list[Message]
    total: int


def conversation_between(*, user, other_user_id) -> tuple[User, Conversation | None]:
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


def _before(anchor: Message) -> Q:
    return Q(sent_at__lt=anchor.sent_at) | Q(sent_at=anchor.sent_at, pk__lt=anchor.pk)


def _after(anchor: Message) -> Q:
    return Q(sent_at__gt=anchor.sent_at) | Q(sent_at=anchor.sent_at, pk__gt=anchor.pk)


def list_messages(
    *,
    user,
    other_user_id,
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
    visible = Message.objects.filter(conversation=conversation)
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
        anchor = visible.filter(pk=anchor_id).only("pk", "sent_at").first()
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


def read_receipts(*, sender, message_ids) -> dict[int, datetime]:
    """Which of these messages, sent by `sender`, have been read, and when: an open page
    turns ✓ into ✓✓ without fetching the history again. One indexed query."""
    return dict(
        Message.objects.filter(
            sender=sender, pk__in=list(message_ids), read_at__isnull=False
        ).values_list("pk", "read_at")
    )


def conversation_status(*, user, other_user_id) -> dict:
    other = get_member(other_user_id)
    if other.pk == user.pk:
        raise NotFound("Member not found.")
    presence = Presence.objects.filter(user=other).first()
    if other.pk in blocked_user_ids(user=user):
        return {
            "other_user_status": OFFLINE,
            "other_user_last_seen_at": None,
            "other_user_typing": False,
        }
    return {
        "other_user_status": effective_status(presence, live=live_presence([other.pk])[other.pk]),
        "other_user_last_seen_at": iso(presence.last_seen_at) if presence else None,
        "other_user_typing": bool(cache.get(typing_key(from_user_id=other.pk, to_user_id=user.pk))),
    }


# --- search -----------------------------------------------------------------------------


def visible_messages(*, user) -> QuerySet[Message]:
    """Every message this member may see, across their conversations."""
    return Message.objects.filter(
        Q(conversation__user_one=user, pk__gt=F("conversation__cleared_through_id_one"))
        | Q(conversation__user_two=user, pk__gt=F("conversation__cleared_through_id_two"))
    )


def search_messages(*, user, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, through the full-text index
    (messaging/search.py: FTS5 on SQLite, InnoDB FULLTEXT on MySQL/MariaDB, a bounded
    fallback for queries the index cannot answer). Hidden messages never match: their
    text must not reach a member again."""
    from .search import search

    return search(user=user, query=query, limit=limit)


# --- people -----------------------------------------------------------------------------


def search_members(*, user, query: str, limit: int) -> tuple[list[User], int]:
    """People to start a conversation with, by exact email address (a query with "@")
    or by name: every word of the query starts a word of the name, case- and
    accent-blind ("hop" and "grace h" find "Grace Hopper"). Names are read through the
    index of their prefixes (users.NamePrefix), never scanned. One query gives the
    page and, as a window count, the total."""
    members = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if "@" in query:
        matches = members.filter(email=User.objects.normalize_email(query))
    else:
        prefixes = query_prefixes(query)
        if not prefixes:
            return [], 0
        matches = members
        for prefix in prefixes:
            matches = matches.filter(
                pk__in=NamePrefix.objects.filter(prefix=prefix).values("user_id")
            )
    page = list(
        matches.annotate(matching_total=Window(Count("pk")))
        .only("id", "name", "avatar_url")
        .order_by("name", "id")[:limit]
    )
    return page, (page[0].matching_total if page else 0)


def list_blocked_users(*, user, limit: int | None = None, offset: int = 0) -> list[User]:
    """The members this one blocked, newest first; `limit` pages it (the API always does)."""
    blocks = Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")
    if limit is not None:
        blocks = blocks[offset : offset + limit]
    return [block.blocked for block in blocks]


def count_blocked_users(*, user) -> int:
    return Block.objects.filter(blocker=user).count()
