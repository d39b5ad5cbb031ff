"""SQLite: the words of group messages as postings, a B-tree beside FTS5.

FTS5 answers a member's search of their groups with one term per group (`<word>_c<id>`,
migration 0014): each term is a lookup in the full-text index, about 12-18 µs, so a
member of 100 groups paid 1.2-2 ms for one word and 2.4-3.6 ms for two before a single
match was read. Migration 0026 keeps the group messages' words in
`messaging_search_posting` as well (the table MySQL / MariaDB keeps every message's
words in, migration 0023), one row per (group scope `c<id>`, word, message) with the
message's conversation: a member's groups are then ranges of one primary key, 0.3-0.6 ms
for a word or two at 1M messages. Triggers write the rows in the message's own
transaction through messaging_group_words(), registered on every SQLite connection, so
every write (a send, an edit, delete for everyone, moderation) keeps them exact. A
hidden message has none. FTS5 still holds the groups' terms: a phrase, whose words must
stand in order, is answered there.

A word is folded as FTS5's unicode61 tokenizer (remove_diacritics 2) folds the terms
of direct messages: lower case, accents removed, so "cafe" finds "Café" in a group as in
a direct conversation.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from .search_postings import POSTINGS
from .search_scopes import WORD


def fold(word: str) -> str:
    """A word as the postings hold it: lower case, without diacritics. Not member
    search's fold (alumunity/users/names.py: NFKD and casefold, so "ß" is "ss"): a
    group's words must match as FTS5 matches a direct conversation's."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def folded_words(text: str) -> list[str]:
    """Each `\\w+` run of `text` once, folded, in order of first appearance."""
    return list(dict.fromkeys(fold(word) for word in WORD.findall(text)))


def group_words(text: str | None) -> str:
    """What migration 0026's triggers post for a group message: its folded words as a
    JSON array (read back with json_each)."""
    return json.dumps(folded_words(text or ""))


def group_postings_sql(query: str, scopes: Sequence[str]) -> tuple[str, list[Any]]:
    """The (message id, conversation id) of the messages of the groups `scopes` holding
    every word of `query`. The first word's postings are ranges of the primary key, one
    per group; each further word is one lookup of the whole key per posting (a join:
    SQLite turned `IN (subquery)` into a scan of each group's word, 7-11 ms at 1M)."""
    words = folded_words(query)
    placeholders = ", ".join(["%s"] * len(scopes))
    # Uses index: the postings' primary key (scope, word, message_id), for every word.
    joins = "".join(
        f" JOIN {POSTINGS} p{n} ON p{n}.scope = p0.scope AND p{n}.word = %s"
        f" AND p{n}.message_id = p0.message_id"
        for n in range(1, len(words))
    )
    sql = (
        f"SELECT p0.message_id, p0.conversation_id FROM {POSTINGS} p0{joins} "
        f"WHERE p0.scope IN ({placeholders}) AND p0.word = %s"
    )
    return sql, [*words[1:], *scopes, words[0]]
