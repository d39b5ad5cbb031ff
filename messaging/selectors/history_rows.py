"""A one-to-one conversation's newest and `before=` pages as plain rows (MessageRow),
for a door that only shows them (the API). The same window, order and statements'
conditions as history.page_for, whose model instances the pages keep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..exceptions import NotFound
from ..models import Conversation, Message, Participant
from .history import (
    _NO_TIME,
    _page_query,
    check_anchor,
    conversation_between,
    page_statement,
    page_window,
)
from .privacy import hide_unshared_receipts
from .reactions import load_reactions
from .rows import MESSAGE_ROW_FIELDS, MessageRow, message_rows


@dataclass
class MessageRowPage:
    """A MessagePage whose messages are MessageRows."""

    other_user: User
    conversation: Conversation | None
    messages: list[MessageRow]
    total: int
    participant: Participant | None = None


def list_message_rows(
    *, user: User, other_user_id: object, limit: int, before: int | None = None
) -> MessageRowPage:
    """list_messages' newest page (or the page before a message) with MessageRows in
    place of Message instances: the same messages, fields and queries."""
    other, participant = conversation_between(user=user, other_user_id=other_user_id)
    if participant is None:
        if before:
            raise NotFound("Message not found.")
        return MessageRowPage(other, None, [], 0)
    rows = row_page_for(participant, limit=limit, before=before)
    hide_unshared_receipts(rows, viewer=user, other=other)
    return MessageRowPage(
        other, participant.conversation, rows, participant.visible_count, participant
    )


def row_page_for(
    participant: Participant, *, limit: int, before: int | None = None
) -> list[MessageRow]:
    """page_for's newest page, or the page before `before`, as MessageRows."""
    window, shape = page_window(participant)
    kind = "before_id" if before else "newest"
    page = message_rows(
        _statement(kind, limit=limit, **shape).raw(
            Message, **window, anchor_id=before or 0, anchor_sent_at=_NO_TIME
        )
    )
    if before and not page:
        check_anchor(shape=shape, window=window, anchor_id=before)
    page.reverse()
    load_reactions(page)
    return page


# One statement per shape, as history._PAGES: which page, left or not, marker or not, limit.
_ROW_PAGES: dict[tuple[str, bool, bool, int], Prepared] = {}


def _statement(kind: str, *, limit: int, left: bool, marked: bool) -> Prepared:
    return page_statement(_ROW_PAGES, _row_query, kind, limit=limit, left=left, marked=marked)


def _row_query(kind: str, **shape_and_values: Any) -> QuerySet[Message, Any]:
    """history's page statement as rows: the same conditions and order, only the
    columns a MessageRow is made from (values_list leaves the attachment join out)."""
    fields = ("pk", "sent_at") if kind == "anchor" else MESSAGE_ROW_FIELDS
    return _page_query(kind, **shape_and_values).values_list(*fields)
