"""Sending a message: check the request, then write it under the conversation's lock."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .. import events
from ..exceptions import BlockedError, InvalidInput, SuspendedError
from ..models import Conversation, Message
from ..selectors import canonical_pair, get_member, is_blocked_between, parse_user_id

MAX_TEXT_LENGTH = 5000
MAX_ATTACHMENT_URL_LENGTH = 500
MAX_ATTACHMENT_TYPE_LENGTH = 50
MAX_CLIENT_MESSAGE_ID_LENGTH = 64
MAX_REPORT_REASON_LENGTH = 1000

_http_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


def _reject_nul(field: str, value: str) -> None:
    if "\x00" in value:
        raise InvalidInput.for_field(field, "Null characters are not allowed.")


def _clean_send_input(
    *, text: str | None, attachment_url: str | None, attachment_type: str | None, client_message_id
) -> tuple[str, str, str, str | None]:
    text = (text or "").strip()
    attachment_url = (attachment_url or "").strip()
    attachment_type = (attachment_type or "").strip()
    client_message_id = (client_message_id or "").strip() or None
    for field, value in (
        ("message_text", text),
        ("attachment_url", attachment_url),
        ("attachment_type", attachment_type),
        ("client_message_id", client_message_id or ""),
    ):
        _reject_nul(field, value)
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidInput.for_field(
            "message_text", f"Ensure this field has no more than {MAX_TEXT_LENGTH} characters."
        )
    if not text and not attachment_url:
        raise InvalidInput.for_field("message_text", "A message needs text or an attachment.")
    if attachment_url:
        if len(attachment_url) > MAX_ATTACHMENT_URL_LENGTH:
            raise InvalidInput.for_field(
                "attachment_url",
                f"Ensure this field has no more than {MAX_ATTACHMENT_URL_LENGTH} characters.",
            )
        try:
            _http_url(attachment_url)
        except ValidationError:
            raise InvalidInput.for_field(
                "attachment_url", "Enter a valid http or https URL."
            ) from None
    if len(attachment_type) > MAX_ATTACHMENT_TYPE_LENGTH:
        raise InvalidInput.for_field(
            "attachment_type",
            f"Ensure this field has no more than {MAX_ATTACHMENT_TYPE_LENGTH} characters.",
        )
    if client_message_id and len(client_message_id) > MAX_CLIENT_MESSAGE_ID_LENGTH:
        raise InvalidInput.for_field(
            "client_message_id",
            f"Ensure this field has no more than {MAX_CLIENT_MESSAGE_ID_LENGTH} characters.",
        )
    return text, attachment_url, attachment_type, client_message_id


class _ConversationRaced(Exception):
    """Another first message created the pair's conversation at the same moment."""


def _locked_conversation(first_id, second_id) -> Conversation:
    """The pair's conversation, created on first use, locked for this transaction."""
    user_one_id, user_two_id = canonical_pair(first_id, second_id)
    conversation = (
        Conversation.objects.select_for_update()
        .filter(user_one_id=user_one_id, user_two_id=user_two_id)
        .first()
    )
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            Conversation.objects.create(user_one_id=user_one_id, user_two_id=user_two_id)
    except IntegrityError:
        # Created by a concurrent first message. Locking theirs in this transaction
        # deadlocks on MariaDB: every insert that lost keeps a shared lock on the new key,
        # then each asks for the exclusive one. The send starts a fresh transaction instead.
        raise _ConversationRaced from None
    return Conversation.objects.select_for_update().get(
        user_one_id=user_one_id, user_two_id=user_two_id
    )


def _original_send(sender, client_message_id: str | None) -> Message | None:
    if not client_message_id:
        return None
    return Message.objects.filter(sender=sender, client_message_id=client_message_id).first()


def send_message(
    *,
    sender,
    recipient_id,
    text: str | None,
    attachment_url: str | None = None,
    attachment_type: str | None = None,
    client_message_id: str | None = None,
) -> SendResult:
    """Send one message. A retry with the same `client_message_id` returns the original
    message (created=False) and changes nothing."""
    text, attachment_url, attachment_type, client_message_id = _clean_send_input(
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
    )
    original = _original_send(sender, client_message_id)
    if original is not None:
        return SendResult(original, created=False)

    recipient_uuid = parse_user_id(recipient_id)
    if recipient_uuid == sender.pk:
        raise InvalidInput.for_field("recipient_id", "You cannot send a message to yourself.")
    recipient = get_member(recipient_uuid)
    if sender.messaging_suspended:
        raise SuspendedError()
    if is_blocked_between(sender.pk, recipient.pk):
        raise BlockedError()

    for attempt in range(3):
        try:
            with transaction.atomic():
                conversation = _locked_conversation(sender.pk, recipient.pk)
                # Checked again under the lock: a concurrent retry may have just committed.
                original = _original_send(sender, client_message_id)
                if original is not None:
                    return SendResult(original, created=False)
                message = Message.objects.create(
                    conversation=conversation,
                    sender=sender,
                    recipient=recipient,
                    message_text=text,
                    attachment_url=attachment_url,
                    attachment_type=attachment_type,
                    client_message_id=client_message_id,
                    sent_at=timezone.now(),
                )
                recipient_side = conversation.side_of(recipient.pk)
                Conversation.objects.filter(pk=conversation.pk).update(
                    last_message=message,
                    last_message_at=message.sent_at,
                    message_count=F("message_count") + 1,
                    **{f"unread_count_{recipient_side}": F(f"unread_count_{recipient_side}") + 1},
                )
                events.message_new(message)
            break
        except _ConversationRaced:
            if attempt == 2:
                raise
        except IntegrityError:
            # The same client_message_id raced in through another conversation row.
            original = _original_send(sender, client_message_id)
            if original is None:
                raise
            return SendResult(original, created=False)
    return SendResult(message, created=True)
