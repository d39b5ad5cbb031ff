"""Members by id, and the canonical order of a pair."""

from __future__ import annotations

import uuid

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..exceptions import NotFound


def parse_user_id(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# The largest id a BIGINT primary key holds: anything larger names nothing.
MAX_ROW_ID = 2**63 - 1


def parse_row_id(value: object) -> int | None:
    """A conversation or message id from a path or a body, or None when it cannot be one."""
    text = str(value)
    if not text.isdigit() or not 0 < int(text) <= MAX_ROW_ID:
        return None
    return int(text)


# Compiled once (alumunity.prepared): every send looks its recipient up. `[:1]` on the
# model's default ordering is what `.first()` runs.
_ACTIVE_MEMBER = Prepared(
    lambda *, member_id: User.objects.filter(pk=member_id, is_active=True)[:1],
    member_id=User._meta.pk,
)


def get_member(user_id: object) -> User:
    """An active member by id; a malformed or unknown id is the same 404."""
    parsed = parse_user_id(user_id)
    member = None
    if parsed:
        found = _ACTIVE_MEMBER.instances(User, member_id=parsed)
        member = found[0] if found else None
    if member is None:
        raise NotFound("Member not found.")
    return member


def canonical_pair(first_id: uuid.UUID, second_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (first_id, second_id) if first_id < second_id else (second_id, first_id)


def members_by_id(values: list[str]) -> list[User]:
    """Active members named by these ids, in that order; anything else is skipped."""
    ids = [member_id for member_id in map(parse_user_id, values) if member_id is not None]
    found = {member.pk: member for member in User.objects.filter(pk__in=ids, is_active=True)}
    return [found[member_id] for member_id in dict.fromkeys(ids) if member_id in found]


def members_in_bulk(ids: set[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Accounts by id, active or not (a former member still signs their messages)."""
    return User.objects.in_bulk(list(ids))
