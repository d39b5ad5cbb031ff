"""Notification writes: the pending state a send leaves, a member's settings, one-click
unsubscribe, and the worker's claims on due rows (claim, finish, retry, give up).

The pending state lives on the participant row, written by the send's own UPDATE of
every recipient's row (services.messages.deliver), so a send costs no extra query and a
pending email is as durable as the message itself. A worker claims rows with one
UPDATE that only succeeds on rows no live claim holds: of two workers, each row goes to
one; a claim that outlives its lease (a killed worker) is claimable again."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce

from alumunity.middleware import current_request_id
from alumunity.users.models import User

from ..exceptions import InvalidInput
from ..models import Message, NotificationSettings, Participant, UndeliveredEmail
from ..selectors.notifications import (
    MAX_DELAY_MINUTES,
    MIN_DELAY_MINUTES,
    SETTING_FIELDS,
    claimable,
    unsubscribe_target,
)


def pending_email_counters(message: Message, *, request_id: str | None = None) -> dict[str, Any]:
    """The SET terms deliver() adds for a text message: each recipient who is not its
    sender and has not muted the conversation becomes pending from this message on,
    unless already pending (Coalesce keeps the first time). A message request is told
    once: once an email has covered it, the stranger's next messages leave it quiet
    until it is accepted. Each term reads only its own column (and columns this UPDATE
    does not set), so MySQL's left-to-right SET and SQLite's agree. `request_id`
    defaults to the current request's."""
    quiet = (
        Q(user_id=message.sender_id)
        | Q(muted=True)
        | Q(is_request=True, emailed_through_message_id__gt=0)
    )
    if request_id is None:
        request_id = current_request_id()
    return {
        "email_pending_since": Case(
            When(quiet, then=F("email_pending_since")),
            default=Coalesce(F("email_pending_since"), Value(message.sent_at)),
        ),
        "email_request_id": Case(
            When(Q(email_request_id="") & ~quiet, then=Value(request_id[:64])),
            default=F("email_request_id"),
        ),
    }


def update_notification_settings(*, user: User, changes: Mapping[str, Any]) -> NotificationSettings:
    """Change only the fields given; anything out of range changes nothing (400)."""
    unknown = sorted(set(changes) - set(SETTING_FIELDS))
    errors: dict[str, list[str]] = {name: ["Unknown field."] for name in unknown}
    for name, value in changes.items():
        if name == "email_delay_minutes":
            if isinstance(value, bool) or not isinstance(value, int):
                errors[name] = ["Must be a whole number of minutes."]
            elif not MIN_DELAY_MINUTES <= value <= MAX_DELAY_MINUTES:
                errors[name] = [f"Must be between {MIN_DELAY_MINUTES} and {MAX_DELAY_MINUTES}."]
        elif name in SETTING_FIELDS and not isinstance(value, bool):
            errors[name] = ["Must be true or false."]
    if errors:
        raise InvalidInput(errors=errors)
    with transaction.atomic():
        row, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        for name, value in changes.items():
            setattr(row, name, value)
        row.save()
    return row


def unsubscribe(*, token: str) -> NotificationSettings:
    """One-click unsubscribe: missed-message emails off for the member the token names.
    A forged token, or one already used (its generation is past), changes nothing."""
    user_id, generation = unsubscribe_target(token)
    with transaction.atomic():
        if not User.objects.filter(pk=user_id).exists():
            raise InvalidInput.for_field("token", "This unsubscribe link is not valid.")
        row, _ = NotificationSettings.objects.select_for_update().get_or_create(user_id=user_id)
        if row.unsubscribe_generation != generation:
            raise InvalidInput.for_field("token", "This unsubscribe link was already used.")
        row.email_missed_messages = False
        row.unsubscribe_generation = F("unsubscribe_generation") + 1
        row.save(update_fields=["email_missed_messages", "unsubscribe_generation"])
        row.refresh_from_db()
    return row


# --- the worker's claims ------------------------------------------------------------------


def claim_due(*, due: Mapping[uuid.UUID, int], now: datetime, lease: timedelta) -> str | None:
    """Claim, for a fresh token, every row of these members (each with their delay in
    minutes) pending longer than their delay and claimable now. One UPDATE; the token,
    or None when another worker got there first."""
    by_delay: dict[int, list[uuid.UUID]] = {}
    for user_id, delay in due.items():
        by_delay.setdefault(delay, []).append(user_id)
    if not by_delay:
        return None
    which = Q()
    for delay, user_ids in by_delay.items():
        which |= Q(user_id__in=user_ids, email_pending_since__lte=now - timedelta(minutes=delay))
    token = secrets.token_hex(16)
    claimed = Participant.objects.filter(
        which, claimable(now), email_pending_since__isnull=False
    ).update(
        email_claim_token=token,
        email_claimed_until=now + lease,
        email_claim_through_id=Coalesce(F("last_message_id"), Value(0)),
    )
    return token if claimed else None


def finish_claim(*, token: str, user_ids: Iterable[uuid.UUID] | None = None) -> int:
    """The claimed rows (of these members, or all) are done: what they covered counts as
    emailed, and a row that received more since its claim stays pending from its newest
    message. Rows whose claim another worker has taken over are left alone."""
    rows = Participant.objects.filter(email_claim_token=token)
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    newer = Q(last_message_id__gt=F("email_claim_through_id"))
    return rows.update(
        emailed_through_message_id=F("email_claim_through_id"),
        email_pending_since=Case(When(newer, then=F("last_message_at")), default=None),
        email_request_id=Case(When(newer, then=F("email_request_id")), default=Value("")),
        email_claim_token="",
        email_claimed_until=None,
        email_attempts=0,
    )


def retry_claim(*, token: str, user_ids: Iterable[uuid.UUID], retry_at: datetime) -> int:
    """A failed email: its rows are released until `retry_at`, one more try counted."""
    return Participant.objects.filter(email_claim_token=token, user_id__in=list(user_ids)).update(
        email_claim_token="", email_claimed_until=retry_at, email_attempts=F("email_attempts") + 1
    )


def give_up_claim(
    *, token: str, failures: Mapping[uuid.UUID, tuple[list[int], int, str, str]]
) -> None:
    """Emails that failed their last try: recorded (member, conversations, tries, error,
    request id), and their rows finished so the worker moves on."""
    with transaction.atomic():
        UndeliveredEmail.objects.bulk_create(
            UndeliveredEmail(
                user_id=user_id,
                conversation_ids=conversation_ids,
                attempts=attempts,
                error=error[:2000],
                request_id=request_id,
            )
            for user_id, (conversation_ids, attempts, error, request_id) in failures.items()
        )
        finish_claim(token=token, user_ids=failures.keys())
