"""Message search: a member's visible messages that match a query."""

from __future__ import annotations

from alumunity.users.models import User

from .. import search as full_text
from ..models import Message
from .privacy import hide_unshared_receipts
from .reactions import load_reactions

# Search's total is exact up to this many matches; past it, it is this many and says it
# is a lower bound (SPEC §3): the page needs only the newest matches.
SEARCH_TOTAL_CAP = 1000


def search_messages(*, user: User, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, and how many match in all,
    through the full-text index (messaging/search.py: FTS5 on SQLite, InnoDB FULLTEXT
    on MySQL/MariaDB, a bounded fallback for queries the index cannot answer). Hidden
    messages never match: their text must not reach a member again."""
    found = full_text.search(user=user, query=query, limit=limit)
    return _shown(found.results, user), found.total


def search_messages_page(*, user: User, query: str, limit: int) -> full_text.Found:
    """As search_messages, for the doors: the total counts up to SEARCH_TOTAL_CAP matches;
    past that it is SEARCH_TOTAL_CAP with `total_is_lower_bound`, and the search stops
    there."""
    found = full_text.search(user=user, query=query, limit=limit, count_up_to=SEARCH_TOTAL_CAP)
    return found._replace(results=_shown(found.results, user))


def _shown(results: list[Message], user: User) -> list[Message]:
    load_reactions(results)
    for message in results:
        if message.recipient is not None and message.sender_id == user.pk:
            hide_unshared_receipts([message], viewer=user, other=message.recipient)
    return results
