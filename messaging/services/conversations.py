"""Delete for me: a conversation leaves one member's view, and nothing is removed."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from alumunity.users.models import User

from .. import events
from ..exceptions import NotFound
from ..models import Participant
from ..selectors import parse_row_id


def delete_conversation(*, user: User, conversation_id: int | str) -> None:
    """Delete for me: the conversation leaves this member's inbox, search and history
    and their unread count for it drops to 0. Nothing is removed; the other member keeps
    everything, and a later message brings it back showing only what came after."""
    pk = parse_row_id(conversation_id)
    participant = Participant.objects.filter(conversation_id=pk, user=user).first() if pk else None
    if participant is None:
        raise NotFound("Conversation not found.")
    with transaction.atomic():
        # One statement, so a send landing at the same moment is either wholly before
        # the marker (and cleared) or wholly after it (and visible and counted).
        Participant.objects.filter(pk=participant.pk).update(
            cleared_through_id=Coalesce(F("last_message_id"), F("cleared_through_id")),
            cleared_count=F("message_count"),
            unread_count=0,
        )
        events.conversation_deleted(conversation_id=participant.conversation_id, user_id=user.pk)
