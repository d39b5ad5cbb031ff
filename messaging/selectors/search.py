"""Message search: a member's visible messages that match a query."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from .. import search as full_text
from ..models import Message


def visible_messages(*, user) -> QuerySet[Message]:
    """Every message this member may see, across their conversations."""
    return Message.objects.filter(
        Q(conversation__user_one=user, pk__gt=F("conversation__cleared_through_id_one"))
        | Q(conversation__user_two=user, pk__gt=F("conversation__cleared_through_id_two"))
    )


def search_messages(*, user, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, through the full-text index
    (messaging/search.py: FTS5 on SQLite, InnoDB FULLTEXT on MySQL/MariaDB, a bounded
    fallback for queries the index cannot answer). Hidden messages never match: their
    text must not reach a member again."""
    return full_text.search(user=user, query=query, limit=limit)
