"""How a member's name is matched by member search: its words, folded, and every
leading part of each word. Indexing a name and reading a query both go through here,
so the two always agree.

Folding is Unicode compatibility decomposition (NFKD) without the combining marks it
splits off, then casefold: "Zürich", "ZURICH" and "zurich" are one word; so are the
ligature "ﬁ" and "fi", and "ß" and "ss". A word is a run of letters and digits; anything
else (spaces, hyphens, apostrophes, emoji) separates words.
"""

from __future__ import annotations

import re
import unicodedata

# Longest prefix stored; a longer query word is matched on its first 32 characters.
MAX_PREFIX_LENGTH = 32

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # All marks (Mn, Mc, Me), so a word is never split at a vowel sign either.
    bare = "".join(char for char in decomposed if not unicodedata.category(char).startswith("M"))
    return bare.casefold()


def words(text: str) -> list[str]:
    """The folded words of `text`, in order, each once."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))


def name_prefixes(name: str) -> list[str]:
    """Every leading part (1 to MAX_PREFIX_LENGTH characters) of every word of a name,
    each once: the rows member search reads."""
    prefixes: dict[str, None] = {}
    for word in words(name):
        for length in range(1, min(len(word), MAX_PREFIX_LENGTH) + 1):
            prefixes[word[:length]] = None
    return list(prefixes)


def query_prefixes(query: str) -> list[str]:
    """What a query asks for: each word must start a word of the name. A word that
    starts another word of the query adds nothing ("gr grace" asks what "grace" asks),
    so only the others are kept."""
    wanted = list(dict.fromkeys(word[:MAX_PREFIX_LENGTH] for word in words(query)))
    return [
        word
        for word in wanted
        if not any(other != word and other.startswith(word) for other in wanted)
    ]


def is_email_lookup(query: str) -> bool:
    """A member search with "@" looks one member up by exact email address."""
    return "@" in query
