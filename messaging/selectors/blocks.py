"""Who has blocked whom."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..models import Block


def _between(*, first_id: object, second_id: object) -> QuerySet[Block]:
    return Block.objects.filter(
        Q(blocker_id=first_id, blocked_id=second_id) | Q(blocker_id=second_id, blocked_id=first_id)
    )


# Compiled once (alumunity.prepared): every send asks.
_BLOCKED_BETWEEN = Prepared(
    lambda **ids: _between(**ids).query.exists(),
    first_id=User._meta.pk,
    second_id=User._meta.pk,
)


def is_blocked_between(first_id: uuid.UUID, second_id: uuid.UUID) -> bool:
    return _BLOCKED_BETWEEN.exists(Block, first_id=first_id, second_id=second_id)


def blocked_user_ids(*, user: User) -> set[uuid.UUID]:
    """Everyone this member has blocked or is blocked by (a block hides presence both ways)."""
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return {blocked if blocker == user.pk else blocker for blocker, blocked in pairs}


def list_blocked_users(*, user: User, limit: int | None = None, offset: int = 0) -> list[User]:
    """The members this one blocked, newest first; `limit` pages it (the API always does)."""
    blocks = Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at")
    if limit is not None:
        blocks = blocks[offset : offset + limit]
    return [block.blocked for block in blocks]


def count_blocked_users(*, user: User) -> int:
    return Block.objects.filter(blocker=user).count()
