"""Message search: a member's visible messages that match a query."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from django.db.models import QuerySet

from alumunity.prepared import Prepared
from alumunity.users.models import User

from .. import search as full_text
from ..models import Message
from .privacy import hide_unshared_receipts, hide_unshared_receipts_in_hits
from .reactions import load_reactions
from .rows import SEARCH_HIT_FIELDS, SearchHit, message_rows

# Search's total is exact up to this many matches; past it, it is this many and says it
# is a lower bound (SPEC §3): the page needs only the newest matches.
SEARCH_TOTAL_CAP = 1000


def search_messages(*, user: User, query: str, limit: int) -> tuple[list[Message], int]:
    """Visible messages matching `query`, newest first, and how many match in all,
    through the full-text index (messaging/search.py: FTS5 on SQLite, a B-tree of
    postings on MySQL/MariaDB, a bounded fallback for queries the index cannot answer), as
    Message instances with their sender, recipient and conversation. Hidden messages
    never match: their text must not reach a member again."""
    found = full_text.matches(user=user, query=query, limit=limit)
    messages = _messages(found.page_ids)
    load_reactions(messages)
    for message in messages:
        if message.recipient is not None and message.sender_id == user.pk:
            hide_unshared_receipts([message], viewer=user, other=message.recipient)
    return messages, found.total


class SearchPage(NamedTuple):
    """A page of search hits, newest first, and how many matched (full_text.Matches)."""

    results: list[SearchHit]
    total: int
    total_is_lower_bound: bool = False


def search_messages_page(*, user: User, query: str, limit: int) -> SearchPage:
    """As search_messages, for the doors, as SearchHits (what a result shows, read as
    plain rows): the total counts up to SEARCH_TOTAL_CAP matches; past that it is
    SEARCH_TOTAL_CAP with `total_is_lower_bound`, and the search stops there."""
    found = full_text.matches(user=user, query=query, limit=limit, count_up_to=SEARCH_TOTAL_CAP)
    hits = _hits(found.page_ids)
    load_reactions(hits)
    hide_unshared_receipts_in_hits(hits, viewer=user)
    return SearchPage(hits, found.total, found.total_is_lower_bound)


def _newest_first(size: int, **ids: Any) -> QuerySet[Message]:
    return Message.objects.filter(pk__in=[ids[f"id{n}"] for n in range(size)]).order_by(
        "-sent_at", "-id"
    )


def _hits_query(size: int, **ids: Any) -> QuerySet[Message, tuple]:
    return _newest_first(size, **ids).values_list(*SEARCH_HIT_FIELDS)


def _page_query(size: int, **ids: Any) -> QuerySet[Message]:
    return _newest_first(size, **ids).select_related("sender", "recipient", "conversation")


@functools.cache
def _statement(kind: str, size: int) -> Prepared:
    """A page of `size` ids, as hits or as messages, compiled once (at most the largest
    limit of each)."""
    build = _hits_query if kind == "hits" else _page_query
    return Prepared(
        functools.partial(build, size), **{f"id{n}": Message._meta.pk for n in range(size)}
    )


def _page_of(page_ids: list[int]) -> dict[str, Any]:
    return {f"id{n}": pk for n, pk in enumerate(page_ids)}


def _hits(page_ids: list[int]) -> list[SearchHit]:
    if not page_ids:
        return []
    rows = _statement("hits", len(page_ids)).raw(Message, **_page_of(page_ids))
    return message_rows(rows, SearchHit)


def _messages(page_ids: list[int]) -> list[Message]:
    if not page_ids:
        return []
    return _statement("messages", len(page_ids)).instances(Message, **_page_of(page_ids))
