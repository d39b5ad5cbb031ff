"""Presence and typing: what partners are told about a member's activity and sockets."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from alumunity.users.models import User

from .. import events
from ..exceptions import InvalidInput, SuspendedError
from ..models import Presence
from ..selectors import (
    active_members,
    active_membership,
    activity_key,
    group_activity_audience,
    member_and_block,
    member_presence,
    presence_audience,
    presence_sent_key,
    sees_activity,
    socket_count_key,
    socket_left_key,
    typing_key,
)


def record_typing(*, user: User, to_user_id: object) -> None:
    """Remember for a few seconds that `user` is typing to `to_user_id`. Between blocked
    members nothing is recorded or sent, so a block hides typing both ways; so does a
    hidden presence (either side's), and a request waiting with the typist hides it from
    its sender (privacy.sees_activity)."""
    other, blocked = member_and_block(member_id=to_user_id, other_id=user.pk)
    if other.pk == user.pk or blocked:
        return
    if not sees_activity(viewer_id=other.pk, member_id=user.pk):
        return
    cache.set(
        typing_key(from_user_id=user.pk, to_user_id=other.pk),
        True,
        timeout=settings.MESSAGING["TYPING_SECONDS"],
    )
    events.typing(user_id=user.pk, to_user_id=other.pk, is_typing=True)


def record_conversation_typing(*, user: User, conversation_id: object) -> None:
    """Typing in a conversation by its id: in a direct one, to the other member (with
    every rule above); in a group, to its other active members, the event naming the
    group. A member who left types to nobody."""
    participant = active_membership(user=user, conversation_id=conversation_id)
    conversation = participant.conversation
    if not conversation.is_group:
        record_typing(user=user, to_user_id=conversation.other_user_id(user.pk))
        return
    others = group_activity_audience(
        member_id=user.pk,
        members=[
            (member.user_id, member.user.show_presence) for member in active_members(conversation)
        ],
    )
    if others:
        events.typing(
            user_id=user.pk, audience=others, conversation_id=conversation.pk, is_typing=True
        )


def set_presence_mode(*, user: User, mode: str) -> Presence:
    if mode not in Presence.Mode.values:
        raise InvalidInput.for_field("status", "Choose do_not_disturb or auto.")
    with transaction.atomic():
        presence, _ = Presence.objects.select_for_update().get_or_create(user=user)
        presence.mode = mode
        presence.last_seen_at = timezone.now()
        presence.save(update_fields=["mode", "last_seen_at"])
    _publish_presence(user)
    return presence


def record_activity(*, user: User) -> None:
    """Note that the member is active. Written at most every ACTIVITY_WRITE_SECONDS per
    member (the cache remembers the last write), so requests stay read-only."""
    if not cache.add(
        activity_key(user.pk), True, timeout=settings.MESSAGING["ACTIVITY_WRITE_SECONDS"]
    ):
        return
    _write_last_seen(user, timezone.now())


def _write_last_seen(user: User, now: datetime) -> None:
    if not Presence.objects.filter(user=user).update(last_seen_at=now):
        Presence.objects.get_or_create(user=user, defaults={"last_seen_at": now})


# --- sockets and presence events ------------------------------------------------------------
# Open sockets are counted per member in the cache (shared by every server process with
# Redis). The count lives for AWAY_WINDOW_SECONDS and each ping renews it, so the sockets
# of a crashed process stop counting on their own instead of keeping a member "away".


def _socket_ttl() -> int:
    return settings.MESSAGING["AWAY_WINDOW_SECONDS"]


def _publish_presence(user: User) -> None:
    """Tell the member's partners (never a blocked one) their status, when it changed
    since the last time anyone was told."""
    state = member_presence(user_id=user.pk)
    sent_key = presence_sent_key(user.pk)
    if cache.get(sent_key) == state["status"]:
        return
    cache.set(sent_key, state["status"], timeout=24 * 60 * 60)
    events.presence(user_id=user.pk, audience=presence_audience(user=user), **state)


def _show_presence_between(first: User, second: User, *, visible: bool) -> None:
    """After a block each sees the other offline and not typing; after an unblock each
    sees the other's real status again."""
    for member, audience in ((first, second), (second, first)):
        if visible and sees_activity(viewer_id=audience.pk, member_id=member.pk):
            events.presence(
                user_id=member.pk, audience=[audience.pk], **member_presence(user_id=member.pk)
            )
        elif not visible:
            events.typing(user_id=member.pk, to_user_id=audience.pk, is_typing=False)
            events.presence(
                user_id=member.pk,
                status=Presence.Status.OFFLINE,
                last_seen_at=None,
                audience=[audience.pk],
            )


def end_browser_session(*, session_key: str | None) -> None:
    """A member logged out of a browser: that session's open sockets close (4401)."""
    if session_key:
        events.session_ended(session_key)


def open_socket(*, user: User) -> None:
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
    cache.set(activity_key(user.pk), True, timeout=settings.MESSAGING["ACTIVITY_WRITE_SECONDS"])
    _publish_presence(user)


def record_heartbeat(*, user: User, active: bool = True) -> None:
    """A ping from an open socket keeps it counted; it is activity unless the client
    says its member is idle (so an idle open tab turns away)."""
    key = socket_count_key(user.pk)
    if not cache.touch(key, _socket_ttl()):
        cache.add(key, 1, timeout=_socket_ttl())
    if active:
        record_activity(user=user)
    _publish_presence(user)


def close_socket(*, user: User) -> None:
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
    cache.delete(activity_key(user.pk))
    _publish_presence(user)
