"""Message search: a member's visible messages that match a query."""

from __future__ import annotations

from alumunity.users.models import User

from .. import search as full_text
from ..models import Message
from .privacy import hide_unshared_receipts
from .reactions import load_reactions


def search_messages(*, user: User, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, through the full-text index
    (messaging/search.py: FTS5 on SQLite, InnoDB FULLTEXT on MySQL/MariaDB, a bounded
    fallback for queries the index cannot answer). Hidden messages never match: their
    text must not reach a member again."""
    results, total = full_text.search(user=user, query=query, limit=limit)
    load_reactions(results)
    for message in results:
        if message.recipient is not None and message.sender_id == user.pk:
            hide_unshared_receipts([message], viewer=user, other=message.recipient)
    return results, total
