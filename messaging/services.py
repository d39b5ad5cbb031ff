"""Every write to message state, and every rule of SPEC §3.4 that guards one.

Each service takes keyword arguments, runs in one transaction and publishes its events
only after commit. Counters change with F() expressions in the database, never as
Python arithmetic, so concurrent writers cannot lose an update. A send locks the
conversation row for its whole transaction, which orders messages and the
delete-for-me marker exactly; reads lock only the message rows they change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from . import events
from .exceptions import BlockedError, Conflict, InvalidInput, NotFound, SuspendedError
from .models import Block, Conversation, Message, ModerationLogEntry, Presence, Report
from .selectors import (
    MessagePage,
    canonical_pair,
    get_member,
    is_blocked_between,
    list_messages,
    member_presence,
    parse_user_id,
    presence_audience,
    socket_count_key,
    socket_left_key,
    typing_key,
)

User = get_user_model()

MAX_TEXT_LENGTH = 5000
MAX_ATTACHMENT_URL_LENGTH = 500
MAX_ATTACHMENT_TYPE_LENGTH = 50
MAX_CLIENT_MESSAGE_ID_LENGTH = 64
MAX_REPORT_REASON_LENGTH = 1000
ALREADY_REPORTED = "You already reported this message. The moderators will look at it."

_http_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class SendResult:
    message: Message
    created: bool


# --- helpers shared by the services ---------------------------------------------------


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


# --- sending ----------------------------------------------------------------------------


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
    # The typist's message has arrived, so they are no longer typing it: every door
    # (REST, socket, pages) reads this key, and a stale one would show "typing" for its
    # remaining seconds after the message.
    cache.delete(typing_key(from_user_id=sender.pk, to_user_id=recipient.pk))
    return SendResult(message, created=True)


# --- reading ----------------------------------------------------------------------------


def mark_read(*, reader, message_id: int) -> Message:
    """Mark one message read. Only its recipient may, and only while it is visible to
    them; anyone else gets the same 404 as for a missing message. Idempotent."""
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, recipient=reader)
        .first()
    )
    if message is None or message.pk <= message.conversation.cleared_through_id_for(reader.pk):
        raise NotFound("Message not found.")
    if message.read_at is not None:
        return message
    side = message.conversation.side_of(reader.pk)
    now = timezone.now()
    with transaction.atomic():
        # The conversation row first, then the message: the order every writer takes
        # (send, mark_conversation_read), so concurrent reads cannot deadlock on MariaDB.
        # The counter update itself takes the row lock. It counts only while the message
        # is still visible: a delete-for-me that landed since the check above has already
        # zeroed the counter (and later sends count anew).
        Conversation.objects.filter(
            pk=message.conversation_id,
            **{f"cleared_through_id_{side}__lt": message.pk, f"unread_count_{side}__gt": 0},
        ).update(**{f"unread_count_{side}": F(f"unread_count_{side}") - 1})
        changed = Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        if not changed:
            # Another request read it first and counted it: undo this decrement.
            transaction.set_rollback(True)
        else:
            events.message_read(
                conversation_id=message.conversation_id,
                message_ids=[message.pk],
                reader_id=reader.pk,
                sender_id=message.sender_id,
                read_at=now,
            )
    if changed:
        message.read_at = now
    else:
        message.refresh_from_db(fields=["read_at"])
    return message


def mark_conversation_read(
    *, reader, conversation: Conversation, shown: list[Message] | tuple = ()
) -> tuple[list[int], datetime]:
    """Mark every visible unread message to `reader` in the conversation read (opening
    a conversation does this). Returns the ids it changed and their read time; no query
    at all when the counter says nothing is unread.

    `shown` is the page the caller has just read from this conversation. When its unread
    messages are as many as the counter holds, they are all of them, and two statements
    mark them; otherwise the unread ids are looked up first."""
    now = timezone.now()
    if conversation.unread_count_for(reader.pk) == 0:
        return [], now
    marked = _mark_shown_read(reader=reader, conversation=conversation, shown=shown, now=now)
    if marked is None:
        marked = _mark_unread_read(reader=reader, conversation=conversation, now=now)
    if marked:
        events.message_read(
            conversation_id=conversation.pk,
            message_ids=marked,
            reader_id=reader.pk,
            sender_id=conversation.other_user_id(reader.pk),
            read_at=now,
        )
    setattr(conversation, f"unread_count_{conversation.side_of(reader.pk)}", 0)
    return marked, now


def _mark_shown_read(*, reader, conversation, shown, now) -> list[int] | None:
    """The two-statement path, or None when it cannot prove it saw every unread message.

    The counter equals the reader's unread messages after their marker (every writer
    keeps it so, under the row lock). Zeroing it only if it still holds the count and
    marker the page was read with takes that lock; if the shown candidates then mark
    exactly that many, they were all of them."""
    side = conversation.side_of(reader.pk)
    unread = conversation.unread_count_for(reader.pk)
    marker = conversation.cleared_through_id_for(reader.pk)
    candidates = [
        message.pk
        for message in shown
        if message.recipient_id == reader.pk and message.read_at is None and message.pk > marker
    ]
    if len(candidates) != unread:
        return None
    with transaction.atomic():
        locked = Conversation.objects.filter(
            pk=conversation.pk,
            **{f"unread_count_{side}": unread, f"cleared_through_id_{side}": marker},
        ).update(**{f"unread_count_{side}": 0})
        if not locked:
            return None
        changed = Message.objects.filter(pk__in=candidates, read_at__isnull=True).update(
            read_at=now
        )
        if changed != unread:
            transaction.set_rollback(True)
            return None
    return candidates


def _mark_unread_read(*, reader, conversation, now) -> list[int]:
    """The general path: look the unread ids up under the row lock, then mark them."""
    side = conversation.side_of(reader.pk)
    with transaction.atomic():
        # `conversation` may be stale (open_conversation read it with the page): lock the
        # row and take the current marker, so a delete-for-me or a send cannot slip in.
        marker = (
            Conversation.objects.select_for_update()
            .values_list(f"cleared_through_id_{side}", flat=True)
            .get(pk=conversation.pk)
        )
        message_ids = list(
            Message.objects.filter(
                conversation=conversation, recipient=reader, read_at__isnull=True, pk__gt=marker
            ).values_list("pk", flat=True)
        )
        if not message_ids:
            return []
        changed = Message.objects.filter(pk__in=message_ids, read_at__isnull=True).update(
            read_at=now
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            **{f"unread_count_{side}": Greatest(F(f"unread_count_{side}") - changed, 0)}
        )
    return message_ids


def open_conversation(
    *,
    reader,
    other_user_id,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage:
    """Read a page of a conversation the way a member opens it: every message from the
    other member becomes read, and the page shows them as read."""
    page = list_messages(
        user=reader,
        other_user_id=other_user_id,
        limit=limit,
        before=before,
        after=after,
        around=around,
    )
    if page.conversation is not None:
        marked, read_at = mark_conversation_read(
            reader=reader, conversation=page.conversation, shown=page.messages
        )
        marked = set(marked)
        for message in page.messages:
            if message.pk in marked:
                message.read_at = read_at
    return page


# --- delete for me ------------------------------------------------------------------------


def delete_conversation(*, user, conversation_id) -> None:
    """Delete for me: the conversation leaves this member's inbox, search and history
    and their unread count for it drops to 0. Nothing is removed; the other member keeps
    everything, and a later message brings it back showing only what came after."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(user_one=user) | Q(user_two=user))
        .first()
        if str(conversation_id).isdigit()
        else None
    )
    if conversation is None:
        raise NotFound("Conversation not found.")
    side = conversation.side_of(user.pk)
    with transaction.atomic():
        # One statement, so a send landing at the same moment is either wholly before
        # the marker (and cleared) or wholly after it (and visible and counted).
        Conversation.objects.filter(pk=conversation.pk).update(
            **{
                f"cleared_through_id_{side}": F("last_message_id"),
                f"cleared_count_{side}": F("message_count"),
                f"unread_count_{side}": 0,
            }
        )
        events.conversation_deleted(conversation_id=conversation.pk, user_id=user.pk)


# --- blocking ---------------------------------------------------------------------------


def block_user(*, blocker, blocked_user_id, actor=None, reason: str = "") -> Block:
    """Idempotent. After it, neither member can send to the other and each sees the
    other offline and never typing; their history stays. With `actor` (a moderator
    acting for the member) a new block is written to the moderation log."""
    blocked_uuid = parse_user_id(blocked_user_id)
    if blocked_uuid == blocker.pk:
        raise InvalidInput.for_field("blocked_user_id", "You cannot block yourself.")
    blocked = get_member(blocked_uuid)
    with transaction.atomic():
        block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        if created and actor is not None:
            _log(
                actor=actor, action=ModerationLogEntry.Action.ADD_BLOCK, target=block, reason=reason
            )
    cache.delete(typing_key(from_user_id=blocked.pk, to_user_id=blocker.pk))
    cache.delete(typing_key(from_user_id=blocker.pk, to_user_id=blocked.pk))
    _show_presence_between(blocker, blocked, visible=False)
    return block


def unblock_user(*, blocker, blocked_user_id, actor=None, reason: str = "") -> None:
    """Idempotent: unblocking someone not blocked changes nothing. With `actor` (a
    moderator) the removal is written to the moderation log."""
    blocked = get_member(blocked_user_id)
    with transaction.atomic():
        block = Block.objects.select_for_update().filter(blocker=blocker, blocked=blocked).first()
        if block is None:
            return
        if actor is not None:
            _log(
                actor=actor,
                action=ModerationLogEntry.Action.REMOVE_BLOCK,
                target=block,
                reason=reason,
            )
        block.delete()
    _show_presence_between(blocker, blocked, visible=True)


# --- reports and moderation ---------------------------------------------------------------


def report_message(*, reporter, message_id, reason: str) -> Report:
    """File a report for the staff queue. Only a participant may report a message they
    can see, and only once while their report is open: a second one is refused and the
    first reason stays what the moderators read."""
    reason = (reason or "").strip()
    _reject_nul("reason", reason)
    if not reason:
        raise InvalidInput.for_field("reason", "Say why you are reporting this message.")
    if len(reason) > MAX_REPORT_REASON_LENGTH:
        raise InvalidInput.for_field(
            "reason", f"Ensure this field has no more than {MAX_REPORT_REASON_LENGTH} characters."
        )
    message = (
        Message.objects.select_related("conversation")
        .filter(Q(sender=reporter) | Q(recipient=reporter), pk=message_id)
        .first()
    )
    if message is None or message.pk <= message.conversation.cleared_through_id_for(reporter.pk):
        raise NotFound("Message not found.")
    with transaction.atomic():
        # Two reports sent at once queue on the message row, so only one of them is filed.
        Message.objects.select_for_update().filter(pk=message.pk).first()
        if Report.objects.filter(
            message=message, reporter=reporter, status=Report.Status.OPEN
        ).exists():
            raise Conflict(ALREADY_REPORTED)
        return Report.objects.create(message=message, reporter=reporter, reason=reason)


def _log(*, actor, action: str, target, reason: str = "") -> None:
    ModerationLogEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        reason=(reason or "").strip(),
    )


def set_message_hidden(*, actor, message: Message, hidden: bool, reason: str = "") -> bool:
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
            events.message_hidden(message)
        else:
            events.message_new(message)
    return True


def set_messaging_suspended(*, actor, user, suspended: bool, reason: str = "") -> bool:
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
            # The member's open sockets close themselves on this event (SPEC §4: 4403).
            events.publish([user.pk], {"type": "member.suspended"})
    return True


def close_report(*, actor, report: Report, dismiss: bool = False, reason: str = "") -> bool:
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


# --- presence and typing ----------------------------------------------------------------


def record_typing(*, user, to_user_id) -> None:
    """Remember for a few seconds that `user` is typing to `to_user_id`. Between blocked
    members nothing is recorded or sent, so a block hides typing both ways."""
    other = get_member(to_user_id)
    if other.pk == user.pk or is_blocked_between(user.pk, other.pk):
        return
    cache.set(
        typing_key(from_user_id=user.pk, to_user_id=other.pk),
        True,
        timeout=settings.MESSAGING["TYPING_SECONDS"],
    )
    events.typing(user_id=user.pk, to_user_id=other.pk, is_typing=True)


def set_presence_mode(*, user, mode: str) -> Presence:
    if mode not in Presence.Mode.values:
        raise InvalidInput.for_field("status", "Choose do_not_disturb or auto.")
    with transaction.atomic():
        presence, _ = Presence.objects.select_for_update().get_or_create(user=user)
        presence.mode = mode
        presence.last_seen_at = timezone.now()
        presence.save(update_fields=["mode", "last_seen_at"])
    _publish_presence(user)
    return presence


def record_activity(*, user) -> None:
    """Note that the member is active. Written at most every ACTIVITY_WRITE_SECONDS per
    member (the cache remembers the last write), so requests stay read-only."""
    if not cache.add(
        f"activity:{user.pk}", True, timeout=settings.MESSAGING["ACTIVITY_WRITE_SECONDS"]
    ):
        return
    _write_last_seen(user, timezone.now())


def _write_last_seen(user, now) -> None:
    if not Presence.objects.filter(user=user).update(last_seen_at=now):
        Presence.objects.get_or_create(user=user, defaults={"last_seen_at": now})


# --- sockets and presence events ------------------------------------------------------------
# Open sockets are counted per member in the cache (shared by every server process with
# Redis). The count lives for AWAY_WINDOW_SECONDS and each ping renews it, so the sockets
# of a crashed process stop counting on their own instead of keeping a member "away".


def _socket_ttl() -> int:
    return settings.MESSAGING["AWAY_WINDOW_SECONDS"]


def _publish_presence(user) -> None:
    """Tell the member's partners (never a blocked one) their status, when it changed
    since the last time anyone was told."""
    state = member_presence(user_id=user.pk)
    sent_key = f"presence-sent:{user.pk}"
    if cache.get(sent_key) == state["status"]:
        return
    cache.set(sent_key, state["status"], timeout=24 * 60 * 60)
    events.presence(user_id=user.pk, audience=presence_audience(user=user), **state)


def _show_presence_between(first, second, *, visible: bool) -> None:
    """After a block each sees the other offline and not typing; after an unblock each
    sees the other's real status again."""
    for member, audience in ((first, second), (second, first)):
        if visible:
            events.presence(
                user_id=member.pk, audience=[audience.pk], **member_presence(user_id=member.pk)
            )
        else:
            events.typing(user_id=member.pk, to_user_id=audience.pk, is_typing=False)
            events.presence(
                user_id=member.pk, status="offline", last_seen_at=None, audience=[audience.pk]
            )


def end_browser_session(*, session_key: str | None) -> None:
    """A member logged out of a browser: that session's open sockets close (4401)."""
    if session_key:
        events.session_ended(session_key)


def open_socket(*, user) -> None:
    """A socket of the member opened (one per tab or device): count it, note the
    activity, and tell their partners they are online. Suspended members get none."""
    if user.messaging_suspended:
        raise SuspendedError()
    key = socket_count_key(user.pk)
    cache.add(key, 0, timeout=_socket_ttl())
    try:
        cache.incr(key)
    except ValueError:  # the count expired between the two calls
        cache.set(key, 1, timeout=_socket_ttl())
    cache.touch(key, _socket_ttl())
    _write_last_seen(user, timezone.now())
    cache.set(f"activity:{user.pk}", True, timeout=settings.MESSAGING["ACTIVITY_WRITE_SECONDS"])
    _publish_presence(user)


def record_heartbeat(*, user, active: bool = True) -> None:
    """A ping from an open socket keeps it counted; it is activity unless the client
    says its member is idle (so an idle open tab turns away)."""
    key = socket_count_key(user.pk)
    if not cache.touch(key, _socket_ttl()):
        cache.add(key, 1, timeout=_socket_ttl())
    if active:
        record_activity(user=user)
    _publish_presence(user)


def close_socket(*, user) -> None:
    """A socket closed. After the member's last one they are offline, with the moment
    as last_seen_at, until they are active again."""
    key = socket_count_key(user.pk)
    try:
        remaining = cache.decr(key)
    except ValueError:  # the count had expired: nothing else is known to be open
        remaining = 0
    if remaining > 0:
        return
    if remaining < 0:
        cache.set(key, 0, timeout=_socket_ttl())
    now = timezone.now()
    _write_last_seen(user, now)
    cache.set(socket_left_key(user.pk), now, timeout=_socket_ttl())
    # The next request writes its activity at once, ending "offline" if the member is
    # still there (a page that fell back to polling).
    cache.delete(f"activity:{user.pk}")
    _publish_presence(user)
