"""The inbox: a member's conversations, newest activity first, and their unread total."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple, TypedDict

from django.db import connections, router
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.sql import Query
from django.utils import timezone

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..models import DELETED_TEXT, REMOVED_TEXT, Block, Conversation, Message, Participant, Presence
from .presence import OFFLINE, PresenceState, effective_status, live_presence
from .privacy import activity_withheld_sql
from .rows import stored_moment, stored_uuid


class ConversationSummary(TypedDict):
    """One row of the inbox, as data: payloads.conversation_summary_payload words it.
    Every row has the original fields and version 2's kind, title (null for a direct
    one), member count and last sender's name; a group's other_user_* fields and photo
    are null."""

    conversation_id: int
    other_user_id: uuid.UUID | None
    other_user_name: str | None
    photo_url: str | None
    last_message: str | None
    last_message_at: datetime | None
    unread_count: int
    last_message_from_me: bool
    other_user_status: str | None
    is_request: bool
    kind: str
    title: str | None
    member_count: int
    last_message_sender_name: str | None


class _InboxRow(NamedTuple):
    """A row of _INBOX_SQL, its columns in the SELECT's order (the total, last, apart)."""

    conversation_id: int
    last_message_at: str | datetime | None
    unread_count: int
    last_message_text: str | None
    last_message_hidden: bool | None
    last_message_deleted: bool | None
    last_message_from_me: bool | None
    other_id: uuid.UUID | str | None
    other_name: str | None
    other_avatar_url: str | None
    presence_mode: str | None
    presence_last_seen_at: str | datetime | None
    blocked: bool
    kind: str
    title: str
    member_count: int | None
    sender_name: str | None
    is_request: bool
    presence_withheld: bool


def _visible_conversations(user: User) -> QuerySet[Participant]:
    return Participant.objects.filter(user=user, last_message_id__gt=F("cleared_through_id"))


_TABLES = {
    "conversation": Conversation._meta.db_table,
    "participant": Participant._meta.db_table,
    "message": Message._meta.db_table,
    "block": Block._meta.db_table,
    "presence": Presence._meta.db_table,
    "member": User._meta.db_table,
}

# The inbox is the most requested read, so its query is written as SQL: built through
# the ORM (a count, an OR of both sides, an EXISTS over four OuterRefs, five joins,
# converters per column) it cost more Python than the database took to answer it. It
# runs unchanged on SQLite and MySQL/MariaDB, and is one round trip: the page's
# participant rows with the total are a derived table, then joined to the rest.
# The page's rows come from participant_inbox_rows (member, request flag, -last
# activity, -conversation, …), which holds the page's whole order, so both databases read
# the first rows of the member's index and stop there; before, MariaDB read and sorted
# all of them (1,300 rows for the hot member: 1.4 ms, now 0.3). The total is a subquery
# that names no outer column, run once, from the same index alone (it holds the
# visibility columns): a window count (COUNT(*) OVER ()) would make the page wait for
# every row.
# Only the other member is joined: their id is the side of the pair that is not the
# reader. A member never blocks themself, so any block naming the reader and that
# member stands between them.
# The page's rows come back unordered and are sorted in Python (_page_order).
# A group's member count is its conversation's member_count (counting its rows for each
# group of a page took MariaDB 0.35 ms of the hot member's 2 ms statement).
# Uses index: participant_inbox_rows for the page and the total; the primary keys of
# every table joined (the page's participant rows, their conversations, the member, the
# presence row, the last message), and block_pair_unique (blocker, blocked) for each
# EXISTS: one per direction, as one EXISTS over an OR of both made MariaDB scan the
# whole index for every row of the page.
_INBOX_SQL = """
    SELECT p.conversation_id, p.last_message_at, p.unread_count,
           m.message_text, m.is_hidden, m.deleted_at IS NOT NULL, m.sender_id = %s,
           other.id, other.name, other.avatar_url, presence.mode, presence.last_seen_at,
           EXISTS (SELECT 1 FROM {block} b WHERE b.blocker_id = %s AND b.blocked_id = other.id)
           OR EXISTS (SELECT 1 FROM {block} b WHERE b.blocker_id = other.id AND b.blocked_id = %s),
           c.kind, c.title,
           CASE WHEN c.kind = 'group' THEN c.member_count END,
           CASE WHEN c.kind = 'group' THEN sender.name END,
           p.is_request,
           {withheld},
           page.total
    FROM (SELECT p.id,
                 (SELECT COUNT(*) FROM {participant} q
                  WHERE q.user_id = %s AND q.is_request = %s
                    AND q.last_message_id > q.cleared_through_id) AS total
          FROM {participant} p
          WHERE p.user_id = %s AND p.is_request = %s
            AND p.last_message_id > p.cleared_through_id
          ORDER BY p.last_message_at DESC, p.conversation_id DESC
          LIMIT %s OFFSET %s) page
    JOIN {participant} p ON p.id = page.id
    JOIN {conversation} c ON c.id = p.conversation_id
    LEFT JOIN {member} other
      ON other.id = CASE WHEN c.user_one_id = %s THEN c.user_two_id ELSE c.user_one_id END
    LEFT JOIN {presence} presence ON presence.user_id = other.id
    LEFT JOIN {message} m ON m.id = p.last_message_id
    LEFT JOIN {member} sender ON sender.id = m.sender_id AND c.kind = 'group'
""".format(
    **_TABLES,
    withheld=activity_withheld_sql(conversation="c", other="other"),
)


def list_conversations(
    *, user: User, limit: int, offset: int, requests: bool = False
) -> tuple[list[ConversationSummary], int]:
    """Conversation summaries, newest activity first; one query whatever the number of
    conversations: the page with its total, last messages, the other members, their
    presence and whether a block stands between. Only a page past the end needs a
    COUNT of its own.

    The inbox leaves out message requests waiting for the member; `requests=True`
    lists those instead (GET /api/messages/requests)."""
    connection = connections[router.db_for_read(Conversation)]
    me = User._meta.pk.get_db_prep_value(user.pk, connection)
    shown = int(user.show_presence)
    with connection.cursor() as cursor:
        cursor.execute(
            _INBOX_SQL,
            [me, me, me, shown, me, int(requests), me, int(requests), limit, offset, me],
        )
        found = sorted(cursor.fetchall(), key=_page_order, reverse=True)
    if not found:
        visible = _visible_conversations(user).filter(is_request=requests)
        return [], visible.count() if offset else 0
    rows = [_InboxRow._make(row[:-1]) for row in found]
    # Each member id converted once (a UUID from 32 hex digits is most of a row's cost).
    others = {row.other_id: stored_uuid(row.other_id) for row in rows if row.other_id}
    last_seen = {
        others[row.other_id]: stored_moment(row.presence_last_seen_at)
        for row in rows
        if row.other_id
    }
    # The other members' sockets, for their status: a page of groups alone has none to ask.
    seen = (other_id for other_id, moment in last_seen.items() if moment)
    live = live_presence(seen) if others else {}
    now = timezone.now()
    summaries = [_summary(row, user, others, last_seen, live, now) for row in rows]
    return summaries, found[0][-1]


def _page_order(row: tuple) -> tuple[datetime, int]:
    """The page's order (newest activity first, reversed), restored on its 50 rows: an
    ORDER BY on the joined rows made MariaDB copy them into a temporary table on disk
    (the last message's text is a LONGTEXT, which an in-memory one cannot hold) to sort
    them, 0.25 ms of a 1.3 ms statement. A visible row always has a last activity (the
    driver's naive UTC time on both databases)."""
    return row[1], row[0]


def _summary(
    row: _InboxRow, user: User, others: dict, last_seen: dict, live: dict, now: datetime
) -> ConversationSummary:
    summary = ConversationSummary(
        conversation_id=row.conversation_id,
        other_user_id=None,
        other_user_name=None,
        photo_url=None,
        last_message=_preview(row),
        last_message_at=stored_moment(row.last_message_at),
        unread_count=row.unread_count,
        last_message_from_me=bool(row.last_message_from_me),
        other_user_status=None,
        is_request=bool(row.is_request),
        kind=row.kind,
        title=row.title,
        member_count=row.member_count or 0,
        last_message_sender_name=row.sender_name,
    )
    if row.kind == Conversation.Kind.GROUP or row.other_id is None:
        return summary
    summary["title"] = None
    summary["member_count"] = 2
    summary["last_message_sender_name"] = user.name if row.last_message_from_me else row.other_name
    other_id = others[row.other_id]
    summary["other_user_id"] = other_id
    summary["other_user_name"] = row.other_name
    summary["photo_url"] = row.other_avatar_url or None
    summary["other_user_status"] = (
        OFFLINE
        if row.blocked or row.presence_withheld
        else effective_status(
            PresenceState(row.presence_mode, last_seen[other_id]), now=now, live=live.get(other_id)
        )
    )
    return summary


def _preview(row: _InboxRow) -> str | None:
    """The last message as its members see it: a placeholder once hidden or deleted."""
    if row.last_message_hidden:
        return REMOVED_TEXT
    return DELETED_TEXT if row.last_message_deleted else row.last_message_text


class InboxCounts(NamedTuple):
    unread: int
    requests: int


def inbox_counts(*, user: User) -> InboxCounts:
    """The unread total of the inbox (message requests waiting are not in it) and how
    many requests wait: one aggregate. Uses index: participant_inbox_rows (its leading
    column is the member)."""
    result = Participant.objects.filter(user=user).aggregate(
        total=Sum("unread_count", filter=Q(is_request=False)),
        requests=Count(
            "pk", filter=Q(is_request=True, last_message_id__gt=F("cleared_through_id"))
        ),
    )
    return InboxCounts(result["total"] or 0, result["requests"] or 0)


def _unread_total_query(*, member_id: uuid.UUID) -> Query:
    """SUM over the member's rows with no GROUP BY: grouping by the member, as the ORM's
    annotate does, made MariaDB build a temporary table for the one group (0.2-0.3 ms)."""
    query = (
        Participant.objects.filter(user_id=member_id, unread_count__gt=0, is_request=False)
        .order_by()
        .query
    )
    query.add_annotation(Sum("unread_count"), "total", select=True)
    query.default_cols = False
    return query


# Compiled once (alumunity.prepared): every page's badge and every app polls it. One row,
# whose sum is NULL when nothing is unread.
_UNREAD_TOTAL = Prepared(_unread_total_query, member_id=Participant._meta.get_field("user"))


def unread_total(*, user: User) -> int:
    """Uses index: participant_inbox_rows, which holds every column asked for: the
    member's conversations that are not requests are one range of it, and their rows
    are never read. (An index of the unread counters alone read fewer entries, but every
    send had to move one more entry per member: 0.35 ms of a 50-member group's send on
    SQLite, 0.6-1 ms on MariaDB, against 0.04 ms more here on SQLite for 1,300
    conversations, and no difference on MariaDB.)"""
    [(total,)] = _UNREAD_TOTAL.rows(Participant, member_id=user.pk)
    return total or 0
