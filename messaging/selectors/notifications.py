"""Reads for notifications: a member's settings, which members are due a missed-message
email, and what each claimed conversation has to say. Nothing here writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict

from django.core import signing
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber

from alumunity.users.models import User

from ..exceptions import InvalidInput
from ..models import Block, Message, NotificationSettings, Participant
from .blocks import blocked_user_ids
from .history import access_message

# Messages shown per conversation in one email; the rest are "and N more".
MESSAGES_PER_CONVERSATION = 5
MICROSECONDS_PER_MINUTE = 60_000_000
MIN_DELAY_MINUTES = 1
MAX_DELAY_MINUTES = 1440
UNSUBSCRIBE_SALT = "messaging.notifications.unsubscribe"


class SettingsPayload(TypedDict):
    email_missed_messages: bool
    email_delay_minutes: int
    email_include_text: bool
    browser_notifications: bool


SETTING_FIELDS = tuple(SettingsPayload.__annotations__)


def notification_settings(*, user: User) -> NotificationSettings:
    """The member's row, or an unsaved one holding the defaults."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def settings_payload(row: NotificationSettings) -> SettingsPayload:
    return SettingsPayload(
        email_missed_messages=row.email_missed_messages,
        email_delay_minutes=row.email_delay_minutes,
        email_include_text=row.email_include_text,
        browser_notifications=row.browser_notifications,
    )


# --- unsubscribe tokens -----------------------------------------------------------------
# Signed (SECRET_KEY, a salt of their own) so they cannot be guessed or made for someone
# else; they carry the member's unsubscribe generation, so a used one is refused.


def unsubscribe_token(*, user_id: uuid.UUID, generation: int) -> str:
    return signing.dumps([user_id.hex, generation], salt=UNSUBSCRIBE_SALT, compress=False)


def unsubscribe_target(token: str) -> tuple[uuid.UUID, int]:
    """The member and generation a token names; a forged or damaged one is a 400."""
    try:
        user_hex, generation = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return uuid.UUID(hex=user_hex), int(generation)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput.for_field("token", "This unsubscribe link is not valid.") from None


# --- the worker's reads -----------------------------------------------------------------


def _delay_minutes() -> Coalesce:
    return Coalesce(
        F("user__notification_settings__email_delay_minutes"),
        Value(NotificationSettings.DEFAULT_DELAY_MINUTES),
    )


def claimable(now: datetime) -> Q:
    """Rows no live claim holds and no retry waits on."""
    return Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lt=now)


def due_members(*, now: datetime, limit: int) -> dict[uuid.UUID, int]:
    """Up to `limit` members with a conversation due (pending longer than their delay),
    those waiting longest first, each with their delay in minutes. One query."""
    # The delay as a duration: both databases store one as whole microseconds (neither
    # has a native interval type), so minutes times 60,000,000 is one.
    delay = ExpressionWrapper(
        _delay_minutes() * Value(MICROSECONDS_PER_MINUTE), output_field=DurationField()
    )
    due_at = ExpressionWrapper(F("email_pending_since") + delay, output_field=DateTimeField())
    rows = (
        # The shortest delay bounds the index range; each member's own delay then decides.
        Participant.objects.filter(
            claimable(now), email_pending_since__lte=now - timedelta(minutes=MIN_DELAY_MINUTES)
        )
        .annotate(due_at=due_at, delay=_delay_minutes())
        .filter(due_at__lte=now)
        .values("user_id", "delay")
        .annotate(oldest=Min("email_pending_since"))
        .order_by("oldest")[:limit]
    )
    return {row["user_id"]: row["delay"] for row in rows}


def claimed_rows(*, token: str) -> list[Participant]:
    return list(
        Participant.objects.filter(email_claim_token=token)
        .select_related("user", "user__notification_settings", "conversation")
        .order_by("user_id", "-email_claim_through_id")
    )


@dataclass
class MissedConversation:
    """One conversation of an email: its newest messages (newest first) and how many."""

    messages: list[Message] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.messages)


def missed_messages(*, token: str) -> dict[int, MissedConversation]:
    """For each row claimed with `token` (by its id): the messages its member has not
    read and may see, up to the claim, at most MESSAGES_PER_CONVERSATION of them, newest
    first, and their total, with their current (edited) text. Read, hidden, deleted for
    everyone and system messages, their own, those before a delete-for-me or already
    emailed, and those from a member they blocked are left out. One query, however many
    rows."""
    viewer = "conversation__participants__"
    seen_up_to = Greatest(
        F(viewer + "emailed_through_message_id"),
        F(viewer + "cleared_through_id"),
        F(viewer + "first_message_id") - 1,
    )
    unread = Q(recipient_id=F(viewer + "user_id"), read_at__isnull=True) | Q(
        recipient__isnull=True, id__gt=F(viewer + "last_read_id")
    )
    blocked = Block.objects.filter(
        blocker_id=OuterRef(viewer + "user_id"), blocked_id=OuterRef("sender_id")
    )
    rows = (
        Message.objects.filter(
            unread,
            ~Q(sender_id=F(viewer + "user_id")),
            ~Exists(blocked),
            **{viewer + "email_claim_token": token},
            id__gt=seen_up_to,
            id__lte=F(viewer + "email_claim_through_id"),
            kind=Message.Kind.TEXT,
            is_hidden=False,
            # Deleted for everyone by its sender: nothing to tell (SPEC §9.2, §9.3).
            deleted_at__isnull=True,
        )
        .select_related("sender")
        .annotate(
            viewer_row=F(viewer + "id"),
            position=Window(RowNumber(), partition_by=[F(viewer + "id")], order_by=F("id").desc()),
            total=Window(Count("id"), partition_by=[F(viewer + "id")]),
        )
        .filter(position__lte=MESSAGES_PER_CONVERSATION)
        .order_by("viewer_row", "-id")
    )
    found: dict[int, MissedConversation] = {}
    for message in rows:
        entry = found.get(message.viewer_row)
        if entry is None:
            entry = found[message.viewer_row] = MissedConversation()
        entry.messages.append(message)
        entry.total = message.total
    return found


class BrowserNotification(TypedDict):
    title: str
    body: str
    conversation_id: int
    url_path: str


def browser_notification(*, user: User, message_id: int) -> BrowserNotification | None:
    """What a desktop notification for this message says, or None when there should be
    none: the member's own message, a system, hidden or deleted one, a muted conversation, a
    sender they blocked, or desktop notifications turned off; a message request is told
    once, without its text. 404 (from access_message)
    for a message they may not see."""
    message = access_message(user=user, message_id=message_id)
    choices = notification_settings(user=user)
    quiet = (
        message.sender_id == user.pk
        or message.kind != Message.Kind.TEXT
        or message.is_hidden
        or message.is_deleted
        or message.viewer.muted
        or not choices.browser_notifications
        or message.sender_id in blocked_user_ids(user=user)
    )
    if quiet:
        return None
    conversation = message.conversation
    sender = message.sender
    if message.viewer.is_request:
        # A stranger's request: said once (for its first message), never with its text.
        earlier = Message.objects.filter(conversation_id=conversation.pk, pk__lt=message.pk)
        if earlier.exists():
            return None
        return BrowserNotification(
            title=f"Message request from {sender.name}",
            body="Open it to read, then accept or delete it.",
            conversation_id=conversation.pk,
            url_path=f"/messages/{sender.pk}",
        )
    if conversation.is_group:
        title, path = f"{sender.name} in {conversation.title}", f"/messages/c/{conversation.pk}"
    else:
        title, path = sender.name, f"/messages/{sender.pk}"
    if choices.email_include_text:
        body = message.message_text or "Sent an attachment"
    else:
        body = "New message"
    return BrowserNotification(
        title=title, body=body[:200], conversation_id=conversation.pk, url_path=path
    )
