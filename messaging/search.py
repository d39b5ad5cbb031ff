"""Full-text message search behind selectors.search_messages.

Each backend's index is scoped to members: every word of a visible message is indexed
once per participant, suffixed with that member's id, so a search reads only the
postings of the searching member's own messages with those words, never other
members' nor the member's messages without them:

- SQLite (migrations 0008, 0014): a contentless FTS5 table over `<word>_<32 hex of the
  member id>` terms, the sender's terms first and then the recipient's, so a phrase's
  words stay adjacent. Triggers write it through messaging_search_terms(), a Python
  function registered on every SQLite connection. Accents and case are folded by the
  unicode61 tokenizer ("cafe" finds "café").
- MySQL / MariaDB (migration 0023): a B-tree of postings, messaging_search_posting,
  one row per (scope, word, message) with the message's conversation, written by
  triggers in the message's own transaction. The scope is the member's whole id for a
  direct message (one posting per participant); the word is folded by the column's
  utf8mb4_unicode_ci collation. A search reads the member's postings of its first word
  newest first from the primary key, checks them against each further word's messages
  (read once), and stops at the page or the total's cap. (InnoDB FULLTEXT, used before,
  decoded every match of a term before anything could be limited: the README's
  Performance section has figures.)
- A group message (it has no recipient) is indexed once, for its conversation, as
  `<word>_c<conversation id>` (migration 0014): a group's members change, its messages
  do not. A search asks for the member's own terms and for the terms of every group
  they are or were in, and each group match is checked against the member's window
  (from the message that added them to the one recording their leaving, after their
  delete-for-me marker), so a group's messages from before they joined or after they
  left never match. Direct messages keep their per-member terms. On SQLite the groups'
  words are also postings (migration 0026, messaging/search_group_postings.py): one
  range of a B-tree per group where FTS5 took a term lookup each; FTS5's group terms
  still answer a phrase.
- A hidden message has no terms, so it can never match.
- A query with no word at all (punctuation or emoji only) searches the member's newest
  FALLBACK_WINDOW visible messages for the text as typed, case-blind.

A query in double quotes is a phrase; otherwise every word must appear. Words are
matched whole (no prefix matching). User input never reaches the MATCH syntax raw:
only \\w+ words are kept, each one quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    FilteredRelation,
    Q,
)
from django.db.models.expressions import RawSQL

from alumunity.users.models import User

from .models import Conversation, Message, Participant
from .search_group_postings import group_postings_sql, group_words
from .search_postings import MEMBER_SUFFIX_LENGTH as MEMBER_SUFFIX_LENGTH
from .search_postings import mysql_ids, postings_sql, postings_words
from .search_scopes import WORD, Window, group_suffix, is_phrase, member_windows

FALLBACK_WINDOW = 2000
# How many of FTS5's matches are read at a time while looking for the visible ones.
_BATCH = 256
_MESSAGES = Message._meta.db_table
# The SQLite full-text table, created (with its triggers) by migration 0008.
FTS_TABLE = f"{_MESSAGES}_fts"


def member_terms(
    text: str | None, sender_hex: str, recipient_hex: str | None, is_hidden: object
) -> str:
    """What the SQLite index holds for one message (the triggers of migration 0008 call
    this as messaging_member_terms): each word suffixed with the sender's id, then each
    word suffixed with the recipient's id; nothing for a hidden message."""
    if is_hidden or not text:
        return ""
    words = WORD.findall(text)
    members = [member for member in (sender_hex, recipient_hex) if member]
    return " ".join(f"{word}_{member}" for member in members for word in words)


def search_terms(
    text: str | None,
    sender_hex: str,
    recipient_hex: str | None,
    conversation_id: int,
    is_hidden: object,
) -> str:
    """What the SQLite index holds for one message since migration 0014 (its triggers
    call this as messaging_search_terms): a direct message's member terms as above; a
    group message's words once, each suffixed with its conversation (`_c<id>`)."""
    if recipient_hex:
        return member_terms(text, sender_hex, recipient_hex, is_hidden)
    if is_hidden or not text:
        return ""
    return " ".join(f"{word}_{group_suffix(conversation_id)}" for word in WORD.findall(text))


def register_sqlite_functions(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    if connection.vendor == "sqlite":
        # The triggers of migrations 0008-0013 call the first; 0014's the second.
        connection.connection.create_function(
            "messaging_member_terms", 4, member_terms, deterministic=True
        )
        connection.connection.create_function(
            "messaging_search_terms", 5, search_terms, deterministic=True
        )
        # The group postings' triggers (migration 0026).
        connection.connection.create_function(
            "messaging_group_words", 1, group_words, deterministic=True
        )


def match_expression(
    vendor: str,
    user: User,
    query: str,
    group_ids: Sequence[int] = (),
    *,
    own_terms: bool = True,
) -> str | None:
    """The MATCH / AGAINST expression for this backend, or None when the index cannot
    answer the query: the query's words (each quoted) all in the member's own terms
    (unless own_terms is False) or all in the terms of one of the groups `group_ids`."""
    words = WORD.findall(query)
    if not words:
        return None
    groups = [group_suffix(group_id) for group_id in group_ids]
    if vendor == "sqlite":
        # Every word of the member's direct messages is indexed as <word>_<member id>
        # (migration 0008) and of a group's as <word>_c<group> (0014), a message's words
        # in order, so a phrase is an FTS5 phrase.
        scopes = [user.pk.hex] * own_terms + groups
        if is_phrase(query):
            alternatives = ['"{}"'.format(" ".join(f"{w}_{s}" for w in words)) for s in scopes]
        else:
            alternatives = [" AND ".join(f'"{w}_{s}"' for w in words) for s in scopes]
        if len(alternatives) == 1:
            return alternatives[0]
        return " OR ".join(f"({alternative})" for alternative in alternatives)
    if vendor == "mysql":
        # The postings' keys the search reads (migration 0023), written as the terms of
        # the FULLTEXT index before them: each word in the member's scope, or each in
        # one group's; a phrase is then checked on the text (postings_sql).
        scopes = [user.pk.hex] * own_terms + groups
        return " OR ".join(
            "({})".format(" AND ".join(f"{word}_{scope}" for word in postings_words(query)))
            for scope in scopes
        )
    return None


def full_text_condition(
    vendor: str,
    user: User,
    query: str,
    group_ids: Sequence[int] = (),
    *,
    own_terms: bool = True,
) -> RawSQL | None:
    """The WHERE condition on messaging_message for this backend, or None."""
    expression = match_expression(vendor, user, query, group_ids, own_terms=own_terms)
    if expression is None:
        return None
    if vendor == "sqlite":
        # Uses index: the FTS5 table's own term index (MATCH), then the primary key.
        return RawSQL(
            f'"{_MESSAGES}"."id" IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)',
            [expression],
            output_field=BooleanField(),
        )
    own = [user.pk.hex] if own_terms else []
    sql, params = postings_sql(query, own + [group_suffix(pk) for pk in group_ids])
    return RawSQL(f"`{_MESSAGES}`.`id` IN (SELECT message_id FROM ({sql}) AS matches)", params)


class Matches(NamedTuple):
    """The ids of a page of matches, newest first, and how many matched: every match,
    or, when counting stopped at the cap, the cap with `total_is_lower_bound`."""

    page_ids: list[int]
    total: int
    total_is_lower_bound: bool = False


def matches(*, user: User, query: str, limit: int, count_up_to: int | None = None) -> Matches:
    """The ids of the visible messages matching `query`, newest first, and how many
    match: all of them, or, with `count_up_to`, up to that many (past it the total is
    that many, a lower bound, and the matching stops there: the newest ones are all the
    page needs). Two queries on MySQL/MariaDB (a third only when a window hid so many
    matches that more must be read), three on SQLite, two for the fallback."""
    query = query.strip()
    connection = connections[Message.objects.all().db]
    vendor = connection.vendor
    # One past the cap tells "more than that"; a page larger than the cap needs its all.
    enough = None if count_up_to is None else max(count_up_to + 1, limit)
    if WORD.search(query) is None:
        ordered_ids = _search_recent(user=user, query=query)
    elif vendor == "sqlite":
        ordered_ids = _sqlite_ids(connection, user, query, enough)
    else:
        ordered_ids = mysql_ids(connection, user, query, enough)
    total = len(ordered_ids)
    if count_up_to is not None and total > count_up_to:
        return Matches(ordered_ids[:limit], count_up_to, total_is_lower_bound=True)
    return Matches(ordered_ids[:limit], total)


def _sqlite_ids(
    connection: BaseDatabaseWrapper, user: User, query: str, enough: int | None
) -> list[int]:
    """FTS5 answers, newest first (the first `enough` when given), and each match outside
    the member's whole history is checked against their row in its conversation (their
    window and marker). FTS5 drives, so the cost follows the matches, never the member's
    whole history; a message's conversation is looked up only where a window may exclude
    it (groups, delete-for-me markers)."""
    windows = member_windows(user)
    own = match_expression("sqlite", user, query)
    assert own is not None  # search() found a word
    if not windows:
        # Hidden messages have no terms in FTS5, the terms carry the member's whole id,
        # and the member is in no group and has no delete-for-me marker, so every match
        # is visible: the index alone answers.
        return _fts5_ids_newest_first(connection, own, enough)
    marked = any(not window.is_group for window in windows.values())
    parts = [_fts5_part(own, with_conversation=marked)]  # direct markers: their windows
    # A group whose window holds no message (they left before anything was said) has
    # nothing to find: its words are not looked up.
    group_ids = [pk for pk, window in windows.items() if window.is_group and not window.empty]
    if group_ids:
        parts.append(_groups_part(user, query, group_ids))
    return _visible_in_order(connection, parts, windows, enough)


# Uses index: the FTS5 table's term index, then the message primary key.
_FTS5_JOINED = (
    f'SELECT f.rowid, m.conversation_id FROM {FTS_TABLE} f CROSS JOIN "{_MESSAGES}" m '
    f"ON m.id = f.rowid WHERE f.{FTS_TABLE} MATCH %s"
)
# Uses index: the FTS5 table's term index.
_FTS5_ALONE = f"SELECT rowid, NULL FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"


def _fts5_part(expression: str, *, with_conversation: bool) -> tuple[str, list[Any]]:
    """FTS5's matches of `expression` as (id, conversation id) rows. The conversation
    is None unless asked for: then each of FTS5's rowids is looked up by primary key
    (CROSS JOIN keeps FTS5 as the outer loop), which costs more than the index alone."""
    return (_FTS5_JOINED if with_conversation else _FTS5_ALONE), [expression]


def _groups_part(user: User, query: str, group_ids: list[int]) -> tuple[str, list[Any]]:
    """The matches in the member's groups `group_ids`, with their conversations: from
    the group postings (migration 0026), or for a phrase, whose words must stand in
    order, from FTS5's group terms."""
    if is_phrase(query):
        in_groups = match_expression("sqlite", user, query, group_ids, own_terms=False)
        assert in_groups is not None  # search() found a word
        return _fts5_part(in_groups, with_conversation=True)
    return group_postings_sql(query, [group_suffix(pk) for pk in group_ids])


def _visible_in_order(
    connection: BaseDatabaseWrapper,
    parts: list[tuple[str, list[Any]]],
    windows: dict[int, Window],
    enough: int | None,
) -> list[int]:
    """The visible matches of each part (SQL giving id and conversation id rows),
    newest first, read from one statement (UNION ALL) until `enough` are found. A part
    that comes out of its index newest first (FTS5) is merged as it comes (MERGE (UNION
    ALL)); the group postings, a range per group, are sorted first. SQLite stops reading
    where this stops reading rows."""
    sql = " UNION ALL ".join(part_sql for part_sql, _ in parts)
    visible: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY 1 DESC", [value for _, params in parts for value in params])
        while rows := cursor.fetchmany(_BATCH):
            for pk, conversation_id in rows:
                if conversation_id not in windows or windows[conversation_id].shows(pk):
                    visible.append(pk)
                    if len(visible) == enough:
                        return visible
    return visible


def _fts5_ids_newest_first(
    connection: BaseDatabaseWrapper, expression: str, enough: int | None
) -> list[int]:
    """Every matching id (the first `enough` when given), newest first, in one pass (its
    length is the total; a COUNT and then a page would visit every match twice). FTS5
    hands out rowids from its own index, in descending order, without reading the
    message rows at all, and stops at the LIMIT. Ids follow send time: a message's
    sent_at is taken when it is inserted."""
    with connection.cursor() as cursor:
        # Uses index: the FTS5 table's term index; rowids come out of it in order.
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            "ORDER BY rowid DESC LIMIT %s",
            [expression, -1 if enough is None else enough],
        )
        return [row[0] for row in cursor.fetchall()]


def _search_recent(*, user: User, query: str) -> list[int]:
    """The bounded fallback: the member's newest FALLBACK_WINDOW visible messages, read
    through the sender index and the recipient index (and the conversation index for
    their groups' messages), filtered here case-blind."""
    needle = query.casefold()
    if not needle:
        return []
    own = (
        Message.objects.filter(is_hidden=False)
        .annotate(
            _me=FilteredRelation(
                "conversation__participants", condition=Q(conversation__participants__user=user)
            )
        )
        .order_by("-id")
        .values_list(
            "pk",
            "message_text",
            "_me__cleared_through_id",
            "_me__first_message_id",
            "_me__last_message_id",
        )
    )
    groups = Participant.objects.filter(
        user=user, conversation__kind=Conversation.Kind.GROUP
    ).values("conversation_id")
    rows = list(own.filter(sender=user)[:FALLBACK_WINDOW])
    rows += own.filter(Q(recipient=user) | Q(recipient=None, conversation__in=groups))[
        :FALLBACK_WINDOW
    ]
    rows.sort(key=lambda row: row[0], reverse=True)
    return [
        pk
        for pk, text, cleared, first, last in rows[:FALLBACK_WINDOW]
        if (cleared or 0) < pk and (first or 0) <= pk <= (last or 0) and needle in text.casefold()
    ]
