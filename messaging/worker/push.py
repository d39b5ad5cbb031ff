"""One batch of Web Push notifications (SPEC 9.2), in a fixed number of queries however
many members and messages it covers: find due rows, claim them, read the rows, their
messages and the members' subscriptions, then finish, retry or drop (one statement
each). One push per conversation and browser: its newest unread message, "and N more"."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import requests
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from .. import selectors, services
from ..models import NotificationSettings, Participant, PushSubscription
from .retries import members, retry_later, triage

logger = logging.getLogger(__name__)

# The push service's answer for a subscription that no longer exists.
GONE = (404, 410)


@dataclass
class PushResult:
    """What a batch did: pushes delivered, rows dropped (nothing to say, online, off),
    members to retry, members given up, subscriptions removed as gone."""

    sent: int = 0
    skipped: int = 0
    retried: int = 0
    given_up: int = 0
    removed: int = 0
    claimed: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class _Push:
    user_id: uuid.UUID
    payload: dict
    subscriptions: list[PushSubscription]


def run_push_batch(
    *,
    now: datetime | None = None,
    batch_size: int | None = None,
    session: requests.Session | None = None,
) -> PushResult:
    """Claim and send one batch; nothing at all while Web Push is not configured."""
    result = PushResult()
    if selectors.push_public_key() is None:
        return result
    config = settings.NOTIFICATIONS
    now = now or timezone.now()
    due = selectors.due_push_rows(now=now, limit=batch_size or config["BATCH_SIZE"])
    lease = timedelta(seconds=config["CLAIM_SECONDS"])
    token = services.claim_push(row_ids=due, now=now, lease=lease)
    if token is None:
        return result
    result.claimed = True
    rows = selectors.claimed_push_rows(token=token)
    pushes = _compose(token, rows)
    with requests.Session() if session is None else session as http:
        failures, gone = _send_all(pushes, http, result)
    if gone:
        result.removed = services.remove_push_subscriptions(subscription_ids=gone)
    done = {row.user_id for row in rows} - set(failures)
    if done:
        services.finish_push_claim(token=token, user_ids=done)
    if failures:
        _reschedule(token, rows, failures, now, result)
    result.skipped = len(rows) - len(pushes)
    return result


def _compose(token: str, rows: list[Participant]) -> list[_Push]:
    """One push per claimed row worth one: not muted or left, the member's browser
    notifications on, no socket open (they are here and see it), a browser subscribed,
    and something unread they may see (missed_messages). A message request is said
    without its text (notification_text)."""
    missed = selectors.missed_messages(token=token, channel="push")
    user_ids = {row.user_id for row in rows}
    subscriptions = selectors.push_subscriptions_of(user_ids)
    live = selectors.live_presence(user_ids)
    pushes = []
    for row in rows:
        entry = missed.get(row.pk)
        choices = _choices(row)
        quiet = (
            entry is None
            or row.muted
            or row.left_at is not None
            or not choices.browser_notifications
            or not row.user.is_active
            or live[row.user_id].sockets > 0
            or not subscriptions.get(row.user_id)
        )
        if quiet:
            continue
        assert entry is not None
        newest = entry.messages[0]
        text = selectors.notification_text(
            message=newest,
            conversation=row.conversation,
            include_text=choices.email_include_text,
            more=entry.total - 1,
            is_request=row.is_request,
        )
        payload = {
            "title": text["title"],
            "body": text["body"],
            "url": text["url_path"],
            "tag": f"conversation-{text['conversation_id']}",
            "conversation_id": text["conversation_id"],
            "message_id": newest.pk,
        }
        pushes.append(_Push(row.user_id, payload, subscriptions[row.user_id]))
    return pushes


def _choices(row: Participant) -> NotificationSettings:
    try:
        return row.user.notification_settings
    except NotificationSettings.DoesNotExist:
        return NotificationSettings(user=row.user)


def _send_all(
    pushes: list[_Push], session: requests.Session, result: PushResult
) -> tuple[dict[uuid.UUID, str], list[int]]:
    """Each push to each of its member's browsers. A 404/410 marks the subscription
    gone; any other failure marks the member for a retry."""
    config = settings.NOTIFICATIONS
    vapid = Vapid.from_string(private_key=settings.VAPID_PRIVATE_KEY)
    failures: dict[uuid.UUID, str] = {}
    gone: list[int] = []
    for push in pushes:
        data = json.dumps(push.payload)
        for subscription in push.subscriptions:
            try:
                webpush(
                    subscription.subscription_info,
                    data=data,
                    vapid_private_key=vapid,
                    # A fresh dict each time: webpush() fills in this endpoint's audience.
                    vapid_claims={"sub": settings.VAPID_SUBJECT},
                    ttl=config["PUSH_TTL_SECONDS"],
                    timeout=config["PUSH_TIMEOUT_SECONDS"],
                    requests_session=session,
                )
            except WebPushException as exc:
                status = exc.response.status_code if exc.response is not None else None
                if status in GONE:
                    gone.append(subscription.pk)
                else:
                    failures[push.user_id] = f"push service answered {status}: {exc.message}"
            except (requests.RequestException, OSError) as exc:
                failures[push.user_id] = f"{type(exc).__name__}: {exc}"
            else:
                result.sent += 1
    return failures, gone


def _reschedule(
    token: str,
    rows: list[Participant],
    failures: dict[uuid.UUID, str],
    now: datetime,
    result: PushResult,
) -> None:
    """Failed pushes: retried after an exponential backoff, or after MAX_TRIES given up
    (logged, and the rows finished). Logged with the request id of the send behind it."""
    failed = triage(
        rows=members(rows, failures),
        attempts="push_attempts",
        failures=failures,
        errors=result.errors,
        logger=logger,
        channel="Web Push",
        given_up="; given up",
    )
    release = partial(services.retry_push_claim, token=token)
    result.retried += retry_later(failed, now=now, release=release)
    if failed.final:
        services.finish_push_claim(token=token, user_ids=list(failed.final))
        result.given_up += len(failed.final)
