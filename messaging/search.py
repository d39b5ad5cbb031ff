"""Full-text message search behind selectors.search_messages (SPEC §3.3).

The index (migration 0004) holds every message's words plus two owner tokens,
u<sender hex> and u<recipient hex>. A query is the member's owner token AND the words, so
the database intersects posting lists and never reads other members' messages.

- SQLite: FTS5, every word is indexable (accents folded: "cafe" finds "café").
- MySQL / MariaDB: InnoDB FULLTEXT in boolean mode; words shorter than
  innodb_ft_min_token_size (3) and InnoDB's stopwords are not in the index, so they
  are left out of the query when at least one other word remains.
- A query with no indexable word at all (only short words or stopwords on InnoDB,
  only punctuation or emoji, or a backend without an index) searches the member's
  newest FALLBACK_WINDOW visible messages for the text as typed, case-blind.

A query in double quotes is a phrase; otherwise every word must appear. Words are
matched whole (no prefix matching). User input never reaches the MATCH syntax raw:
only \\w+ words are kept, each one quoted.
"""

from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, F, Lookup, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Conversation, Message

FALLBACK_WINDOW = 2000
INNODB_MIN_TOKEN_SIZE = 3
# INNODB_FT_DEFAULT_STOPWORD (MySQL 8 and MariaDB).
_STOPWORD_TEXT = (
    "a about an are as at be by com de en for from how i in is it la of on or that the "
    "this to was what when where who will with und www"
)
INNODB_STOPWORDS = frozenset(_STOPWORD_TEXT.split(" "))
_WORD = re.compile(r"\w+")


def owner_token(user) -> str:
    return f"u{user.pk.hex}"


def visible_to(user) -> QuerySet[Message]:
    """The member's messages after their own delete-for-me marker, hidden ones excluded
    (a hidden message's text must never reach a member again)."""
    return Message.objects.filter(
        Q(conversation__user_one=user, pk__gt=F("conversation__cleared_through_id_one"))
        | Q(conversation__user_two=user, pk__gt=F("conversation__cleared_through_id_two")),
        is_hidden=False,
    )


def _index_words(vendor: str, words: list[str]) -> list[str]:
    if vendor == "mysql":
        return [
            word
            for word in words
            if len(word) >= INNODB_MIN_TOKEN_SIZE and word.lower() not in INNODB_STOPWORDS
        ]
    return words


def match_expression(vendor: str, user, query: str) -> str | None:
    """The MATCH / AGAINST expression for this backend (the member's owner token AND
    the words, each quoted), or None when the index cannot answer the query."""
    phrase = len(query) > 2 and query.startswith('"') and query.endswith('"')
    words = _WORD.findall(query)
    indexable = _index_words(vendor, words)
    if not indexable:
        return None
    if not phrase:
        # InnoDB keeps word positions, so a phrase keeps its short words and stopwords.
        words = indexable
    token = owner_token(user)
    if vendor == "sqlite":
        terms = '"{}"'.format(" ".join(words)) if phrase else " AND ".join(f'"{w}"' for w in words)
        return f'owners : "{token}" AND message_text : ({terms})'
    if vendor == "mysql":
        terms = '+"{}"'.format(" ".join(words)) if phrase else " ".join(f'+"{w}"' for w in words)
        return f"+{token} {terms}"
    return None


def full_text_condition(vendor: str, user, query: str) -> RawSQL | None:
    """The WHERE condition on messaging_message for this backend, or None."""
    expression = match_expression(vendor, user, query)
    if expression is None:
        return None
    if vendor == "sqlite":
        return RawSQL(
            '"messaging_message"."id" IN (SELECT rowid FROM messaging_message_fts '
            "WHERE messaging_message_fts MATCH %s)",
            [expression],
            output_field=BooleanField(),
        )
    # Compared with "> 0", the form MySQL and MariaDB answer from the FULLTEXT index.
    return RawSQL(
        "MATCH (`messaging_message`.`message_text`, `messaging_message`.`search_owners`) "
        "AGAINST (%s IN BOOLEAN MODE) > 0",
        [expression],
        output_field=BooleanField(),
    )


class _Where(Lookup):
    """Puts a boolean SQL condition in WHERE as it is: Django would otherwise add
    "= True" on MySQL, which hides the MATCH from the optimizer."""

    lookup_name = "raw_where"

    def __init__(self, condition):
        super().__init__(condition, True)

    def as_sql(self, compiler, connection):
        return compiler.compile(self.lhs)


def search(*, user, query: str, limit: int) -> tuple[list[Message], int]:
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
    if _has_cleared_history(user):
        # Some matches may lie before one of the member's delete-for-me markers: check
        # each match against its conversation.
        matches = visible_to(user).filter(_Where(condition))
        ordered_ids = list(matches.order_by("-id").values_list("id", flat=True))
    else:
        # Hidden messages carry no owner tokens in the index (migration 0005), so every
        # match of the member's token is visible: the index alone answers.
        ordered_ids = _index_ids_newest_first(connection, user, query, condition)
    if not ordered_ids:
        return [], 0
    results = list(
        Message.objects.filter(pk__in=ordered_ids[:limit])
        .select_related("sender", "recipient")
        .order_by("-sent_at", "-id")
    )
    return results, len(ordered_ids)


def _has_cleared_history(user) -> bool:
    return Conversation.objects.filter(
        Q(user_one=user, cleared_through_id_one__gt=0)
        | Q(user_two=user, cleared_through_id_two__gt=0)
    ).exists()


def _index_ids_newest_first(connection, user, query: str, condition: RawSQL) -> list[int]:
    """Every matching id, newest first, in one pass (its length is the total; a COUNT
    and then a page would visit every match twice). Ids follow send time: a message's
    sent_at is taken when it is inserted, under its conversation's lock."""
    if connection.vendor == "sqlite":
        # FTS5 hands out rowids from its own index, in descending order, without
        # reading the message rows at all.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid FROM messaging_message_fts WHERE messaging_message_fts MATCH %s "
                "ORDER BY rowid DESC",
                [match_expression(connection.vendor, user, query)],
            )
            return [row[0] for row in cursor.fetchall()]
    return list(
        Message.objects.filter(_Where(condition)).order_by("-id").values_list("id", flat=True)
    )


def _search_recent(*, user, query: str, limit: int) -> tuple[list[Message], int]:
    """The bounded fallback: the member's newest FALLBACK_WINDOW visible messages,
    read through the sender and recipient indexes, filtered here case-blind."""
    needle = query.casefold()
    if not needle:
        return [], 0
    fields = (
        "pk",
        "message_text",
        "conversation__user_one_id",
        "conversation__cleared_through_id_one",
        "conversation__cleared_through_id_two",
    )
    own = Message.objects.filter(is_hidden=False).order_by("-id").values_list(*fields)
    rows = list(own.filter(sender=user)[:FALLBACK_WINDOW])
    rows += own.filter(recipient=user)[:FALLBACK_WINDOW]
    rows.sort(key=lambda row: row[0], reverse=True)
    found = [
        pk
        for pk, text, user_one_id, cleared_one, cleared_two in rows[:FALLBACK_WINDOW]
        if pk > (cleared_one if user_one_id == user.pk else cleared_two)
        and needle in text.casefold()
    ]
    if not found:
        return [], 0
    results = list(
        Message.objects.filter(pk__in=found[:limit])
        .select_related("sender", "recipient")
        .order_by("-sent_at", "-id")
    )
    return results, len(found)
