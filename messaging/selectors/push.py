"""Reads for Web Push (SPEC 9.2): whether it is configured, a member's subscriptions,
and the worker's due and claimed rows. Nothing here writes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from ..models import Participant, PushSubscription


def push_public_key() -> str | None:
    """The VAPID public key a browser subscribes with, or None: Web Push is off."""
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY:
        return settings.VAPID_PUBLIC_KEY
    return None


def push_claimable(now: datetime) -> Q:
    """Rows no live push claim holds and no push retry waits on."""
    return Q(push_claimed_until__isnull=True) | Q(push_claimed_until__lt=now)


def due_push_rows(*, now: datetime, limit: int) -> list[int]:
    """Up to `limit` rows pending a push for longer than the push delay, oldest first.
    One query."""
    delay = timedelta(seconds=settings.NOTIFICATIONS["PUSH_DELAY_SECONDS"])
    return list(
        Participant.objects.filter(push_claimable(now), push_pending_since__lte=now - delay)
        .order_by("push_pending_since")
        .values_list("pk", flat=True)[:limit]
    )


def claimed_push_rows(*, token: str) -> list[Participant]:
    return list(
        Participant.objects.filter(push_claim_token=token)
        .select_related("user", "user__notification_settings", "conversation")
        .order_by("user_id", "-push_claim_through_id")
    )


def push_subscriptions_of(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[PushSubscription]]:
    """Each member's subscriptions, in one query."""
    found: dict[uuid.UUID, list[PushSubscription]] = defaultdict(list)
    for subscription in PushSubscription.objects.filter(user_id__in=list(user_ids)).order_by("pk"):
        found[subscription.user_id].append(subscription)
    return found
