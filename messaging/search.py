"""Full-text message search behind selectors.search_messages.

Each backend's index is scoped to members: every word of a visible message is indexed
once per participant, suffixed with that member's id, so a search reads only the
postings of the searching member's own messages with those words, never other
members' nor the member's messages without them:

- SQLite (migration 0008): a contentless FTS5 table over `<word>_<32 hex of the
  member id>` terms, the sender's terms first and then the recipient's, so a phrase's
  words stay adjacent. Triggers write it through messaging_member_terms(), a Python
  function registered on every SQLite connection. Accents and case are folded by the
  unicode61 tokenizer ("cafe" finds "café").
- MySQL / MariaDB (migration 0007): InnoDB FULLTEXT over a stored generated column with
  <word>_<first 12 hex of the member id> terms (InnoDB caps token length, and decodes a
  term's whole posting list, so a member-wide owner token would make a busy member's
  every search decode their whole history; the README's Performance section has figures).
  The suffix makes every word longer than innodb_ft_min_token_size and never a
  stopword, so short words and stopwords are searchable on both backends.
- A hidden message has no terms, so it can never match.
- A query with no word at all (punctuation or emoji only) searches the member's newest
  FALLBACK_WINDOW visible messages for the text as typed, case-blind.

A query in double quotes is a phrase; otherwise every word must appear. Words are
matched whole (no prefix matching). User input never reaches the MATCH syntax raw:
only \\w+ words are kept, each one quoted.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, FilteredRelation, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler

from alumunity.users.models import User

from .models import Message, Participant

FALLBACK_WINDOW = 2000
_MESSAGES = Message._meta.db_table
# The SQLite full-text table, created (with its triggers) by migration 0008.
FTS_TABLE = f"{_MESSAGES}_fts"
# MySQL / MariaDB: how many hex digits of a member's id suffix their words (0007).
MEMBER_SUFFIX_LENGTH = 12
_WORD = re.compile(r"\w+")


def member_terms(
    text: str | None, sender_hex: str, recipient_hex: str | None, is_hidden: object
) -> str:
    """What the SQLite index holds for one message (the triggers of migration 0008 call
    this as messaging_member_terms): each word suffixed with the sender's id, then each
    word suffixed with the recipient's id; nothing for a hidden message."""
    if is_hidden or not text:
        return ""
    words = _WORD.findall(text)
    members = [member for member in (sender_hex, recipient_hex) if member]
    return " ".join(f"{word}_{member}" for member in members for word in words)


def register_sqlite_functions(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "messaging_member_terms", 4, member_terms, deterministic=True
        )


def visible_to(user: User) -> QuerySet[Message]:
    """The member's messages after their own delete-for-me marker, hidden ones excluded
    (a hidden message's text must never reach a member again)."""
    return Message.objects.filter(
        conversation__participants__user=user,
        pk__gt=F("conversation__participants__cleared_through_id"),
        pk__gte=F("conversation__participants__first_message_id"),
        pk__lte=F("conversation__participants__last_message_id"),
        is_hidden=False,
    )


def _is_phrase(query: str) -> bool:
    return len(query) > 2 and query.startswith('"') and query.endswith('"')


def match_expression(vendor: str, user: User, query: str) -> str | None:
    """The MATCH / AGAINST expression for this backend (the member's own terms for the
    words, each quoted), or None when the index cannot answer the query."""
    words = _WORD.findall(query)
    if not words:
        return None
    if vendor == "sqlite":
        # Every word of the member's own messages is indexed as <word>_<member id>
        # (migration 0008), a message's words in order, so a phrase is an FTS5 phrase.
        terms = [f"{word}_{user.pk.hex}" for word in words]
        if _is_phrase(query):
            return '"{}"'.format(" ".join(terms))
        return " AND ".join(f'"{term}"' for term in terms)
    if vendor == "mysql":
        # Every word of the member's own messages is indexed as <word>_<member>
        # (migration 0007); a phrase is checked on the text as well (see below).
        suffix = user.pk.hex[:MEMBER_SUFFIX_LENGTH]
        return " ".join(f'+"{word}_{suffix}"' for word in words)
    return None


def full_text_condition(vendor: str, user: User, query: str) -> RawSQL | None:
    """The WHERE condition on messaging_message for this backend, or None."""
    expression = match_expression(vendor, user, query)
    if expression is None:
        return None
    if vendor == "sqlite":
        # Uses index: the FTS5 table's own term index (MATCH), then the primary key.
        return RawSQL(
            f'"{_MESSAGES}"."id" IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)',
            [expression],
            output_field=BooleanField(),
        )
    # Uses index: the FULLTEXT index on search_terms (migration 0007); compared with
    # "> 0", the form MySQL and MariaDB answer from that index.
    sql = f"MATCH (`{_MESSAGES}`.`search_terms`) AGAINST (%s IN BOOLEAN MODE) > 0"
    params = [expression]
    if _is_phrase(query):
        # The terms are interleaved per participant, so InnoDB cannot see adjacency:
        # the phrase itself is checked on the candidates (the collation folds case and
        # accents, as the index does).
        phrase = " ".join(_WORD.findall(query))
        escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        sql += f" AND `{_MESSAGES}`.`message_text` LIKE %s"
        params.append(f"%{escaped}%")
    return RawSQL(sql, params, output_field=BooleanField())


class _Where(Lookup):
    """Puts a boolean SQL condition in WHERE as it is: Django would otherwise add
    "= True" on MySQL, which hides the MATCH from the optimizer."""

    lookup_name = "raw_where"

    def __init__(self, condition: RawSQL) -> None:
        super().__init__(condition, True)

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        return compiler.compile(self.lhs)


def search(*, user: User, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, and how many match in all.
    At most three queries whichever path is taken."""
    query = query.strip()
    connection = connections[Message.objects.all().db]
    vendor = connection.vendor
    if vendor == "mysql" and connection.in_atomic_block:
        # InnoDB adds rows to a FULLTEXT index only at commit, so inside a transaction
        # the index cannot see that transaction's own writes; the bounded scan can.
        return _search_recent(user=user, query=query, limit=limit)
    condition = full_text_condition(vendor, user, query)
    if condition is None:
        return _search_recent(user=user, query=query, limit=limit)
    if vendor == "sqlite" and not _has_cleared_history(user):
        # Hidden messages have no terms in FTS5, the terms carry the member's whole id,
        # and the member has no delete-for-me marker, so every match is visible: the
        # index alone answers.
        expression = match_expression(vendor, user, query)
        assert expression is not None  # full_text_condition found one
        ordered_ids = _fts5_ids_newest_first(connection, expression)
    else:
        # Each match is checked against its conversation (markers, and membership: on
        # MySQL/MariaDB the suffix is 48 bits of the id); the <word>_<member> terms
        # already narrowed the matches to the member's own messages.
        matches = visible_to(user).filter(_Where(condition))
        ordered_ids = list(matches.order_by("-id").values_list("id", flat=True))
    return _first_page(ordered_ids, limit)


def _first_page(ordered_ids: list[int], limit: int) -> tuple[list[Message], int]:
    """The first `limit` of the matching ids (newest first) as messages, and how many
    matched in all."""
    if not ordered_ids:
        return [], 0
    results = list(
        Message.objects.filter(pk__in=ordered_ids[:limit])
        .select_related("sender", "recipient", "conversation")
        .order_by("-sent_at", "-id")
    )
    return results, len(ordered_ids)


def _has_cleared_history(user: User) -> bool:
    """Whether any of the member's conversations hides part of its history from them."""
    return Participant.objects.filter(
        Q(cleared_through_id__gt=0) | Q(first_message_id__gt=0) | Q(left_at__isnull=False),
        user=user,
    ).exists()


def _fts5_ids_newest_first(connection: BaseDatabaseWrapper, expression: str) -> list[int]:
    """Every matching id, newest first, in one pass (its length is the total; a COUNT
    and then a page would visit every match twice). FTS5 hands out rowids from its own
    index, in descending order, without reading the message rows at all. Ids follow
    send time: a message's sent_at is taken when it is inserted."""
    with connection.cursor() as cursor:
        # Uses index: the FTS5 table's term index; rowids come out of it in order.
        cursor.execute(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC",
            [expression],
        )
        return [row[0] for row in cursor.fetchall()]


def _search_recent(*, user: User, query: str, limit: int) -> tuple[list[Message], int]:
    """The bounded fallback: the member's newest FALLBACK_WINDOW visible messages,
    read through the sender and recipient indexes, filtered here case-blind."""
    needle = query.casefold()
    if not needle:
        return [], 0
    own = (
        Message.objects.filter(is_hidden=False)
        .annotate(
            _me=FilteredRelation(
                "conversation__participants", condition=Q(conversation__participants__user=user)
            )
        )
        .order_by("-id")
        .values_list("pk", "message_text", "_me__cleared_through_id")
    )
    rows = list(own.filter(sender=user)[:FALLBACK_WINDOW])
    rows += own.filter(recipient=user)[:FALLBACK_WINDOW]
    rows.sort(key=lambda row: row[0], reverse=True)
    found = [
        pk
        for pk, text, cleared in rows[:FALLBACK_WINDOW]
        if pk > (cleared or 0) and needle in text.casefold()
    ]
    return _first_page(found, limit)
