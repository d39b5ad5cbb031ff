"""One batch of missed-message emails, in a fixed number of queries however many
members and messages it covers: find due members, claim their rows, read the rows and
their messages, then finish, retry or give up on them (one statement each)."""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from .. import selectors, services
from ..models import NotificationSettings, Participant
from .emails import EmailConversation, build_email, email_conversation
from .retries import retry_later, triage

logger = logging.getLogger(__name__)

SMTP_ERRORS = (smtplib.SMTPException, OSError)


@dataclass
class BatchResult:
    """What a batch did: emails sent, members dropped (nothing left to say, online,
    email off), emails to retry later and emails given up."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    given_up: int = 0
    claimed: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.retried + self.given_up


@dataclass
class _Outgoing:
    user_id: uuid.UUID
    rows: list[Participant]
    conversations: list[EmailConversation]


def run_batch(
    *, now: datetime | None = None, batch_size: int | None = None, connection=None
) -> BatchResult:
    """Claim and send one batch. `connection` is an email backend (default: EMAIL_URL's)."""
    config = settings.NOTIFICATIONS
    now = now or timezone.now()
    result = BatchResult()
    due = selectors.due_members(now=now, limit=batch_size or config["BATCH_SIZE"])
    token = services.claim_due(due=due, now=now, lease=timedelta(seconds=config["CLAIM_SECONDS"]))
    if token is None:
        return result
    result.claimed = True
    outgoing, dropped = _compose(token)
    result.skipped = len(dropped)
    failures = _send_all(outgoing, connection or get_connection(), result)
    sent_or_dropped = dropped + [item.user_id for item in outgoing if item.user_id not in failures]
    if sent_or_dropped:
        services.finish_claim(token=token, user_ids=sent_or_dropped)
    if failures:
        _reschedule(token, outgoing, failures, now, result)
    return result


def _compose(token: str) -> tuple[list[_Outgoing], list[uuid.UUID]]:
    """Each claimed member's email, or their id among those dropped: email turned off,
    a socket open (they are here and will see it), or nothing left unread."""
    rows = selectors.claimed_rows(token=token)
    missed = selectors.missed_messages(token=token)
    by_user: dict[uuid.UUID, list[Participant]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    live = selectors.live_presence(by_user)
    outgoing, dropped = [], []
    for user_id, member_rows in by_user.items():
        user = member_rows[0].user
        choices = _choices(member_rows[0])
        conversations = [
            email_conversation(row, missed[row.pk])
            for row in member_rows
            if row.pk in missed and not row.muted and row.left_at is None
        ]
        conversations.sort(key=lambda entry: entry.messages[0].pk, reverse=True)
        quiet = (
            not choices.email_missed_messages
            or not user.is_active
            or not user.email
            or live[user_id].sockets > 0
        )
        if quiet or not conversations:
            dropped.append(user_id)
        else:
            outgoing.append(_Outgoing(user_id, member_rows, conversations))
    return outgoing, dropped


def _choices(row: Participant) -> NotificationSettings:
    try:
        return row.user.notification_settings
    except NotificationSettings.DoesNotExist:
        return NotificationSettings(user=row.user)


def _send_all(outgoing: list[_Outgoing], connection, result: BatchResult) -> dict[uuid.UUID, str]:
    """Send each email on one connection; a failure is noted and the rest go on."""
    failures: dict[uuid.UUID, str] = {}
    for item in outgoing:
        user = item.rows[0].user
        email = build_email(
            user=user,
            choices=_choices(item.rows[0]),
            conversations=item.conversations,
            connection=connection,
        )
        try:
            email.send()
        except SMTP_ERRORS as exc:
            failures[item.user_id] = f"{type(exc).__name__}: {exc}"
            connection.close()
        else:
            result.sent += 1
    connection.close()
    return failures


def _reschedule(
    token: str,
    outgoing: list[_Outgoing],
    failures: dict[uuid.UUID, str],
    now: datetime,
    result: BatchResult,
) -> None:
    """Failed emails: retried after an exponential backoff, or, after MAX_TRIES, given up
    and recorded. Every failure is logged with the request id of the send behind it."""
    rows = {item.user_id: item.rows for item in outgoing if item.user_id in failures}
    failed = triage(
        rows=rows,
        attempts="email_attempts",
        failures=failures,
        errors=result.errors,
        logger=logger,
        channel="Missed-message email",
        given_up="; given up and recorded",
    )
    result.retried += retry_later(
        failed, now=now, release=partial(services.retry_claim, token=token)
    )
    if failed.final:
        give_up = {
            user_id: (
                [row.conversation_id for row in rows[user_id]],
                tries,
                failures[user_id],
                request_id,
            )
            for user_id, (tries, request_id) in failed.final.items()
        }
        services.give_up_claim(token=token, failures=give_up)
        result.given_up += len(give_up)
