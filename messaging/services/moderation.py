"""Reports from members and the staff's moderation actions, each written to the log."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from alumunity.users.models import User

from .. import events
from ..exceptions import Conflict, InvalidInput
from ..limits import MAX_REPORT_REASON_LENGTH, check_length, reject_nul
from ..models import Message, MessageRevision, ModerationLogEntry, Participant, Report
from ..payloads import iso
from ..selectors import access_message, message_context

ALREADY_REPORTED = "You already reported this message. The moderators will look at it."


def report_message(*, reporter: User, message_id: int, reason: str | None) -> Report:
    """File a report for the staff queue. Only a participant may report a message they
    can see, and only once while their report is open: a second one is refused and the
    first reason stays what the moderators read."""
    reason = (reason or "").strip()
    reject_nul("reason", reason)
    if not reason:
        raise InvalidInput.for_field("reason", "Say why you are reporting this message.")
    check_length("reason", reason, MAX_REPORT_REASON_LENGTH)
    message = access_message(user=reporter, message_id=message_id)
    with transaction.atomic():
        # Two reports sent at once queue on the message row, so only one of them is filed.
        Message.objects.select_for_update().filter(pk=message.pk).first()
        if Report.objects.filter(
            message=message, reporter=reporter, status=Report.Status.OPEN
        ).exists():
            raise Conflict(ALREADY_REPORTED)
        return Report.objects.create(
            message=message, reporter=reporter, reason=reason, evidence=_evidence(message)
        )


def _evidence(message: Message) -> list[dict]:
    """The reported message and its neighbours as they are now (original texts, as staff
    read them: a deleted one's from its revision), frozen into the report."""
    context = message_context(message)
    deleted = dict(
        MessageRevision.objects.filter(
            message_id__in=[shown.pk for shown in context if shown.is_deleted], deleted=True
        ).values_list("message_id", "message_text")
    )
    return [
        {
            "id": shown.pk,
            "sender_id": str(shown.sender_id),
            "sender_name": shown.sender.name,
            "sent_at": iso(shown.sent_at),
            "edited_at": iso(shown.edited_at),
            "message_text": deleted.get(shown.pk, shown.message_text),
            "attachment_url": shown.attachment_url or None,
            "hidden": shown.is_hidden,
            "deleted": shown.is_deleted,
            "reported": shown.pk == message.pk,
        }
        for shown in context
    ]


def _log(*, actor: User, action: str, target: Model, reason: str = "") -> None:
    """One log entry; an action on a message or a report also names the conversation
    it happened in, so a group's moderation can be read in one place."""
    message = target.message if isinstance(target, Report) else target
    ModerationLogEntry.objects.create(
        actor=actor,
        action=action,
        target_type=str(target._meta.model_name),
        target_id=str(target.pk),
        conversation_id=message.conversation_id if isinstance(message, Message) else None,
        reason=(reason or "").strip(),
    )


def _audience(message: Message) -> list | None:
    """A group message's events go to its active members; a direct one's to its pair."""
    if message.recipient_id is not None:
        return None
    return list(
        Participant.objects.filter(
            conversation_id=message.conversation_id, left_at=None
        ).values_list("user_id", flat=True)
    )


def set_message_hidden(*, actor: User, message: Message, hidden: bool, reason: str = "") -> bool:
    """Hide (or unhide) a message for both members; returns whether anything changed.
    Unhiding sends the restored message as `message.new`: clients already upsert that
    event by message id (a sender hears of its own sends that way), so the placeholder
    is replaced in place rather than added twice."""
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, is_hidden=not hidden).update(
            is_hidden=hidden
        )
        if not changed:
            return False
        message.is_hidden = hidden
        action = (
            ModerationLogEntry.Action.HIDE_MESSAGE
            if hidden
            else ModerationLogEntry.Action.UNHIDE_MESSAGE
        )
        _log(actor=actor, action=action, target=message, reason=reason)
        if hidden:
            events.message_hidden(message, audience=_audience(message))
        else:
            events.message_new(message, audience=_audience(message))
    return True


def set_messaging_suspended(*, actor: User, user: User, suspended: bool, reason: str = "") -> bool:
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, messaging_suspended=not suspended).update(
            messaging_suspended=suspended
        )
        if not changed:
            return False
        user.messaging_suspended = suspended
        action = (
            ModerationLogEntry.Action.SUSPEND_USER
            if suspended
            else ModerationLogEntry.Action.UNSUSPEND_USER
        )
        _log(actor=actor, action=action, target=user, reason=reason)
        if suspended:
            # The member's open sockets close themselves (code 4403) on this event.
            events.publish([user.pk], {"type": "member.suspended"})
    return True


def close_report(*, actor: User, report: Report, dismiss: bool = False, reason: str = "") -> bool:
    with transaction.atomic():
        status = Report.Status.DISMISSED if dismiss else Report.Status.RESOLVED
        changed = Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
            status=status, resolved_by=actor, resolved_at=timezone.now()
        )
        if not changed:
            return False
        report.status = status
        action = (
            ModerationLogEntry.Action.DISMISS_REPORT
            if dismiss
            else ModerationLogEntry.Action.RESOLVE_REPORT
        )
        _log(actor=actor, action=action, target=report, reason=reason)
    return True
