"""Groups: create, rename, add, remove and leave. Each change takes the conversation's
row lock (so the member cap holds under concurrency), adds one system message that
never counts as unread, and tells the members before and after the change."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alumunity.users.models import User

from .. import events
from ..exceptions import Forbidden, InvalidInput, NotFound, SuspendedError
from ..limits import (
    MAX_GROUP_MEMBERS,
    MAX_TITLE_LENGTH,
    MIN_GROUP_MEMBERS,
    check_length,
    reject_nul,
)
from ..models import Block, Conversation, Message, Participant
from ..payloads import conversation_payload
from ..selectors import MemberCard, group_membership, membership, parse_user_id, sorted_members
from .messages import deliver


class BlockedFromAddingError(Forbidden):
    code = "blocked"
    default_message = "You cannot add a member who has blocked you."


def create_group(*, creator: User, member_ids: object, title: object) -> Conversation:
    """A new group of the creator and 2 to 49 others, with its first system message."""
    title = _clean_title(title)
    members = _new_members(creator, member_ids, field="member_ids", at_least=MIN_GROUP_MEMBERS - 1)
    if len(members) > MAX_GROUP_MEMBERS - 1:
        raise InvalidInput.for_field(
            "member_ids", f"A group has at most {MAX_GROUP_MEMBERS - 1} members besides you."
        )
    _check_adder(creator, members)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            kind=Conversation.Kind.GROUP,
            title=title,
            created_by=creator,
            member_count=len(members) + 1,
        )
        Participant.objects.bulk_create(
            [_member_row(conversation, creator, role=Participant.Role.CREATOR)]
            + [_member_row(conversation, member) for member in members]
        )
        _system_message(conversation, creator, f"{creator.name} created the group {title}")
        _announce(conversation, before=[])
    return conversation


def rename_group(*, user: User, conversation_id: object, title: object) -> Conversation:
    title = _clean_title(title)
    participant = group_membership(user=user, conversation_id=conversation_id)
    with transaction.atomic():
        conversation = _lock(participant.conversation_id)
        before = _active_ids(conversation)
        if user.pk not in before:
            raise NotFound("Conversation not found.")
        Conversation.objects.filter(pk=conversation.pk).update(title=title)
        conversation.title = title
        _system_message(conversation, user, f"{user.name} renamed the group to {title}")
        _announce(conversation, before=before)
    return conversation


def add_members(*, user: User, conversation_id: object, user_ids: object) -> Conversation:
    """Any active member adds people; never past the cap, checked under the lock."""
    participant = group_membership(user=user, conversation_id=conversation_id)
    members = _new_members(user, user_ids, field="user_ids", at_least=1)
    _check_adder(user, members)
    with transaction.atomic():
        conversation = _lock(participant.conversation_id)
        before = _active_ids(conversation)
        if user.pk not in before:
            raise NotFound("Conversation not found.")
        already = [member.name for member in members if member.pk in before]
        if already:
            raise InvalidInput.for_field("user_ids", f"Already in the group: {', '.join(already)}.")
        if len(before) + len(members) > MAX_GROUP_MEMBERS:
            raise InvalidInput.for_field(
                "user_ids", f"A group has at most {MAX_GROUP_MEMBERS} members."
            )
        names = ", ".join(member.name for member in members)
        message = _system_message(
            conversation, user, f"{user.name} added {names}", deliver_now=False
        )
        _join(conversation, members, first_message=message)
        _set_member_count(conversation, len(before) + len(members))
        deliver(message)
        events.message_new(message, audience=[*before, *(member.pk for member in members)])
        _announce(conversation, before=before)
    return conversation


def remove_member(*, user: User, conversation_id: object, member_id: object) -> Conversation:
    """Yourself: leave. Another member: remove them (the creator only; never the
    creator). The last member cannot leave: a group keeps at least one."""
    participant = group_membership(user=user, conversation_id=conversation_id)
    target_id = parse_user_id(member_id)
    leaving = target_id == user.pk
    if not leaving and participant.role != Participant.Role.CREATOR:
        raise Forbidden("Only the group's creator can remove members.")
    with transaction.atomic():
        conversation = _lock(participant.conversation_id)
        before = _active_ids(conversation)
        target = (
            Participant.objects.filter(conversation=conversation, user_id=target_id, left_at=None)
            .select_related("user")
            .first()
            if target_id
            else None
        )
        if target is None or user.pk not in before:
            raise NotFound("Member not found.")
        if not leaving and target.role == Participant.Role.CREATOR:
            raise InvalidInput.for_field("user_id", "The group's creator cannot be removed.")
        if len(before) == 1:
            raise InvalidInput.for_field("user_id", "The last member cannot leave the group.")
        text = f"{user.name} left" if leaving else f"{user.name} removed {target.user.name}"
        _system_message(conversation, user, text)
        # After the message: the member leaves with it as the last thing they saw.
        Participant.objects.filter(pk=target.pk).update(left_at=timezone.now())
        _set_member_count(conversation, len(before) - 1)
        _announce(conversation, before=before)
    return conversation


def set_muted(*, user: User, conversation_id: object, muted: object) -> Participant:
    if not isinstance(muted, bool):
        raise InvalidInput.for_field("muted", "Must be true or false.")
    participant = membership(user=user, conversation_id=conversation_id)
    Participant.objects.filter(pk=participant.pk).update(muted=muted)
    participant.muted = muted
    return participant


def _clean_title(title: object) -> str:
    text = title.strip() if isinstance(title, str) else ""
    if not text:
        raise InvalidInput.for_field("title", "A group needs a title.")
    reject_nul("title", text)
    check_length("title", text, MAX_TITLE_LENGTH)
    return text


def _new_members(adder: User, ids: object, *, field: str, at_least: int) -> list[User]:
    """The members named by `ids`: a list of distinct, known, active member ids, never
    the adder."""
    if not isinstance(ids, list) or len(ids) < at_least:
        raise InvalidInput.for_field(field, f"Name at least {at_least} other member(s).")
    if len(ids) > MAX_GROUP_MEMBERS:
        raise InvalidInput.for_field(field, f"A group has at most {MAX_GROUP_MEMBERS} members.")
    parsed = [member_id for member_id in map(parse_user_id, ids) if member_id is not None]
    if len(parsed) != len(ids):
        raise InvalidInput.for_field(field, "Every id must be a member id.")
    if len(set(parsed)) != len(parsed):
        raise InvalidInput.for_field(field, "A member is named twice.")
    if adder.pk in parsed:
        raise InvalidInput.for_field(field, "You are in the group already; name the others.")
    found = {member.pk: member for member in User.objects.filter(pk__in=parsed, is_active=True)}
    if len(found) != len(parsed):
        raise InvalidInput.for_field(field, "Unknown member id.")
    return [found[value] for value in parsed]


def _check_adder(adder: User, members: list[User]) -> None:
    if adder.messaging_suspended:
        raise SuspendedError()
    if Block.objects.filter(blocker__in=members, blocked=adder).exists():
        raise BlockedFromAddingError()


def _announce(conversation: Conversation, *, before: list[uuid.UUID]) -> None:
    """`conversation.updated` to every member before and after the change, each with
    their own view (muted, unread); one query for all the rows."""
    rows = list(Participant.objects.filter(conversation=conversation).select_related("user"))
    active = sorted_members(row for row in rows if row.left_at is None)
    cards = [MemberCard.of(member) for member in active]
    audience = set(before) | {row.user_id for row in active}
    for row in rows:
        if row.user_id in audience:
            events.conversation_updated(
                user_id=row.user_id, conversation=conversation_payload(conversation, cards, row)
            )


def _lock(conversation_id: int) -> Conversation:
    """The conversation row, locked for this transaction: every membership change and
    every send to the group queues here, so the cap and the counters hold."""
    return Conversation.objects.select_for_update().get(pk=conversation_id)


def _active_ids(conversation: Conversation) -> list[uuid.UUID]:
    return list(
        Participant.objects.filter(conversation=conversation, left_at=None).values_list(
            "user_id", flat=True
        )
    )


def _set_member_count(conversation: Conversation, count: int) -> None:
    """The group's member_count after a join or a leave, from its active members as read
    under the lock."""
    Conversation.objects.filter(pk=conversation.pk).update(member_count=count)
    conversation.member_count = count


def _join(conversation: Conversation, members: list[User], *, first_message: Message) -> None:
    """New rows for new members; a member who left and comes back starts afresh from
    the message that adds them (what they saw before stays behind)."""
    returning = set(
        Participant.objects.filter(conversation=conversation, user__in=members).values_list(
            "user_id", flat=True
        )
    )
    fresh = {
        "left_at": None,
        "joined_at": timezone.now(),
        "first_message_id": first_message.pk,
        "unread_count": 0,
        "message_count": 0,
        "cleared_count": 0,
        "last_read_id": F("last_read_id"),
    }
    if returning:
        Participant.objects.filter(conversation=conversation, user__in=returning).update(**fresh)
    Participant.objects.bulk_create(
        _member_row(conversation, member, first_message_id=first_message.pk)
        for member in members
        if member.pk not in returning
    )


def _member_row(conversation: Conversation, member: User, **fields: Any) -> Participant:
    """A new member's row in a group (marked as a group's: search reads its windows by
    that mark, migration 0024)."""
    return Participant(conversation=conversation, user=member, is_group=True, **fields)


def _system_message(
    conversation: Conversation, actor: User, text: str, *, deliver_now: bool = True
) -> Message:
    """One system message: every active member receives it, nobody counts it unread."""
    message = Message.objects.create(
        conversation=conversation,
        sender=actor,
        recipient=None,
        kind=Message.Kind.SYSTEM,
        message_text=text,
    )
    if deliver_now:
        deliver(message)
        events.message_new(message, audience=_active_ids(conversation))
    return message
