"""What both channels of the worker (missed-message email, Web Push) do with a failed
delivery: each member's try is counted and logged under the request id of the send
behind it, then retried after an exponential backoff or, after MAX_TRIES, given up."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings

from alumunity.middleware import request_id_var

from ..models import Participant


@dataclass
class Failed:
    """The members whose delivery failed: those to retry, by their try number, and
    those given up, with their tries and the request id of the send behind them."""

    retry: dict[int, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    final: dict[uuid.UUID, tuple[int, str]] = field(default_factory=dict)


def triage(
    *,
    rows: Mapping[uuid.UUID, Sequence[Participant]],
    attempts: str,
    failures: Mapping[uuid.UUID, str],
    errors: list[str],
    logger: logging.Logger,
    channel: str,
    given_up: str,
) -> Failed:
    """Each failed member's try (one more than the most their rows' `attempts` field
    counts), logged and sorted into retry or given up."""
    failed = Failed()
    for user_id, member_rows in rows.items():
        tries = max(getattr(row, attempts) for row in member_rows) + 1
        request_id = next((row.email_request_id for row in member_rows if row.email_request_id), "")
        final = tries >= settings.NOTIFICATIONS["MAX_TRIES"]
        outcome = given_up if final else "; will retry"
        _log_failure(logger, channel, user_id, tries, failures[user_id] + outcome, request_id)
        errors.append(failures[user_id])
        if final:
            failed.final[user_id] = (tries, request_id)
        else:
            failed.retry[tries].append(user_id)
    return failed


def retry_later(
    failed: Failed,
    *,
    now: datetime,
    release: Callable[..., object],
) -> int:
    """Release each member's rows until their backoff is over (BACKOFF_SECONDS, doubled
    for every try after the first); how many members will be retried."""
    retried = 0
    for tries, user_ids in failed.retry.items():
        delay = timedelta(seconds=settings.NOTIFICATIONS["BACKOFF_SECONDS"] * 2 ** (tries - 1))
        release(user_ids=user_ids, retry_at=now + delay)
        retried += len(user_ids)
    return retried


def _log_failure(
    logger: logging.Logger,
    channel: str,
    user_id: uuid.UUID,
    tries: int,
    message: str,
    request_id: str,
) -> None:
    """Logged under the request id of the send that made the delivery pending."""
    context = request_id_var.set(request_id or "-")
    try:
        logger.warning(
            "%s to member %s failed (try %d of %d): %s",
            channel,
            user_id,
            tries,
            settings.NOTIFICATIONS["MAX_TRIES"],
            message,
        )
    finally:
        request_id_var.reset(context)


def members(rows: Iterable[Participant], failures: Mapping[uuid.UUID, str]) -> dict:
    """The failed members' rows, by member."""
    by_user: dict[uuid.UUID, list[Participant]] = defaultdict(list)
    for row in rows:
        if row.user_id in failures:
            by_user[row.user_id].append(row)
    return by_user
