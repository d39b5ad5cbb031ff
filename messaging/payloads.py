"""The JSON shapes of the API and the socket events, built in one place for the API, the
pages and the socket, so every door shows a message the same way (and a hidden one never
leaks). Selectors return data (datetimes, UUIDs); the words and ISO strings are made
here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .models import Message

if TYPE_CHECKING:
    from alumunity.users.models import User

    from .selectors.inbox import ConversationSummary
    from .selectors.presence import ConversationStatus


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def message_payload(message: Message) -> dict:
    hidden = message.is_hidden
    return {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "sender_id": str(message.sender_id),
        "recipient_id": str(message.recipient_id) if message.recipient_id else None,
        "message_text": message.visible_text,
        "attachment_url": None if hidden else (message.attachment_url or None),
        "attachment_type": None if hidden else (message.attachment_type or None),
        "sent_at": iso(message.sent_at),
        "read": message.read_at is not None,
        "read_at": iso(message.read_at),
        "client_message_id": message.client_message_id,
        "hidden": hidden,
    }


def search_result_payload(message: Message, *, viewer_id: uuid.UUID) -> dict:
    other = message.recipient if message.sender_id == viewer_id else message.sender
    return {
        **message_payload(message),
        "other_user_id": str(other.pk) if other else None,
        "other_user_name": other.name if other else None,
    }


def conversation_summary_payload(summary: ConversationSummary) -> dict:
    return {
        **summary,
        "other_user_id": str(summary["other_user_id"]),
        "last_message_at": iso(summary["last_message_at"]),
    }


def conversation_status_payload(status: ConversationStatus) -> dict:
    return {**status, "other_user_last_seen_at": iso(status["other_user_last_seen_at"])}


def member_payload(user: User) -> dict:
    """What one member may see of another: never the email address."""
    return {"id": str(user.pk), "name": user.name, "avatar_url": user.avatar_url or None}


def own_account_payload(user: User) -> dict:
    return {**member_payload(user), "email": user.email}
