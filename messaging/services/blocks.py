"""Blocking: neither member can send to the other, and each sees the other offline."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from alumunity.users.models import User

from ..exceptions import InvalidInput
from ..models import Block, ModerationLogEntry
from ..selectors import get_member, parse_user_id, typing_key
from .moderation import _log
from .presence import _show_presence_between


def block_user(
    *, blocker: User, blocked_user_id: object, actor: User | None = None, reason: str = ""
) -> Block:
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


def unblock_user(
    *, blocker: User, blocked_user_id: object, actor: User | None = None, reason: str = ""
) -> None:
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
