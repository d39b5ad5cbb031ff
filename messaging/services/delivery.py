"""deliver(): a sent message reaching every active member's participant row, in one
UPDATE compiled once for each of its four forms (alumunity.prepared): building and
compiling its Case/When/Coalesce terms cost a send more than the statement itself."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, F, Value, When
from django.db.models.sql import UpdateQuery

from alumunity.middleware import current_request_id
from alumunity.prepared import Prepared, update_query

from ..models import Message, Participant
from .notifications import pending_email_counters
from .push import pending_push_counters


def deliver(message: Message) -> None:
    """Every active member receives the message in one statement, however many they
    are: it becomes their last message, their count grows, and their unread count grows
    unless they sent it or it is a system message. The caller holds the conversation
    lock, so concurrent sends queue and no increment is lost. The statement is compiled
    once for each of its four forms (alumunity.prepared)."""
    statement = _DELIVERIES[(message.kind == Message.Kind.TEXT, message.recipient_id is not None)]
    statement.update(
        Participant,
        message_id=message.pk,
        conversation_id=message.conversation_id,
        sent_at=message.sent_at,
        sender_id=message.sender_id,
        request_id=current_request_id()[:64],
    )


def _delivery_update(message: Message, request_id: str) -> UpdateQuery:
    """The UPDATE of deliver(): what every active member's row becomes."""
    counters: dict[str, Any] = {
        "last_message": message,
        "last_message_at": message.sent_at,
        "message_count": F("message_count") + 1,
    }
    if message.kind == Message.Kind.TEXT:
        counters["unread_count"] = Case(
            When(user_id=message.sender_id, then=F("unread_count")),
            default=F("unread_count") + 1,
        )
        counters.update(pending_email_counters(message, request_id=request_id))
        counters.update(pending_push_counters(message))
    if message.recipient_id is not None:
        # Replying to a message request accepts it.
        counters["is_request"] = Case(
            When(user_id=message.sender_id, then=Value(False)), default=F("is_request")
        )
    return update_query(
        Participant.objects.filter(conversation_id=message.conversation_id, left_at=None),
        **counters,
    )


def _delivery(*, text: bool, direct: bool) -> Prepared:
    def build(**values: Any) -> UpdateQuery:
        message = Message(
            pk=values["message_id"],
            conversation_id=values["conversation_id"],
            sender_id=values["sender_id"],
            # Only whether there is a recipient shapes the statement.
            recipient_id=values["sender_id"] if direct else None,
            sent_at=values["sent_at"],
            kind=Message.Kind.TEXT if text else Message.Kind.SYSTEM,
        )
        return _delivery_update(message, values["request_id"])

    fields = Message._meta
    return Prepared(
        build,
        message_id=fields.pk,
        conversation_id=fields.get_field("conversation"),
        sent_at=fields.get_field("sent_at"),
        sender_id=fields.get_field("sender"),
        request_id=Participant._meta.get_field("email_request_id"),
    )


_DELIVERIES = {
    (text, direct): _delivery(text=text, direct=direct)
    for text in (True, False)
    for direct in (True, False)
}
