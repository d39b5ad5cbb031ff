"""Conversations by id, direct or group: membership, members, pages and who has seen
what. A caller who was never a member gets the same 404 as for a missing conversation;
a member who left still reads what they saw."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Case, QuerySet, Value, When

from alumunity.prepared import Prepared
from alumunity.users.models import User

from ..exceptions import Forbidden, InvalidInput, NotFound
from ..models import Conversation, Message, Participant
from .history import MessagePage, page_for
from .history_rows import MessageRowPage, row_page_for
from .members import parse_row_id
from .privacy import hide_unshared_receipts, visible_positions
from .rows import MessageRow, stored_uuid


class LeftGroupError(Forbidden):
    code = "left"
    default_message = "You left this group: you can read what you saw, but not write."


def membership(*, user: User, conversation_id: object) -> Participant:
    """The member's participant row in that conversation, with the conversation and,
    for a direct one, both members (one query); 404 if they were never in it."""
    pk = parse_row_id(conversation_id)
    found = _MEMBERSHIP.instances(Participant, conversation_id=pk, user_id=user.pk) if pk else []
    if not found:
        raise NotFound("Conversation not found.")
    return found[0]


def _membership_query(*, conversation_id: Any, user_id: Any) -> QuerySet[Participant]:
    """membership's one query (`[:1]` in primary-key order is what `.first()` runs)."""
    return (
        Participant.objects.select_related(
            "conversation", "conversation__user_one", "conversation__user_two"
        )
        .filter(conversation_id=conversation_id, user_id=user_id)
        .order_by("pk")[:1]
    )


# The group statements, compiled once each (alumunity.prepared): every request by
# conversation id starts with membership, and a group's page or send reads its members.
_CONVERSATION_ID = Participant._meta.get_field("conversation")
_MEMBERSHIP = Prepared(_membership_query, conversation_id=_CONVERSATION_ID, user_id=User._meta.pk)


def active_membership(*, user: User, conversation_id: object) -> Participant:
    """As `membership`, and the member has not left (403 when they have)."""
    participant = membership(user=user, conversation_id=conversation_id)
    if participant.left_at is not None:
        raise LeftGroupError()
    return participant


def group_membership(*, user: User, conversation_id: object) -> Participant:
    """An active membership of a group: a group operation on a direct conversation is
    a 400."""
    participant = active_membership(user=user, conversation_id=conversation_id)
    if not participant.conversation.is_group:
        raise InvalidInput.for_field(
            "conversation_id", "This is a direct conversation, not a group."
        )
    return participant


def sorted_members(members: Iterable[Participant]) -> list[Participant]:
    """Creator first, then in the order they joined."""
    return sorted(
        members,
        key=lambda member: (member.role != Participant.Role.CREATOR, member.joined_at, member.pk),
    )


def active_members(conversation: Conversation) -> list[Participant]:
    """The active members with their accounts, creator first, then by joining."""
    return sorted_members(_ACTIVE.instances(Participant, conversation_id=conversation.pk))


def _active_query(*, conversation_id: Any) -> QuerySet[Participant]:
    return Participant.objects.filter(conversation_id=conversation_id, left_at=None)


_ACTIVE = Prepared(
    lambda **values: _active_query(**values).select_related("user"),
    conversation_id=_CONVERSATION_ID,
)


class MemberCard(NamedTuple):
    """What the conversation object shows of an active member."""

    user_id: Any
    name: str
    avatar_url: str
    role: str

    @classmethod
    def of(cls, member: Participant) -> MemberCard:
        return cls(member.user_id, member.user.name, member.user.avatar_url, member.role)


def member_cards(conversation_id: int) -> list[MemberCard]:
    """The active members as the conversation object shows them, in sorted_members'
    order (the database sorts): plain rows, no model instances."""
    return [
        MemberCard._make(row) for row in _CARDS.rows(Participant, conversation_id=conversation_id)
    ]


def _cards_query(*, conversation_id: Any) -> QuerySet[Participant, Any]:
    creator_first = Case(When(role=Participant.Role.CREATOR, then=Value(0)), default=Value(1))
    return (
        _active_query(conversation_id=conversation_id)
        .order_by(creator_first, "joined_at", "pk")
        .values_list("user_id", "user__name", "user__avatar_url", "role")
    )


_CARDS = Prepared(_cards_query, conversation_id=_CONVERSATION_ID)


@dataclass
class ConversationView:
    """A conversation as one of its members sees it: payloads.conversation_payload
    words it."""

    conversation: Conversation
    participant: Participant
    members: list[MemberCard]


def conversation_view(*, user: User, conversation_id: object) -> ConversationView:
    """Two queries: the member's row with the conversation, the active members."""
    participant = membership(user=user, conversation_id=conversation_id)
    members = member_cards(participant.conversation_id)
    return ConversationView(participant.conversation, participant, members)


def read_positions(conversation: Conversation, *, viewer: User | None = None) -> dict[object, int]:
    """Each active member's read position (the newest message they have read), as
    `viewer` may see them (privacy.visible_positions)."""
    # Each member id parsed once per process (stored_uuid), not by the driver's
    # converter on every page of the group.
    rows = (
        (stored_uuid(member_id), position, bool(shows))
        for member_id, position, shows in _POSITIONS.raw(
            Participant, conversation_id=conversation.pk
        )
    )
    return visible_positions(rows, viewer=viewer)


_POSITIONS = Prepared(
    lambda **values: _active_query(**values).values_list(
        "user_id", "last_read_id", "user__show_read_receipts"
    ),
    conversation_id=_CONVERSATION_ID,
)


def seen_by(message: Message, positions: dict[object, int]) -> int:
    """How many members other than its sender have read this message: "seen by N"."""
    return sum(
        1
        for member_id, position in positions.items()
        if member_id != message.sender_id and position >= message.pk
    )


def seen_counts(
    messages: Sequence[Message] | Sequence[MessageRow], positions: dict[object, int]
) -> list[int]:
    """seen_by for each message of a page, by bisection of the sorted positions rather
    than a pass over every member for every message."""
    ordered = sorted(positions.values())
    counts = []
    for message in messages:
        pk = message.pk
        seen = len(ordered) - bisect.bisect_left(ordered, pk)
        if positions.get(message.sender_id, -1) >= pk:
            seen -= 1  # the sender does not count
        counts.append(seen)
    return counts


def seen_by_names(
    message: Message, members: Iterable[Participant], positions: dict[object, int]
) -> list[str]:
    return [
        member.user.name
        for member in members
        if member.user_id != message.sender_id and positions.get(member.user_id, 0) >= message.pk
    ]


def conversation_messages(
    *,
    user: User,
    conversation_id: object,
    limit: int,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
) -> MessagePage:
    """A page of the conversation as this member sees it (history from joining, until
    they left), with the senders; `total` is their whole visible history."""
    participant = membership(user=user, conversation_id=conversation_id)
    messages = page_for(participant, limit=limit, before=before, after=after, around=around)
    conversation = _viewed(user, participant, messages)
    return MessagePage(user, conversation, messages, participant.visible_count, participant)


def conversation_message_rows(
    *, user: User, conversation_id: object, limit: int, before: int | None = None
) -> MessageRowPage:
    """conversation_messages' newest page (or the page before a message) as MessageRows:
    the same messages and fields, no model instances (the API's history)."""
    participant = membership(user=user, conversation_id=conversation_id)
    rows = row_page_for(participant, limit=limit, before=before)
    conversation = _viewed(user, participant, rows)
    return MessageRowPage(user, conversation, rows, participant.visible_count, participant)


def _viewed(user: User, participant: Participant, messages: Sequence[Any]) -> Conversation:
    """The member's conversation, knowing its viewer; a direct one's receipts hidden
    where the two members do not share them."""
    conversation = participant.conversation
    conversation.viewer = participant  # type: ignore[attr-defined]
    if not conversation.is_group:
        other = (
            conversation.user_two if conversation.user_one_id == user.pk else conversation.user_one
        )
        if other is not None:
            hide_unshared_receipts(messages, viewer=user, other=other)
    return conversation
