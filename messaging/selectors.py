"""Every read the doors need, with its query plan applied. Nothing here writes.

Visibility is decided here and nowhere else: a member sees only conversations they
are part of, and in each only the messages after their own delete-for-me marker.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connections, router
from django.db.models import (
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
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from alumunity.users.models import NamePrefix
from alumunity.users.names import is_email_lookup, query_prefixes

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


# The inbox is the most requested read, so its two queries are written as SQL: built
# through the ORM (a window count, an OR of both sides, an EXISTS over four OuterRefs,
# five joins, converters per column) they cost more Python than the database took to
# answer them. Both run unchanged on SQLite and MySQL/MariaDB.
_INBOX_IDS_SQL = """
    SELECT c.id, COUNT(*) OVER ()
    FROM messaging_conversation c
    WHERE (c.user_one_id = %s AND c.last_message_id > c.cleared_through_id_one)
       OR (c.user_two_id = %s AND c.last_message_id > c.cleared_through_id_two)
    ORDER BY c.last_message_at DESC, c.id DESC
    LIMIT %s OFFSET %s
"""
# Only the other member is joined: their id is the side of the pair that is not the
# reader. A member never blocks themself, so any block naming the reader and that
# member stands between them.
_INBOX_PAGE_SQL = """
    SELECT c.id, c.last_message_at,
           CASE WHEN c.user_one_id = %s THEN c.unread_count_one ELSE c.unread_count_two END,
           m.message_text, m.is_hidden, m.sender_id = %s,
           other.id, other.name, other.avatar_url, presence.mode, presence.last_seen_at,
           EXISTS (SELECT 1 FROM messaging_block b
                   WHERE (b.blocker_id = %s AND b.blocked_id = other.id)
                      OR (b.blocker_id = other.id AND b.blocked_id = %s))
    FROM messaging_conversation c
    JOIN users_user other
      ON other.id = CASE WHEN c.user_one_id = %s THEN c.user_two_id ELSE c.user_one_id END
    LEFT JOIN messaging_presence presence ON presence.user_id = other.id
    LEFT JOIN messaging_message m ON m.id = c.last_message_id
    WHERE c.id IN ({ids})
    ORDER BY c.last_message_at DESC, c.id DESC
"""


def list_conversations(*, user, limit: int, offset: int) -> tuple[list[dict], int]:
    """Conversation summaries (SPEC §3.3), newest activity first; two queries whatever
    the number of conversations: the page's ids with the total (a window count over the
    conversation rows alone, so they are read once and nothing is joined yet), then the
    page with its last messages, the other members, their presence and whether a block
    stands between. Only a page past the end needs a COUNT of its own."""
    connection = connections[router.db_for_read(Conversation)]
    me = User._meta.pk.get_db_prep_value(user.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(_INBOX_IDS_SQL, [me, me, limit, offset])
        ids_and_total = cursor.fetchall()
        if not ids_and_total:
            return [], _visible_conversations(user).count() if offset else 0
        ids = [pk for pk, _ in ids_and_total]
        sql = _INBOX_PAGE_SQL.format(ids=", ".join(["%s"] * len(ids)))
        cursor.execute(sql, [me, me, me, me, me, *ids])
        rows = cursor.fetchall()
    others = [(_uuid(row[6]), _moment(row[10])) for row in rows]
    live = live_presence(other_id for other_id, last_seen in others if last_seen)
    now = timezone.now()
    summaries = []
    for row, (other_id, last_seen) in zip(rows, others, strict=True):
        pk, last_at, unread, text, hidden, from_me, _, name, avatar, mode, _, blocked = row
        status = (
            OFFLINE
            if blocked
            else effective_status(PresenceState(mode, last_seen), now=now, live=live.get(other_id))
        )
        summaries.append(
            {
                "conversation_id": pk,
                "other_user_id": str(other_id),
                "other_user_name": name,
                "photo_url": avatar or None,
                "last_message": REMOVED_TEXT if hidden else text,
                "last_message_at": iso(_moment(last_at)),
                "unread_count": unread,
                "last_message_from_me": bool(from_me),
                "other_user_status": status,
            }
        )
    return summaries, ids_and_total[0][1]


def _uuid(value) -> uuid.UUID:
    """A member id as the driver returns it: SQLite stores 32 hex digits, MariaDB 10.7+
    has a native UUID type."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _moment(value) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite returns text, MySQL a naive
    datetime; both hold UTC (USE_TZ)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value


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
    index of their prefixes (users.NamePrefix), never scanned: one query counts, sorts
    and pages the matches inside that index, a second fetches the page's members."""
    members = (
        User.objects.filter(is_active=True).exclude(pk=user.pk).only("id", "name", "avatar_url")
    )
    if is_email_lookup(query):
        found = list(members.filter(email=User.objects.normalize_email(query)))
        return found, len(found)
    prefixes = query_prefixes(query)
    if not prefixes:
        return [], 0
    # The index holds active members only (User.save() keeps it so).
    matches = NamePrefix.objects.filter(prefix=prefixes[0]).exclude(user=user)
    for prefix in prefixes[1:]:
        matches = matches.filter(
            user__in=NamePrefix.objects.filter(prefix=prefix).values("user_id")
        )
    page = list(
        matches.annotate(matching_total=Window(Count("pk")))
        .order_by("name", "user_id")
        .values_list("user_id", "matching_total")[:limit]
    )
    if not page:
        return [], 0
    by_id = members.in_bulk([member_id for member_id, _ in page])
    return [by_id[member_id] for member_id, _ in page if member_id in by_id], page[0][1]


def list_blocked_users(*, user, limit: int | None = None, offset: int = 0) -> list[User]:
    """The members this one blocked, newest first; `limit` pages it (the API always does)."""
    blocks = Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")
    if limit is not None:
        blocks = blocks[offset : offset + limit]
    return [block.blocked for block in blocks]


def count_blocked_users(*, user) -> int:
    return Block.objects.filter(blocker=user).count()
