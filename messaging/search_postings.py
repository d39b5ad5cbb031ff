"""MySQL / MariaDB search: the postings of migration 0023, read newest first.

`messaging_search_posting` holds one row per (scope, word, message) with the message's
conversation, in a primary key of that order, written by triggers in the message's own
transaction: a direct message's words once for each participant (their whole 32-hex
id), a group message's once for its conversation (`c<id>`), each word its first
WORD_LENGTH characters, folded by the column's utf8mb4_unicode_ci collation. A search
reads the member's postings of its first word from the key backwards and stops at what
the page and the total's cap need; each further word's messages are read once and
every posting of the first is checked against them (`statement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from alumunity.users.models import User

from .models import Message, Participant
from .search_scopes import WINDOWS, WORD, Window, group_suffix, is_phrase, windows_of

POSTINGS = "messaging_search_posting"
# A direct message's scope is the member's whole id (32 hex digits).
MEMBER_SUFFIX_LENGTH = 32
WORD_LENGTH = 100
_MESSAGES = Message._meta.db_table


def postings_words(query: str) -> list[str]:
    """The query's words as the postings hold them (a word once, at most WORD_LENGTH
    characters; the collation folds case and accents)."""
    return list(dict.fromkeys(word[:WORD_LENGTH] for word in WORD.findall(query)))


def postings_sql(
    query: str,
    scopes: Sequence[str],
    *,
    before: int | None = None,
    limit: int | None = None,
    padding: int = 0,
) -> tuple[str, list[Any]]:
    """MySQL / MariaDB: the (message id, conversation id) of the messages of `scopes`
    holding every word of `query` (a phrase: in its order), newest first, below `before`
    and at most `limit` when given (`padding` NULL columns after them). The first word's
    postings are read from the primary key backwards (newest first, no sort for a single
    scope) and each is checked against every further word's messages in the same scopes
    (a message is in one of them), read once from the key (see `statement`)."""
    words = postings_words(query)
    placeholders = ", ".join(["%s"] * len(scopes))
    # Uses index: the postings' primary key (scope, word, message_id), for every word.
    others = "".join(
        f" AND p0.message_id IN (SELECT message_id FROM {POSTINGS} "
        f"WHERE scope IN ({placeholders}) AND word = %s)"
        for _ in words[1:]
    )
    phrase_join = ""
    params: list[Any] = []
    if is_phrase(query):
        # Postings do not know word order: the phrase itself is checked on the text (the
        # collation folds case and accents, as the postings do).
        phrase = " ".join(WORD.findall(query))
        escaped = phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # Uses index: the message primary key.
        phrase_join = f" JOIN `{_MESSAGES}` m ON m.id = p0.message_id AND m.message_text LIKE %s"
        params.append(f"%{escaped}%")
    where = f"p0.scope IN ({placeholders}) AND p0.word = %s{others}"
    params += [*scopes, words[0]]
    for word in words[1:]:
        params += [*scopes, word]
    if before is not None:
        where += " AND p0.message_id < %s"
        params.append(before)
    sql = (
        f"SELECT p0.message_id, p0.conversation_id{', NULL' * padding} "
        f"FROM {POSTINGS} p0{phrase_join} WHERE {where} ORDER BY p0.message_id DESC"
    )
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    return sql, params


def statement(connection: BaseDatabaseWrapper, sql: str, *, words: int, scopes: int) -> str:
    """`sql` as run. On MariaDB, for a query of several words, with semi-joins off, so
    each further word's messages are read once into a temporary table and every posting
    of the first is checked there (3.4 ms for two words in ~3,000 messages each at 1M),
    where the optimizer would look each one up in the key (6.4 ms); for many scopes (a
    member's groups), without an index dive per scope before the reading (0.3-0.6 ms):
    there is one index to choose."""
    settings = []
    if words > 1:
        settings.append("optimizer_switch='semijoin=off'")
    if scopes > 1:
        settings.append("eq_range_index_dive_limit=1")
    if not settings or not getattr(connection, "mysql_is_mariadb", False):
        return sql
    return f"SET STATEMENT {', '.join(settings)} FOR {sql}"


def mysql_ids(
    connection: BaseDatabaseWrapper, user: User, query: str, enough: int | None
) -> list[int]:
    """The member's own postings and their windows in one statement (UNION ALL), then,
    for a member of any group, the postings of the groups they are or were in; newest
    first, the first `enough` visible ones when given, each match outside the member's
    whole history checked against their window in its conversation. Each part stops at
    `enough`; only when windows hid matches of a part that stopped there is the next
    stretch read."""
    own_scope = [user.pk.hex]
    with connection.cursor() as cursor:
        own, windows = _own_postings_and_windows(cursor, user, query, enough)
        parts = [(own_scope, own)]
        group_scopes = [
            group_suffix(pk)
            for pk, window in windows.items()
            if window.is_group and not window.empty
        ]
        if group_scopes:
            parts.append((group_scopes, _postings(cursor, query, group_scopes, None, enough)))
        visible: list[int] = []
        while True:
            # Every part is whole down to the highest last id of those that stopped at
            # the limit; below it, the next stretch decides.
            floor = max(
                (rows[-1][0] for _, rows in parts if enough and len(rows) == enough), default=0
            )
            for pk, conversation_id in sorted((r for _, rows in parts for r in rows), reverse=True):
                if pk < floor:
                    break
                if conversation_id not in windows or windows[conversation_id].shows(pk):
                    visible.append(pk)
                    if len(visible) == enough:
                        return visible
            if floor == 0:
                return visible
            parts = [
                (scopes, _postings(cursor, query, scopes, floor, enough)) for scopes, _ in parts
            ]


def _postings(
    cursor: Any, query: str, scopes: list[str], before: int | None, limit: int | None
) -> list[tuple[int, int]]:
    sql, params = postings_sql(query, scopes, before=before, limit=limit)
    words = len(postings_words(query))
    cursor.execute(statement(cursor.db, sql, words=words, scopes=len(scopes)), params)
    return list(cursor.fetchall())


def _own_postings_and_windows(
    cursor: Any, user: User, query: str, limit: int | None
) -> tuple[list[tuple[int, int]], dict[int, Window]]:
    """The member's own postings of `query` (the first `limit`) and their windows
    (search_scopes.member_windows), in one statement: a window's row ends with its
    is_group flag, a posting's with NULL."""
    own_sql, own_params = postings_sql(query, [user.pk.hex], limit=limit, padding=3)
    windows_sql, windows_params = WINDOWS.statement(Participant, user=user.pk)
    cursor.execute(
        statement(
            cursor.db,
            f"({own_sql}) UNION ALL {windows_sql}",
            words=len(postings_words(query)),
            scopes=1,
        ),
        [*own_params, *windows_params],
    )
    own: list[tuple[int, int]] = []
    windows = []
    for row in cursor.fetchall():
        if row[-1] is None:
            own.append(row[:2])
        else:
            windows.append(row)
    return own, windows_of(windows)
