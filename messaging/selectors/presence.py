"""Presence and typing as members see them: derived when read, never stored as a status."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from alumunity.users.models import User

from ..exceptions import NotFound
from ..models import Conversation, Participant, Presence
from .blocks import blocked_user_ids
from .members import get_member
from .privacy import sees_activity

OFFLINE = Presence.Status.OFFLINE


# --- cache keys: every presence and typing entry, named here and nowhere else -----------
# Open sockets are counted per member in the cache (shared by every server process with
# Redis); the services write these keys, the reads below and the services read them.


def typing_key(*, from_user_id: object, to_user_id: object) -> str:
    return f"typing:{from_user_id}:{to_user_id}"


def socket_count_key(user_id: object) -> str:
    return f"sockets:{user_id}"


def socket_left_key(user_id: object) -> str:
    return f"sockets-left:{user_id}"


def activity_key(user_id: object) -> str:
    """Set while the member's last activity is fresh enough not to be written again."""
    return f"activity:{user_id}"


def presence_sent_key(user_id: object) -> str:
    """The status the member's partners were last told."""
    return f"presence-sent:{user_id}"


class PresenceState(NamedTuple):
    """A presence row's two columns, for callers that read them as plain values."""

    mode: str | None
    last_seen_at: datetime | None


@dataclass(frozen=True)
class LivePresence:
    """What the member's sockets say: how many are open, and when the last one closed."""

    sockets: int = 0
    left_at: datetime | None = None


def live_presence(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LivePresence]:
    """LivePresence for each member, read from the cache in one round trip."""
    ids = list(user_ids)
    found = cache.get_many(
        [key for user_id in ids for key in (socket_count_key(user_id), socket_left_key(user_id))]
    )
    return {
        user_id: LivePresence(
            sockets=int(found.get(socket_count_key(user_id)) or 0),
            left_at=found.get(socket_left_key(user_id)),
        )
        for user_id in ids
    }


def effective_status(
    presence: Presence | PresenceState | None,
    *,
    now: datetime | None = None,
    live: LivePresence | None = None,
) -> str:
    """online / away / offline from the last activity; do_not_disturb when chosen.

    With `live` (the member's sockets), an open socket keeps the member at least away
    however long they are idle, and the close of their last socket makes them offline at
    once, until they are active again (a REST request, a new socket)."""
    if presence is None or presence.last_seen_at is None:
        return OFFLINE
    if (
        live is not None
        and live.sockets <= 0
        and live.left_at is not None
        and presence.last_seen_at <= live.left_at
    ):
        return OFFLINE
    if presence.mode == Presence.Mode.DO_NOT_DISTURB:
        return Presence.Status.DO_NOT_DISTURB
    idle = (now or timezone.now()) - presence.last_seen_at
    if idle <= timedelta(seconds=settings.MESSAGING["ONLINE_WINDOW_SECONDS"]):
        return Presence.Status.ONLINE
    if (live is not None and live.sockets > 0) or idle <= timedelta(
        seconds=settings.MESSAGING["AWAY_WINDOW_SECONDS"]
    ):
        return Presence.Status.AWAY
    return OFFLINE


def member_presence(*, user_id: uuid.UUID) -> MemberPresence:
    """The status and last_seen_at a member's partners are told (presence events)."""
    presence = Presence.objects.filter(user_id=user_id).first()
    return MemberPresence(
        status=effective_status(presence, live=live_presence([user_id])[user_id]),
        last_seen_at=presence.last_seen_at if presence else None,
    )


def presence_audience(*, user: User, limit: int = 500) -> list[uuid.UUID]:
    """Who hears of this member's presence: the partners of their most recent
    conversations, never a member blocked either way, nobody while the member hides
    their presence, no partner who hides theirs, and not the sender of a request that
    waits with the member (privacy.sees_activity says the same for one pair). Bounded
    so that a member with thousands of conversations costs the same; the others read
    the status when they open the conversation."""
    pairs = (
        Participant.objects.filter(
            user=user,
            user__show_presence=True,
            is_request=False,
            conversation__kind=Conversation.Kind.DIRECT,
        )
        .order_by("-last_message_at")
        .values_list(
            "conversation__user_one_id",
            "conversation__user_two_id",
            "conversation__user_one__show_presence",
            "conversation__user_two__show_presence",
        )[:limit]
    )
    hidden = blocked_user_ids(user=user)
    partners = (
        (two, two_shows) if one == user.pk else (one, one_shows)
        for one, two, one_shows, two_shows in pairs
    )
    return [partner for partner, shows in partners if shows and partner not in hidden]


class MemberPresence(TypedDict):
    status: str
    last_seen_at: datetime | None


class ConversationStatus(TypedDict):
    """The other member as a conversation's header shows them: payloads words it."""

    other_user_status: str
    other_user_last_seen_at: datetime | None
    other_user_typing: bool


def conversation_status(*, user: User, other_user_id: object) -> ConversationStatus:
    other = get_member(other_user_id)
    if other.pk == user.pk:
        raise NotFound("Member not found.")
    presence = Presence.objects.filter(user=other).first()
    if other.pk in blocked_user_ids(user=user) or not sees_activity(
        viewer_id=user.pk, member_id=other.pk
    ):
        return ConversationStatus(
            other_user_status=OFFLINE, other_user_last_seen_at=None, other_user_typing=False
        )
    return ConversationStatus(
        other_user_status=effective_status(presence, live=live_presence([other.pk])[other.pk]),
        other_user_last_seen_at=presence.last_seen_at if presence else None,
        other_user_typing=bool(cache.get(typing_key(from_user_id=other.pk, to_user_id=user.pk))),
    )
