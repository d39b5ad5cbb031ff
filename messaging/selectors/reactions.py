"""Reactions on messages, as members see them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Message, Reaction
from .rows import MessageRow


@dataclass(frozen=True)
class ReactionGroup:
    """One emoji on one message: who put it there, in the order they did."""

    emoji: str
    user_ids: tuple[uuid.UUID, ...]
    names: tuple[str, ...]


def load_reactions(messages: Iterable[Message | MessageRow]) -> None:
    """Gives every message its `reaction_groups`, emoji in first-use order. One query for
    the whole page, and none when no message on it has a reaction (Message.reaction_count),
    so a page without reactions costs what it did before reactions existed."""
    messages = list(messages)
    reacted = [message.pk for message in messages if shows_reactions(message)]
    if not reacted:
        for message in messages:
            message.reaction_groups = []  # type: ignore[union-attr]
        return
    rows = (
        Reaction.objects.filter(message_id__in=reacted)
        .order_by("id")
        .values_list("message_id", "emoji", "user_id", "user__name")
    )
    grouped: dict[int, dict[str, list[tuple[uuid.UUID, str]]]] = {}
    for message_id, emoji, user_id, name in rows:
        grouped.setdefault(message_id, {}).setdefault(emoji, []).append((user_id, name))
    for message in messages:
        by_emoji = grouped.get(message.pk, {})
        message.reaction_groups = [  # type: ignore[union-attr]
            ReactionGroup(
                emoji,
                tuple(user_id for user_id, _ in people),
                tuple(name for _, name in people),
            )
            for emoji, people in by_emoji.items()
        ]


def reaction_groups(message: Message | MessageRow) -> list[ReactionGroup]:
    """The message's reactions, loaded with its page or, for a lone message, now."""
    if not hasattr(message, "reaction_groups"):
        load_reactions([message])
    return message.reaction_groups  # type: ignore[union-attr]


def shows_reactions(message: Message | MessageRow) -> bool:
    """Whether members see reactions on the message: only while it is shown, and only if
    its counter says it has some (the counter moves with every reaction, under the
    message's row lock). Shown is ShownMessage's one rule: reactions go with the
    attachment once a message is hidden or deleted."""
    return message.reaction_count > 0 and message.shown()[1]
