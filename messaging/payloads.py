"""The JSON shapes of SPEC §3.3 and §4, built in one place for the API, the pages and the
socket, so every door shows a message the same way (and a hidden one never leaks)."""

from datetime import UTC, datetime

from .models import Message


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
        "recipient_id": str(message.recipient_id),
        "message_text": message.visible_text,
        "attachment_url": None if hidden else (message.attachment_url or None),
        "attachment_type": None if hidden else (message.attachment_type or None),
        "sent_at": iso(message.sent_at),
        "read": message.read_at is not None,
        "read_at": iso(message.read_at),
        "client_message_id": message.client_message_id,
        "hidden": hidden,
    }


def search_result_payload(message: Message, *, viewer_id) -> dict:
    other = message.recipient if message.sender_id == viewer_id else message.sender
    return {
        **message_payload(message),
        "other_user_id": str(other.pk),
        "other_user_name": other.name,
    }


def member_payload(user) -> dict:
    """What one member may see of another: never the email address."""
    return {"id": str(user.pk), "name": user.name, "avatar_url": user.avatar_url or None}


def own_account_payload(user) -> dict:
    return {**member_payload(user), "email": user.email}
