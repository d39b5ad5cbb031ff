"""The inbox: a member's conversations, newest activity first, and their unread total."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Case, F, IntegerField, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import REMOVED_TEXT, Conversation
from ..payloads import iso
from .presence import OFFLINE, PresenceState, effective_status, live_presence

User = get_user_model()


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
