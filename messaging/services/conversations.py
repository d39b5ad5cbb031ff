"""Delete for me: a conversation leaves one member's view, and nothing is removed."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from alumunity.users.models import User

from .. import events
from ..exceptions import NotFound
from ..models import Conversation


def delete_conversation(*, user: User, conversation_id: int | str) -> None:
    """Delete for me: the conversation leaves this member's inbox, search and history
    and their unread count for it drops to 0. Nothing is removed; the other member keeps
    everything, and a later message brings it back showing only what came after."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id)
        .filter(Q(user_one=user) | Q(user_two=user))
        .first()
        if str(conversation_id).isdigit()
        else None
    )
    if conversation is None:
        raise NotFound("Conversation not found.")
    side = conversation.side_of(user.pk)
    with transaction.atomic():
        # One statement, so a send landing at the same moment is either wholly before
        # the marker (and cleared) or wholly after it (and visible and counted).
        Conversation.objects.filter(pk=conversation.pk).update(
            **{
                f"cleared_through_id_{side}": F("last_message_id"),
                f"cleared_count_{side}": F("message_count"),
                f"unread_count_{side}": 0,
            }
        )
        events.conversation_deleted(conversation_id=conversation.pk, user_id=user.pk)
