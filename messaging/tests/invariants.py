"""Checks that must hold after any sequence of service calls."""

from messaging.models import Conversation, Message


def assert_unread_counters_exact() -> None:
    """For every conversation and side, the stored unread counter equals the unread
    messages that side can actually see: addressed to it, not yet read, and after its
    delete-for-me marker. Also checks the message counter and that the conversation's
    last message is the last one sent."""
    for conversation in Conversation.objects.all():
        for side in ("one", "two"):
            member_id = getattr(conversation, f"user_{side}_id")
            marker = getattr(conversation, f"cleared_through_id_{side}")
            expected = Message.objects.filter(
                conversation=conversation,
                recipient_id=member_id,
                read_at__isnull=True,
                pk__gt=marker,
            ).count()
            stored = getattr(conversation, f"unread_count_{side}")
            assert stored == expected, (
                f"conversation {conversation.pk} side {side}: "
                f"unread counter {stored}, visible unread messages {expected}"
            )
        messages = Message.objects.filter(conversation=conversation)
        assert conversation.message_count == messages.count()
        newest = messages.order_by("-id").first()
        assert conversation.last_message_id == (newest.pk if newest else None)
