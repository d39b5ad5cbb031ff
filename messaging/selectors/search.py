"""Message search: a member's visible messages that match a query."""

from __future__ import annotations

from alumunity.users.models import User

from .. import search as full_text
from ..models import Message
from .privacy import hide_unshared_receipts


def search_messages(*, user: User, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, through the full-text index
    (messaging/search.py: FTS5 on SQLite, InnoDB FULLTEXT on MySQL/MariaDB, a bounded
    fallback for queries the index cannot answer). Hidden messages never match: their
    text must not reach a member again."""
    found, total = full_text.search(user=user, query=query, limit=limit)
    for message in found:
        if message.recipient is not None and message.sender_id == user.pk:
            hide_unshared_receipts([message], viewer=user, other=message.recipient)
    return found, total
