"""The groups of seed_bench (--groups): decided in memory from their own random
generator, so the direct data of a seed stays the same with or without them.

Group 0 has 50 members (or every member, when there are fewer) and is the busiest; the
hot member (member 0) created the first --hot-groups groups. Each group starts with the
system message that created it ("<creator> created the group <title>") and its texts
follow, from its members at random, inside the last GROUP_DAYS of the data set's year
(the direct messages take the time before), so ids follow send time everywhere. Each
member has read up to a point near the end; the unread counter is exactly the texts of
others after it (as services.deliver counts them)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from messaging.models import Conversation, Message, Participant

GROUP_DAYS = 30
MAX_MEMBERS = 50


class GroupPlan:
    def __init__(
        self, *, groups: int, hot_groups: int, messages: int, users: int, seed: int
    ) -> None:
        rng = random.Random(seed * 7919 + groups)
        self.rng = rng
        self.members: list[list[int]] = []
        for index in range(groups):
            size = min(users, MAX_MEMBERS if index == 0 else rng.randint(3, MAX_MEMBERS))
            if index < hot_groups:
                others = rng.sample(range(1, users), size - 1)
                self.members.append([0, *others])
            else:
                self.members.append(rng.sample(range(1, users), size))
        # One creation message each; the busiest takes a tenth of the rest.
        texts = max(0, messages - groups)
        busiest = texts // 10
        owner = [0] * busiest + [rng.randrange(groups) for _ in range(texts - busiest)]
        rng.shuffle(owner)
        self.owner = owner
        self.groups = groups

    @property
    def message_count(self) -> int:
        return self.groups + len(self.owner)

    def rows(
        self,
        *,
        first_message_id: int,
        first_conversation_id: int,
        db_uuid: list,
        names: list[str],
        start: datetime,
        end: datetime,
        sentence: Callable[[random.Random], str],
    ) -> dict[str, list]:
        """The conversation, message and participant rows (message ids from
        first_message_id, conversation ids from first_conversation_id)."""
        messages, history = self._messages(
            first_message_id, first_conversation_id, db_uuid, names, start, end, sentence
        )
        sent_at_of = {row[0]: row[4] for row in messages}
        conversations = [
            (
                first_conversation_id + index,
                str(start),
                f"Bench group {index}",
                db_uuid[self.members[index][0]],
                len(self.members[index]),
            )
            for index in range(self.groups)
        ]
        participants = [
            (first_conversation_id + index, db_uuid[member], *facts, str(start), *last)
            for index, members in enumerate(self.members)
            for member, facts, last in self._members_facts(members, history[index], sent_at_of)
        ]
        return {"conversations": conversations, "messages": messages, "participants": participants}

    def _messages(self, first_id, first_conversation_id, db_uuid, names, start, end, sentence):
        """Every group's creation message first, then their texts in the owner's order;
        and each group's history as (id, sender, is_system)."""
        rng = self.rng
        timeline = [(True, index) for index in range(self.groups)]
        timeline += [(False, index) for index in self.owner]
        step = (end - start) / max(1, len(timeline))
        history: list[list[tuple[int, int, bool]]] = [[] for _ in range(self.groups)]
        messages = []
        for position, (system, index) in enumerate(timeline):
            message_id = first_id + position
            members = self.members[index]
            sender = members[0] if system else rng.choice(members)
            text = (
                f"{names[sender]} created the group Bench group {index}"
                if system
                else sentence(rng)
            )
            history[index].append((message_id, sender, system))
            kind = "system" if system else "text"
            messages.append(
                (
                    message_id,
                    first_conversation_id + index,
                    db_uuid[sender],
                    text,
                    str(start + step * position),
                    kind,
                )
            )
        return messages, history

    def _members_facts(self, members: list[int], past: list, sent_at_of: dict):
        """(member, (role, unread, read position), (last id, its time, count)) for each
        member of one group: each has read up to a point near the end."""
        last_id = past[-1][0]
        for member in members:
            read_through = max(1, len(past) - self.rng.choice((0, 0, 0, 1, 2, 4)))
            unread = sum(
                1 for _id, sender, system in past[read_through:] if not system and sender != member
            )
            role = "creator" if member == members[0] else "member"
            facts = (role, unread, past[read_through - 1][0])
            yield member, facts, (last_id, sent_at_of[last_id], len(past))


def group_span(groups: int) -> timedelta:
    """How much of the year's end the groups take (none without groups)."""
    return timedelta(days=GROUP_DAYS) if groups else timedelta(0)


def group_statements(
    plan: GroupPlan,
    *,
    first_message_id: int,
    first_conversation_id: int,
    db_uuid: list,
    names: list[str],
    end: datetime,
    sentence: Callable[[random.Random], str],
) -> list[tuple[str, list]]:
    """The groups' conversations, messages and participants, each table's INSERT with
    its rows, written after the direct ones."""
    rows = plan.rows(
        first_message_id=first_message_id,
        first_conversation_id=first_conversation_id,
        db_uuid=db_uuid,
        names=names,
        start=end - group_span(plan.groups),
        end=end,
        sentence=sentence,
    )
    # Uses index: none; plain inserts, the primary keys given.
    return [
        (
            f"INSERT INTO {Conversation._meta.db_table} (id, user_one_id, user_two_id, "
            "created_at, kind, title, created_by_id, member_count) "
            "VALUES (%s, NULL, NULL, %s, 'group', %s, %s, %s)",
            rows["conversations"],
        ),
        (
            f"INSERT INTO {Message._meta.db_table} (id, conversation_id, sender_id, "
            "recipient_id, message_text, attachment_url, attachment_type, sent_at, "
            "read_at, client_message_id, is_hidden, kind) "
            "VALUES (%s, %s, %s, NULL, %s, '', '', %s, NULL, NULL, FALSE, %s)",
            rows["messages"],
        ),
        (
            f"INSERT INTO {Participant._meta.db_table} (conversation_id, user_id, role, "
            "unread_count, last_read_id, cleared_through_id, cleared_count, muted, "
            "joined_at, left_at, first_message_id, last_message_id, last_message_at, "
            "message_count, is_group) VALUES (%s, %s, %s, %s, %s, 0, 0, FALSE, %s, NULL, 0, "
            "%s, %s, %s, TRUE)",
            rows["participants"],
        ),
    ]
