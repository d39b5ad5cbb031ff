"""Checks that must hold after any sequence of service calls."""

from django.db.models import Q

from messaging.models import Conversation, Message, Participant


def _seen_by(participant: Participant):
    """The messages this member can see: from the first they may see (history from
    joining) through the last they received (leaving keeps what they saw), after their
    delete-for-me marker."""
    return Message.objects.filter(
        conversation_id=participant.conversation_id,
        pk__gt=participant.cleared_through_id,
        pk__gte=participant.first_message_id,
        pk__lte=participant.last_message_id or 0,
    )


def assert_unread_counters_exact() -> None:
    """For every participant, the stored unread counter equals the unread messages that
    member can actually see: not their own, not system messages, not yet read (in a
    direct conversation, `read_at`; in a group, after their read position), inside their
    visible window. Their last message is the last one they can see and their message
    count every message since they joined. A direct conversation has exactly its pair as
    its two participants; a group never more than 50 active members and one creator,
    and its member_count is how many are active."""
    for participant in Participant.objects.select_related("conversation"):
        conversation = participant.conversation
        seen = _seen_by(participant)
        unread = seen.filter(kind=Message.Kind.TEXT).exclude(sender_id=participant.user_id)
        if conversation.is_group:
            unread = unread.filter(pk__gt=participant.last_read_id)
        else:
            unread = unread.filter(recipient_id=participant.user_id, read_at__isnull=True)
        expected = unread.count()
        assert participant.unread_count == expected, (
            f"conversation {conversation.pk} member {participant.user_id}: "
            f"unread counter {participant.unread_count}, visible unread messages {expected}"
        )
        received = Message.objects.filter(
            conversation=conversation, pk__gte=participant.first_message_id
        )
        if participant.left_at is not None:
            received = received.filter(pk__lte=participant.last_message_id or 0)
        assert participant.message_count == received.count(), participant
        newest = received.order_by("-id").first()
        assert participant.last_message_id == (newest.pk if newest else None), participant
    for conversation in Conversation.objects.all():
        members = list(conversation.participants.all())
        if conversation.is_group:
            active = [member for member in members if member.left_at is None]
            assert 1 <= len(active) <= 50, conversation
            assert conversation.member_count == len(active), conversation
            assert conversation.user_one_id is None and conversation.user_two_id is None
        else:
            assert {member.user_id for member in members} == {
                conversation.user_one_id,
                conversation.user_two_id,
            }, conversation
            assert all(member.left_at is None for member in members)
            assert conversation.member_count == 2, conversation
    assert not Message.objects.filter(
        Q(conversation__kind=Conversation.Kind.GROUP, recipient__isnull=False)
        | Q(conversation__kind=Conversation.Kind.DIRECT, recipient__isnull=True)
    ).exists()
