"""Plain rows: messages and stored values read without model instances, for the reads
that only show what they read (the API's conversation pages, the inbox). Each value is
converted as the ORM's own converters would, so the JSON is the same either way."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.dateparse import parse_datetime

from ..models import ShownMessage

if TYPE_CHECKING:
    from .reactions import ReactionGroup


def stored_uuid(value: uuid.UUID | str) -> uuid.UUID:
    """A member id as the driver returns it: SQLite stores 32 hex digits, MariaDB 10.7+
    has a native UUID type."""
    return value if isinstance(value, uuid.UUID) else _parsed_uuid(str(value))


@functools.lru_cache(maxsize=65536)
def _parsed_uuid(value: str) -> uuid.UUID:
    """Parsed once per member id and process (a UUID is immutable): parsing one took
    1.5 µs, an inbox page or a group's history has up to 50 different members."""
    return uuid.UUID(value)


def stored_moment(value: str | datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite returns text, MySQL a naive
    datetime; both hold UTC (USE_TZ)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and value.tzinfo is None:
        # As value.replace(tzinfo=UTC), in a quarter of its time (0.27 µs, not 0.97: a
        # page converts two times for each of its 50 messages).
        value = datetime.combine(value.date(), value.time(), UTC)
    return value


class MessageRow(ShownMessage):
    """A message as `payloads.message_payload`, the receipts and the read marking use
    it, made from one row of `MESSAGE_ROW_FIELDS` without a Message instance (building
    ~50 instances, with their converters and related-object setters, was most of a
    conversation page's Python time). It is never saved.

    Its times are kept as the database gave them (`*_stored`: the stored text, see
    `MESSAGE_ROW_FIELDS`) and become datetimes only when asked for (`sent_at`, ...):
    a page's payloads write that text straight into the API's ISO form
    (`payloads.stored_iso`), where parsing each time and writing it again took a
    fifth of a page's time. A service that sets a time sets a datetime."""

    __slots__ = (
        "pk",
        "conversation_id",
        "sender_id",
        "recipient_id",
        "message_text",
        "attachment_url",
        "attachment_type",
        "client_message_id",
        "is_hidden",
        "kind",
        "reaction_count",
        "sent_at_stored",
        "read_at_stored",
        "edited_at_stored",
        "deleted_at_stored",
        # Set by selectors.load_reactions.
        "reaction_groups",
    )
    reaction_groups: list[ReactionGroup]

    def __init__(
        self,
        pk: int,
        conversation_id: int,
        sender_id: uuid.UUID,
        recipient_id: uuid.UUID | None,
        message_text: str,
        attachment_url: str,
        attachment_type: str,
        client_message_id: str | None,
        is_hidden: bool,
        kind: str,
        reaction_count: int,
        sent_at: StoredTime,
        read_at: StoredTime,
        edited_at: StoredTime,
        deleted_at: StoredTime,
    ) -> None:
        self.pk = pk
        self.conversation_id = conversation_id
        self.sender_id = sender_id
        self.recipient_id = recipient_id
        self.message_text = message_text
        self.attachment_url = attachment_url
        self.attachment_type = attachment_type
        self.client_message_id = client_message_id
        self.is_hidden = is_hidden
        self.kind = kind
        self.reaction_count = reaction_count
        self.sent_at_stored = sent_at
        self.read_at_stored = read_at
        self.edited_at_stored = edited_at
        self.deleted_at_stored = deleted_at

    @property
    def id(self) -> int:
        return self.pk

    @property
    def sent_at(self) -> datetime | None:
        return stored_moment(self.sent_at_stored)

    @property  # type: ignore[override]
    def read_at(self) -> datetime | None:
        return stored_moment(self.read_at_stored)

    @read_at.setter
    def read_at(self, value: datetime | None) -> None:
        self.read_at_stored = value

    @property
    def is_read(self) -> bool:
        return self.read_at_stored is not None

    @property
    def edited_at(self) -> datetime | None:
        return stored_moment(self.edited_at_stored)

    @property
    def deleted_at(self) -> datetime | None:  # type: ignore[override]
        return stored_moment(self.deleted_at_stored)

    def __repr__(self) -> str:
        return f"<MessageRow {self.pk}>"


# A time as a MessageRow holds it: the driver's text of a stored time, or a datetime.
StoredTime = str | datetime | None


def _stored_text(name: str) -> Cast:
    """A time column read as the text the database holds it as (SQLite stores it as
    text; MariaDB writes `YYYY-MM-DD HH:MM:SS.ffffff`), not through the driver's
    datetime converter."""
    return Cast(name, TextField())


# The attributes of a MessageRow, in its constructor's order, and the columns it is made
# from (`values_list`): the same, with each time as its stored text.
_VALUES = MessageRow.__slots__[: MessageRow.__slots__.index("sent_at_stored")]
_TIMES = ("sent_at", "read_at", "edited_at", "deleted_at")
MESSAGE_ROW_NAMES = (*_VALUES, *_TIMES)
MESSAGE_ROW_FIELDS: tuple[str | Cast, ...] = (*_VALUES, *map(_stored_text, _TIMES))
_MESSAGE_COLUMNS = len(MESSAGE_ROW_FIELDS)


class SearchHit(MessageRow):
    """A message found by search, as `payloads.search_result_payload` shows it: a
    MessageRow with its conversation's kind and title, both members' names and whether
    the recipient shares read receipts, made from one row of `SEARCH_HIT_FIELDS`
    (building the page's Message instances with their sender, recipient and
    conversation cost three times the query)."""

    __slots__ = (
        "conversation_kind",
        "conversation_title",
        "sender_name",
        "recipient_name",
        "recipient_shows_receipts",
    )

    def __init__(self, *columns: Any) -> None:
        super().__init__(*columns[:_MESSAGE_COLUMNS])
        (
            self.conversation_kind,
            self.conversation_title,
            self.sender_name,
            self.recipient_name,
            shows_receipts,
        ) = columns[_MESSAGE_COLUMNS:]
        self.recipient_shows_receipts = bool(shows_receipts)

    def __repr__(self) -> str:
        return f"<SearchHit {self.pk}>"


# The columns a SearchHit is made from: a MessageRow's, then its own (`values_list`).
SEARCH_HIT_FIELDS = (
    *MESSAGE_ROW_FIELDS,
    "conversation__kind",
    "conversation__title",
    "sender__name",
    "recipient__name",
    "recipient__show_read_receipts",
)


def message_rows(rows: Iterable[tuple], row_class: type[MessageRow] = MessageRow) -> list[Any]:
    """MessageRows (or `row_class`, given the extra columns after the message's) from
    `values_list(*MESSAGE_ROW_FIELDS, ...)` rows as the driver returns them: each member
    id is converted once for the whole page."""
    members: dict[Any, uuid.UUID] = {}
    found = []
    for row in rows:
        sender, recipient = row[2], row[3]
        if sender not in members:
            members[sender] = stored_uuid(sender)
        if recipient is not None and recipient not in members:
            members[recipient] = stored_uuid(recipient)
        found.append(
            row_class(
                row[0],
                row[1],
                members[sender],
                None if recipient is None else members[recipient],
                row[4],
                row[5],
                row[6],
                row[7],
                bool(row[8]),
                *row[9:],
            )
        )
    return found
