"""What a member's search covers: the scopes of the words they can find, and their
window in each conversation where they do not see the whole history (messaging/search.py
and, on MySQL / MariaDB, messaging/search_postings.py read through these)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import QuerySet

from alumunity.prepared import Prepared
from alumunity.users.models import User

from .models import Participant

# A word: what both indexes hold and what a query is made of.
WORD = re.compile(r"\w+")


def is_phrase(query: str) -> bool:
    return len(query) > 2 and query.startswith('"') and query.endswith('"')


def group_suffix(conversation_id: int) -> str:
    """What a group message's words are suffixed with (both backends, migration 0014)."""
    return f"c{conversation_id}"


class Window(NamedTuple):
    """What one member sees of one conversation: after their delete-for-me marker, from
    the message that added them up to the last one they received."""

    is_group: bool
    cleared_through_id: int
    first_message_id: int
    last_message_id: int

    def shows(self, message_id: int) -> bool:
        return (
            self.cleared_through_id < message_id
            and self.first_message_id <= message_id <= self.last_message_id
        )

    @property
    def empty(self) -> bool:
        return self.last_message_id < max(self.first_message_id, self.cleared_through_id + 1)


_WINDOW_FIELDS = (
    "conversation_id",
    "cleared_through_id",
    "first_message_id",
    "last_message_id",
    "is_group",
)


def windows_query(user: Any) -> QuerySet[Participant, tuple]:
    """Only a group has joins and leaves (first_message_id, left_at), so besides the
    member's groups only a delete-for-me marker narrows a window."""
    # Uses index: participant_windows, a range for each part: (member, group) and
    # (member, direct, marker > 0). Each part compares is_group to a value (`__in`: a
    # plain boolean test, or both in one OR, makes SQLite read all the member's rows
    # through their foreign-key index: 0.45 ms for the hot member against 0.11 ms).
    groups = Participant.objects.filter(user=user, is_group__in=[True])
    marked = Participant.objects.filter(user=user, is_group__in=[False], cleared_through_id__gt=0)
    return groups.values_list(*_WINDOW_FIELDS).union(marked.values_list(*_WINDOW_FIELDS), all=True)


# Compiled once (alumunity.prepared): building it through the ORM cost more than running it.
WINDOWS = Prepared(windows_query, user=Participant._meta.get_field("user"))


def member_windows(user: User) -> dict[int, Window]:
    """The member's conversations where they do not see the whole history (their groups,
    any delete-for-me marker, a later join or a leave), with their windows: one query.
    Empty for a member who sees all of every conversation."""
    return windows_of(WINDOWS.rows(Participant, user=user.pk))


def windows_of(rows: Iterable[tuple]) -> dict[int, Window]:
    return {
        pk: Window(bool(is_group), cleared, first, last or 0)
        for pk, cleared, first, last, is_group in rows
    }
