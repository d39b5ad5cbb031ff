"""Web Push writes (SPEC 9.2): a browser's subscription, the pending state a send leaves
for a member who has one, and the worker's claims on due rows.

Like the missed-message email, a pending push lives on the participant row and is set
by the send's own UPDATE of every recipient's row (no extra query, as durable as the
message); a worker claims rows with one UPDATE that only takes rows no live claim
holds, so of two workers each push goes out once."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce

from alumunity.users.models import User

from ..exceptions import Conflict, InvalidInput
from ..models import Message, Participant, PushSubscription
from ..selectors.push import push_claimable, push_public_key

MAX_ENDPOINT_LENGTH = 2000


def pending_push_counters(message: Message) -> dict[str, Any]:
    """The SET term deliver() adds for a text message: a recipient with a push
    subscription, who is not its sender and has not muted the conversation, becomes
    pending from this message on (Coalesce keeps the first time). A message request is
    told once, as for email: once a push covered it, the stranger's next messages leave
    it quiet until it is accepted. Everything else is decided when the push is due."""
    has_subscription = Exists(PushSubscription.objects.filter(user_id=OuterRef("user_id")))
    quiet = (
        Q(user_id=message.sender_id)
        | Q(muted=True)
        | Q(is_request=True, pushed_through_message_id__gt=0)
    )
    return {
        "push_pending_since": Case(
            When(quiet | ~has_subscription, then=F("push_pending_since")),
            default=Coalesce(F("push_pending_since"), Value(message.sent_at)),
        ),
    }


def _key_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _check_subscription(endpoint: str, p256dh: str, auth: str) -> None:
    errors: dict[str, list[str]] = {}
    parts = urlsplit(endpoint)
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        errors["endpoint"] = [f"At most {MAX_ENDPOINT_LENGTH} characters."]
    elif parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        errors["endpoint"] = ["Must be an https URL of a push service."]
    public = _key_bytes(p256dh) if p256dh.isascii() else None
    if public is None or len(public) != 65 or public[0] != 4:
        errors["keys.p256dh"] = ["Must be a P-256 public key (65 bytes, base64url)."]
    secret = _key_bytes(auth) if auth.isascii() else None
    if secret is None or len(secret) != 16:
        errors["keys.auth"] = ["Must be a 16-byte authentication secret (base64url)."]
    if errors:
        raise InvalidInput(errors=errors)


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def subscribe_push(*, user: User, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Save a browser's subscription. The same endpoint again updates it (a browser that
    moved to another member is theirs now); past PUSH_MAX_SUBSCRIPTIONS the member's
    oldest are dropped (browsers long gone rarely say goodbye). 409 when Web Push is off."""
    if push_public_key() is None:
        raise Conflict("Web Push is not configured on this server.")
    _check_subscription(endpoint, p256dh, auth)
    keep = settings.NOTIFICATIONS["PUSH_MAX_SUBSCRIPTIONS"]
    with transaction.atomic():
        subscription, _ = PushSubscription.objects.update_or_create(
            endpoint_hash=endpoint_hash(endpoint),
            defaults={"user": user, "endpoint": endpoint, "p256dh": p256dh, "auth": auth},
        )
        older = list(
            PushSubscription.objects.filter(user=user)
            .exclude(pk=subscription.pk)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[keep - 1 :]
        )
        if older:
            PushSubscription.objects.filter(pk__in=older).delete()
    return subscription


def unsubscribe_push(*, user: User, endpoint: str) -> bool:
    """Forget this member's subscription for the endpoint; False when there was none."""
    deleted, _ = PushSubscription.objects.filter(
        user=user, endpoint_hash=endpoint_hash(endpoint)
    ).delete()
    return bool(deleted)


def remove_push_subscriptions(*, subscription_ids: Iterable[int]) -> int:
    """Subscriptions the push service called gone (404/410)."""
    deleted, _ = PushSubscription.objects.filter(pk__in=list(subscription_ids)).delete()
    return deleted


# --- the worker's claims ------------------------------------------------------------------


def claim_push(*, row_ids: Iterable[int], now: datetime, lease: timedelta) -> str | None:
    """Claim these rows, if still pending and claimable, for a fresh token. One UPDATE;
    the token, or None when another worker got there first."""
    ids = list(row_ids)
    if not ids:
        return None
    token = uuid.uuid4().hex
    claimed = Participant.objects.filter(
        push_claimable(now), pk__in=ids, push_pending_since__isnull=False
    ).update(
        push_claim_token=token,
        push_claimed_until=now + lease,
        push_claim_through_id=Coalesce(F("last_message_id"), Value(0)),
    )
    return token if claimed else None


def finish_push_claim(*, token: str, user_ids: Iterable[uuid.UUID] | None = None) -> int:
    """The claimed rows (of these members, or all) are done: what they covered counts as
    pushed; a row that received more since its claim stays pending from its newest."""
    rows = Participant.objects.filter(push_claim_token=token)
    if user_ids is not None:
        rows = rows.filter(user_id__in=list(user_ids))
    newer = Q(last_message_id__gt=F("push_claim_through_id"))
    return rows.update(
        pushed_through_message_id=F("push_claim_through_id"),
        push_pending_since=Case(When(newer, then=F("last_message_at")), default=None),
        push_claim_token="",
        push_claimed_until=None,
        push_attempts=0,
    )


def retry_push_claim(*, token: str, user_ids: Iterable[uuid.UUID], retry_at: datetime) -> int:
    """A failed push: its rows are released until `retry_at`, one more try counted."""
    return Participant.objects.filter(push_claim_token=token, user_id__in=list(user_ids)).update(
        push_claim_token="", push_claimed_until=retry_at, push_attempts=F("push_attempts") + 1
    )
