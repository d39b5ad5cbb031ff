"""Who has blocked whom."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..exceptions import NotFound
from ..models import Block
from .members import parse_user_id


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


def _member_and_blocks(*, member_id: Any, other_id: Any) -> QuerySet[User]:
    # One EXISTS per direction: each is one lookup of block_pair_unique (blocker, blocked).
    return User.objects.filter(pk=member_id, is_active=True).annotate(
        blocks_other=Exists(Block.objects.filter(blocker_id=OuterRef("pk"), blocked_id=other_id)),
        blocked_by_other=Exists(
            Block.objects.filter(blocker_id=other_id, blocked_id=OuterRef("pk"))
        ),
    )[:1]


# Compiled once (alumunity.prepared): every send and every typing signal asks.
_MEMBER_AND_BLOCKS = Prepared(_member_and_blocks, member_id=User._meta.pk, other_id=User._meta.pk)


def member_and_block(*, member_id: object, other_id: uuid.UUID) -> tuple[User, bool]:
    """An active member by id (a malformed or unknown id is the same 404 as
    get_member's) and whether a block stands between them and `other_id`, either way:
    one query where get_member and is_blocked_between are two."""
    parsed = parse_user_id(member_id)
    found = []
    if parsed:
        found = _MEMBER_AND_BLOCKS.instances(User, member_id=parsed, other_id=other_id)
    if not found:
        raise NotFound("Member not found.")
    member = found[0]
    return member, bool(member.blocks_other or member.blocked_by_other)


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
