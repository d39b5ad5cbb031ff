"""Reactions (SPEC §9.3): one emoji per reaction, at most MAX_REACTION_KINDS different
emoji per message. Adding is idempotent, and so is removing."""

from __future__ import annotations

import emoji as emoji_data
from django.db import transaction
from django.db.models import F

from alumunity.users.models import User

from .. import events
from ..exceptions import InvalidInput
from ..limits import MAX_EMOJI_LENGTH, MAX_REACTION_KINDS
from ..models import Message, Reaction
from ..selectors import access_message, hide_unshared_receipt, load_reactions, message_audience
from .editing import check_may_write

NOT_AN_EMOJI = "Give exactly one emoji."
_VARIATION_SELECTOR = "\ufe0f"


def clean_emoji(raw: object) -> tuple[str, str]:
    """One emoji (a single grapheme of the Unicode emoji data, sequences, flags and skin
    tones included) and its key (the code points in hex). An emoji written without its
    emoji variation selector ("❤") is the same reaction as the full form ("❤️")."""
    if not isinstance(raw, str) or len(raw) > MAX_EMOJI_LENGTH or not emoji_data.is_emoji(raw):
        raise InvalidInput.for_field("emoji", NOT_AN_EMOJI)
    qualified = raw + _VARIATION_SELECTOR
    if not raw.endswith(_VARIATION_SELECTOR) and _is_fully_qualified(qualified):
        raw = qualified
    return raw, "-".join(f"{ord(character):x}" for character in raw)


def _is_fully_qualified(candidate: str) -> bool:
    data = emoji_data.EMOJI_DATA.get(candidate)
    return data is not None and data.get("status") == emoji_data.STATUS["fully_qualified"]


def add_reaction(*, user: User, message_id: int, emoji: object) -> Message:
    """Add the member's reaction; the message comes back with its reactions."""
    return _react(user=user, message_id=message_id, emoji=emoji, add=True)


def remove_reaction(*, user: User, message_id: int, emoji: object) -> Message:
    return _react(user=user, message_id=message_id, emoji=emoji, add=False)


def _react(*, user: User, message_id: int, emoji: object, add: bool) -> Message:
    shown, key = clean_emoji(emoji)
    message = access_message(user=user, message_id=message_id)
    with transaction.atomic():
        # The message row lock queues every reaction to it, so the count of different
        # emoji cannot pass the limit between the check and the insert.
        locked = Message.objects.select_for_update().filter(pk=message.pk)
        message.deleted_at, message.is_hidden = locked.values_list("deleted_at", "is_hidden")[0]
        _check_reactable(user, message)
        mine = Reaction.objects.filter(message=message, user=user, emoji_key=key)
        if add:
            changed = not mine.exists()
            if changed:
                _check_room(message, key)
                Reaction.objects.create(message=message, user=user, emoji=shown, emoji_key=key)
        else:
            changed = mine.delete()[0] > 0
        if changed:
            Message.objects.filter(pk=message.pk).update(
                reaction_count=F("reaction_count") + (1 if add else -1)
            )
            events.reaction(
                message, emoji=shown, user_id=user.pk, added=add, audience=message_audience(message)
            )
    message.refresh_from_db(fields=["reaction_count", "deleted_at", "is_hidden"])
    load_reactions([message])
    hide_unshared_receipt(message)
    return message


def _check_reactable(user: User, message: Message) -> None:
    if message.kind == Message.Kind.SYSTEM or message.is_hidden or message.is_deleted:
        raise InvalidInput.for_field("message_id", "This message cannot be reacted to.")
    check_may_write(user, message)


def _check_room(message: Message, key: str) -> None:
    used = set(Reaction.objects.filter(message=message).values_list("emoji_key", flat=True))
    if key not in used and len(used) >= MAX_REACTION_KINDS:
        raise InvalidInput.for_field(
            "emoji", f"A message can carry at most {MAX_REACTION_KINDS} different emoji."
        )
