"""A sender's edits and delete for everyone (SPEC §9.3). Each replaced text is kept as a
MessageRevision: earlier versions for the participants' history, the text at deletion
for staff only. The message row holds only the current text, so the search index (which
follows message_text on both backends) and the inbox preview always show what is
current, and a deleted message, its text emptied, leaves the index."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alumunity.users.models import User

from .. import events
from ..exceptions import BlockedError, Forbidden, InvalidInput, SuspendedError
from ..models import Message, MessageRevision, Reaction
from ..selectors import (
    LeftGroupError,
    access_message,
    hide_unshared_receipt,
    is_blocked_between,
    message_audience,
)
from .messages import clean_text

NOT_YOURS = "Only the sender can change this message."
EDIT_WINDOW_PASSED = "This message can no longer be edited."


def edit_message(*, editor: User, message_id: int, text: str | None) -> Message:
    """Replace the text of the editor's own message, within EDIT_WINDOW_MINUTES of
    sending it. The text rules of a send apply. An unchanged text changes nothing."""
    message = access_message(user=editor, message_id=message_id)
    _check_edit(editor, message)
    text = clean_text(text, has_attachment=bool(message.attachment_url))
    with transaction.atomic():
        locked = _locked(message)
        _check_edit(editor, locked)
        if text == locked.message_text:
            return locked
        now = timezone.now()
        MessageRevision.objects.create(
            message=locked,
            message_text=locked.message_text,
            written_at=locked.edited_at or locked.sent_at,
            replaced_at=now,
        )
        locked.message_text, locked.edited_at = text, now
        locked.save(update_fields=["message_text", "edited_at"])
        hide_unshared_receipt(locked, found=message)
        events.message_edited(locked, audience=message_audience(locked))
    return locked


def delete_message(*, deleter: User, message_id: int) -> Message:
    """Delete the deleter's own message for everyone, at any time: its text is kept as
    a staff-only revision, its reactions go, and every participant sees the placeholder."""
    message = access_message(user=deleter, message_id=message_id)
    _check_own(deleter, message)
    with transaction.atomic():
        locked = _locked(message)
        _check_own(deleter, locked)
        now = timezone.now()
        MessageRevision.objects.create(
            message=locked,
            message_text=locked.message_text,
            written_at=locked.edited_at or locked.sent_at,
            replaced_at=now,
            deleted=True,
        )
        Reaction.objects.filter(message=locked).delete()
        locked.message_text, locked.deleted_at, locked.reaction_count = "", now, 0
        locked.save(update_fields=["message_text", "deleted_at", "reaction_count"])
        hide_unshared_receipt(locked, found=message)
        events.message_deleted(locked, audience=message_audience(locked))
    return locked


def _locked(message: Message) -> Message:
    """The message row again, locked, so concurrent edits and deletes queue and each
    one checks what the previous left."""
    # The message row alone: locking its conversation too would take the send's lock
    # from the other side (message, then conversation) and could deadlock with it.
    locked = Message.objects.select_for_update().get(pk=message.pk)
    locked.conversation, locked.viewer = message.conversation, message.viewer
    return locked


def _check_own(user: User, message: Message) -> None:
    """The sender's own text message, not deleted: someone else's is a 403 (they can see
    it; access_message already gave 404 to anyone who cannot)."""
    if message.sender_id != user.pk:
        raise Forbidden(NOT_YOURS)
    if message.kind == Message.Kind.SYSTEM:
        raise InvalidInput.for_field("message_id", "A system message cannot be changed.")
    if message.is_deleted:
        raise InvalidInput.for_field("message_id", "This message was deleted.")


def within_edit_window(message: Message) -> bool:
    return timezone.now() - message.sent_at <= timedelta(minutes=settings.EDIT_WINDOW_MINUTES)


def may_edit(user: User, message: Message) -> bool:
    """Whether the pages offer Edit on this message: the member's own text message,
    shown, within the window (the rest of the rules are checked when they save)."""
    return (
        message.sender_id == user.pk
        and message.kind == Message.Kind.TEXT
        and not message.is_hidden
        and not message.is_deleted
        and within_edit_window(message)
    )


def _check_edit(user: User, message: Message) -> None:
    _check_own(user, message)
    if message.is_hidden:
        raise Forbidden("A moderator removed this message; it cannot be edited.")
    if not within_edit_window(message):
        raise Forbidden(EDIT_WINDOW_PASSED)
    check_may_write(user, message)


def check_may_write(user: User, message: Message) -> None:
    """What stops a member writing to a conversation stops an edit or a reaction too:
    a suspension, having left the group, a block between the two in a direct one."""
    if user.messaging_suspended:
        raise SuspendedError()
    if message.viewer.left_at is not None:
        raise LeftGroupError()
    conversation = message.conversation
    if not conversation.is_group:
        other_id = conversation.other_user_id(user.pk)
        if other_id is not None and is_blocked_between(user.pk, other_id):
            raise BlockedError()
