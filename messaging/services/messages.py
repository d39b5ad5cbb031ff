"""Sending a message, in two steps as every write of version 2 will be: check_message
validates the request and returns it clean (no write, no lock), do_send_message locks
the conversation, inserts and publishes after commit. send_message runs both."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from alumunity.prepared import Prepared, PreparedInsert
from alumunity.users.models import User

from .. import events
from ..exceptions import BlockedError, InvalidInput, SuspendedError
from ..limits import (
    MAX_ATTACHMENT_TYPE_LENGTH,
    MAX_ATTACHMENT_URL_LENGTH,
    MAX_CLIENT_MESSAGE_ID_LENGTH,
    MAX_TEXT_LENGTH,
    check_length,
    reject_nul,
)
from ..models import Attachment, Conversation, Message, Participant
from ..selectors import (
    LeftGroupError,
    active_membership,
    canonical_pair,
    download_path,
    member_and_block,
    message_requests_on,
    parse_user_id,
    typing_key,
    unsent_upload,
)
from ..selectors.rows import stored_uuid
from .delivery import deliver
from .requests import check_request_allowance

_http_url = URLValidator(schemes=["http", "https"])
# A send that loses the race to create its pair's conversation starts again; two losses
# in a row would need a third writer creating the same pair, which cannot happen.
_SEND_ATTEMPTS = 3


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


@dataclass(frozen=True)
class SendRequest:
    """A send that passed every check, its fields trimmed. `original` is set when it
    retries a send already made (same client_message_id): nothing is written then."""

    sender: User
    recipient: User | None
    text: str
    attachment_url: str
    attachment_type: str
    client_message_id: str | None
    original: Message | None = None
    attachment: Attachment | None = None
    # A send to a group by its id (a direct conversation by id sends to its recipient).
    group: Conversation | None = None


def send_message(
    *,
    sender: User,
    recipient_id: uuid.UUID | str | None,
    text: str | None,
    attachment_url: str | None = None,
    attachment_type: str | None = None,
    client_message_id: str | None = None,
    attachment_id: int | None = None,
) -> SendResult:
    """Send one message. A retry with the same `client_message_id` returns the original
    message (created=False) and changes nothing."""
    request = check_message(
        sender=sender,
        recipient_id=recipient_id,
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
        attachment_id=attachment_id,
    )
    return _send_checked(request)


def _send_checked(request: SendRequest) -> SendResult:
    """A retry answers with its original; anything else is written."""
    if request.original is not None:
        return SendResult(request.original, created=False)
    return do_send_message(request)


def check_message(
    *,
    sender: User,
    recipient_id: uuid.UUID | str | None,
    text: str | None,
    attachment_url: str | None = None,
    attachment_type: str | None = None,
    client_message_id: str | None = None,
    attachment_id: int | None = None,
) -> SendRequest:
    """Every rule a send must pass, in the order its errors are reported: the fields
    themselves, then a retry (answered before anything else is checked, so a retry
    after a block still finds its original), the recipient, suspension, blocks, and
    last the upload sent with it: only the sender's own, not sent before."""
    text, attachment_url, attachment_type, client_message_id = _clean_send_input(
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
        attachment_id=attachment_id,
    )
    original = _original_send(sender, client_message_id)
    recipient = None
    if original is None:
        recipient = _check_recipient(sender, recipient_id)
    request = SendRequest(
        sender=sender,
        recipient=recipient,
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
        original=original,
    )
    return request if original is not None else _with_upload(request, attachment_id)


def send_to_conversation(
    *,
    sender: User,
    conversation_id: object,
    text: str | None,
    attachment_url: str | None = None,
    attachment_type: str | None = None,
    client_message_id: str | None = None,
    attachment_id: int | None = None,
) -> SendResult:
    """Send to a conversation by its id; a retry returns the original (created=False)."""
    request = check_conversation_message(
        sender=sender,
        conversation_id=conversation_id,
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
        attachment_id=attachment_id,
    )
    return _send_checked(request)


def check_conversation_message(
    *,
    sender: User,
    conversation_id: object,
    text: str | None,
    attachment_url: str | None = None,
    attachment_type: str | None = None,
    client_message_id: str | None = None,
    attachment_id: int | None = None,
) -> SendRequest:
    """As check_message, to a conversation by id: the sender must be an active member
    (404 if never, 403 if they left); in a direct conversation the other member is the
    recipient, with every rule of a send to them; the upload last, as there."""
    text, attachment_url, attachment_type, client_message_id = _clean_send_input(
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
        attachment_id=attachment_id,
    )
    request = SendRequest(
        sender=sender,
        recipient=None,
        text=text,
        attachment_url=attachment_url,
        attachment_type=attachment_type,
        client_message_id=client_message_id,
        original=_original_send(sender, client_message_id),
    )
    if request.original is not None:
        return request
    conversation = active_membership(user=sender, conversation_id=conversation_id).conversation
    if not conversation.is_group:
        other_id = conversation.other_user_id(sender.pk)
        request = replace(request, recipient=_check_recipient(sender, other_id))
    elif sender.messaging_suspended:
        raise SuspendedError()
    else:
        request = replace(request, group=conversation)
    return _with_upload(request, attachment_id)


def _with_upload(request: SendRequest, attachment_id: int | None) -> SendRequest:
    """The upload sent with a message: only the sender's own, not sent before (404)."""
    if attachment_id is None:
        return request
    attachment = unsent_upload(user=request.sender, attachment_id=attachment_id)
    return replace(
        request,
        attachment=attachment,
        attachment_url=download_path(attachment.pk),
        attachment_type=attachment.content_type,
    )


def _claim_upload(request: SendRequest) -> None:
    """Under its row lock: of two sends of one upload, the second finds it taken."""
    if request.attachment is not None:
        unsent_upload(user=request.sender, attachment_id=request.attachment.pk, lock=True)


def _check_recipient(sender: User, recipient_id: object) -> User:
    recipient_uuid = parse_user_id(recipient_id)
    if recipient_uuid == sender.pk:
        raise InvalidInput.for_field("recipient_id", "You cannot send a message to yourself.")
    recipient, blocked = member_and_block(member_id=recipient_uuid, other_id=sender.pk)
    if sender.messaging_suspended:
        raise SuspendedError()
    if blocked:
        raise BlockedError()
    return recipient


def do_send_message(request: SendRequest) -> SendResult:
    """Write a checked send: lock the pair's conversation (created on first use), insert
    the message, move the counters, and publish `message.new` after commit."""
    for attempt in range(_SEND_ATTEMPTS):
        try:
            with transaction.atomic():
                result = _insert_message(request)
            if result.created:
                _end_typing(result.message)
            return result
        except _ConversationRaced:
            if attempt == _SEND_ATTEMPTS - 1:
                raise
        except IntegrityError:
            # The same client_message_id raced in through another conversation row.
            original = _original_send(request.sender, request.client_message_id)
            if original is None:
                raise
            return SendResult(original, created=False)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _end_typing(message: Message) -> None:
    """The typist's message has arrived, so they are no longer typing it: every door
    (REST, socket, pages) reads this key, and a stale one would show "typing" for its
    remaining seconds after the message. Typing in a group is only an event, never a
    key, so a group message has none to clear (and saves the cache's round trip)."""
    if message.recipient_id is not None:
        cache.delete(typing_key(from_user_id=message.sender_id, to_user_id=message.recipient_id))


def _insert_message(request: SendRequest) -> SendResult:
    if request.group is not None:
        return _insert_group_message(request, request.group)
    sender, recipient = request.sender, request.recipient
    assert recipient is not None  # only a retry has none, and a retry is never written
    conversation = _locked_conversation(sender, recipient)
    # Checked again under the lock: a concurrent retry may have just committed.
    original = _original_send(sender, request.client_message_id)
    if original is not None:
        return SendResult(original, created=False)
    _claim_upload(request)
    message = _new_message(request, conversation)
    deliver(message)
    events.message_new(message)
    return SendResult(message, created=True)


def _clean_send_input(
    *,
    text: str | None,
    attachment_url: str | None,
    attachment_type: str | None,
    client_message_id: str | None,
    attachment_id: int | None = None,
) -> tuple[str, str, str, str | None]:
    if attachment_id is not None and (attachment_url or attachment_type):
        raise InvalidInput.for_field(
            "attachment_id", "Send an uploaded file or an attachment_url, not both."
        )
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
        reject_nul(field, value)
    text = clean_text(text, has_attachment=bool(attachment_url) or attachment_id is not None)
    if attachment_url:
        check_length("attachment_url", attachment_url, MAX_ATTACHMENT_URL_LENGTH)
        try:
            _http_url(attachment_url)
        except ValidationError:
            raise InvalidInput.for_field(
                "attachment_url", "Enter a valid http or https URL."
            ) from None
    check_length("attachment_type", attachment_type, MAX_ATTACHMENT_TYPE_LENGTH)
    check_length("client_message_id", client_message_id or "", MAX_CLIENT_MESSAGE_ID_LENGTH)
    return text, attachment_url, attachment_type, client_message_id


def clean_text(text: str | None, *, has_attachment: bool) -> str:
    """The §3.4 text rules, for a send and an edit alike: stripped, no NUL, at most
    MAX_TEXT_LENGTH characters, and not empty unless an attachment goes with it."""
    text = (text or "").strip()
    reject_nul("message_text", text)
    check_length("message_text", text, MAX_TEXT_LENGTH)
    if not text and not has_attachment:
        raise InvalidInput.for_field("message_text", "A message needs text or an attachment.")
    return text


def _insert_group_message(request: SendRequest, group: Conversation) -> SendResult:
    """A fixed number of statements however many members: the lock, the active members
    (who hear of it; the sender must still be one), the insert, one UPDATE of them all."""
    _LOCKED_GROUP.instances(Conversation, for_write=True, conversation_id=group.pk)
    # Each id parsed once per process (stored_uuid), not by the driver's converter for
    # every member of every send.
    audience = [stored_uuid(row[0]) for row in _AUDIENCE.raw(Participant, conversation_id=group.pk)]
    if request.sender.pk not in audience:
        raise LeftGroupError()
    original = _original_send(request.sender, request.client_message_id)
    if original is not None:
        return SendResult(original, created=False)
    _claim_upload(request)
    message = _new_message(request, group)
    deliver(message)
    events.message_new(message, audience=audience)
    return SendResult(message, created=True)


def _new_message(request: SendRequest, conversation: Conversation) -> Message:
    """The INSERT of a checked send, to its recipient or to every member of a group."""
    return _INSERT_MESSAGE.create(
        conversation=conversation,
        sender=request.sender,
        recipient=request.recipient,
        message_text=request.text,
        attachment_url=request.attachment_url,
        attachment_type=request.attachment_type,
        client_message_id=request.client_message_id,
        attachment=request.attachment,
        sent_at=timezone.now(),
    )


class _ConversationRaced(Exception):
    """Another first message created the pair's conversation at the same moment."""


def _locked_conversation(sender: User, recipient: User) -> Conversation:
    """The pair's conversation, created on first use, locked for this transaction. A
    first message to a member who receives message requests makes it a request on
    their side, within the sender's allowance of unanswered requests."""
    user_one_id, user_two_id = canonical_pair(sender.pk, recipient.pk)
    found = _LOCKED_PAIR.instances(
        Conversation, for_write=True, user_one_id=user_one_id, user_two_id=user_two_id
    )
    if found:
        return found[0]
    is_request = message_requests_on(recipient)
    if is_request:
        check_request_allowance(sender=sender)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                user_one_id=user_one_id, user_two_id=user_two_id, created_by=sender
            )
            Participant.objects.bulk_create(
                Participant(
                    conversation=conversation,
                    user_id=member_id,
                    is_request=is_request and member_id == recipient.pk,
                )
                for member_id in (user_one_id, user_two_id)
            )
    except IntegrityError:
        # Created by a concurrent first message. Locking theirs in this transaction
        # deadlocks on MariaDB: every insert that lost keeps a shared lock on the new key,
        # then each asks for the exclusive one. The send starts a fresh transaction instead.
        raise _ConversationRaced from None
    return Conversation.objects.select_for_update().get(
        user_one_id=user_one_id, user_two_id=user_two_id
    )


def _original_send(sender: User, client_message_id: str | None) -> Message | None:
    if not client_message_id:
        return None
    found = _ORIGINAL.instances(Message, sender_id=sender.pk, client_message_id=client_message_id)
    return found[0] if found else None


# Compiled once each (alumunity.prepared): a send runs them on every request. The
# message's INSERT, compiled by the ORM on every send, was half the Python of its writes.
_INSERT_MESSAGE = PreparedInsert(Message)
_LOCKED_PAIR = Prepared(
    lambda *, user_one_id, user_two_id: (
        Conversation.objects.select_for_update()
        .filter(user_one_id=user_one_id, user_two_id=user_two_id)
        .order_by("pk")[:1]
    ),
    user_one_id=User._meta.pk,
    user_two_id=User._meta.pk,
)
_LOCKED_GROUP = Prepared(
    lambda *, conversation_id: (
        Conversation.objects.select_for_update().filter(pk=conversation_id).order_by("pk")[:1]
    ),
    conversation_id=Conversation._meta.pk,
)
_AUDIENCE = Prepared(
    lambda *, conversation_id: Participant.objects.filter(
        conversation_id=conversation_id, left_at=None
    ).values_list("user_id", flat=True),
    conversation_id=Participant._meta.get_field("conversation"),
)
_ORIGINAL = Prepared(
    lambda *, sender_id, client_message_id: Message.objects.filter(
        sender_id=sender_id, client_message_id=client_message_id
    ).order_by("pk")[:1],
    sender_id=User._meta.pk,
    client_message_id=Message._meta.get_field("client_message_id"),
)
