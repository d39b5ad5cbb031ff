import pytest
from django.utils import timezone

from messaging import services
from messaging.exceptions import NotFound
from messaging.models import Conversation, Message
from messaging.tests.factories import send
from messaging.tests.invariants import assert_unread_counters_exact


def _unread_for(member, message: Message) -> int:
    return Conversation.objects.get(pk=message.conversation_id).unread_count_for(member.pk)


def test_recipient_marks_a_message_read_and_counter_drops_by_exactly_one(user, other_user):
    first, second, third = (send(other_user, user, text) for text in ("a", "b", "c"))

    returned = services.mark_read(reader=user, message_id=second.pk)

    assert returned.pk == second.pk
    assert returned.read_at is not None
    assert Message.objects.get(pk=second.pk).read_at == returned.read_at
    assert Message.objects.filter(read_at__isnull=True).count() == 2
    assert _unread_for(user, first) == 2
    assert_unread_counters_exact()


@pytest.mark.parametrize("who", ["sender", "third_party"])
def test_only_the_recipient_may_mark_read(user, other_user, third_user, who):
    message = send(other_user, user, "for you")
    reader = other_user if who == "sender" else third_user

    with pytest.raises(NotFound) as not_yours:
        services.mark_read(reader=reader, message_id=message.pk)
    with pytest.raises(NotFound) as missing:
        services.mark_read(reader=reader, message_id=message.pk + 1000)

    assert not_yours.value.message == missing.value.message
    assert Message.objects.get(pk=message.pk).read_at is None
    assert _unread_for(user, message) == 1


def test_marking_twice_changes_nothing(user, other_user, django_capture_on_commit_callbacks):
    message = send(other_user, user, "once")
    send(other_user, user, "still unread")
    first = services.mark_read(reader=user, message_id=message.pk)

    with django_capture_on_commit_callbacks() as callbacks:
        again = services.mark_read(reader=user, message_id=message.pk)

    assert again.read_at == first.read_at
    assert Message.objects.get(pk=message.pk).read_at == first.read_at
    assert _unread_for(user, message) == 1
    assert callbacks == []  # no second read receipt
    assert_unread_counters_exact()


def test_message_before_the_readers_delete_marker_is_not_found(user, other_user):
    old = send(other_user, user, "before delete")
    services.delete_conversation(user=user, conversation_id=old.conversation_id)
    new = send(other_user, user, "after delete")

    with pytest.raises(NotFound):
        services.mark_read(reader=user, message_id=old.pk)

    assert Message.objects.get(pk=old.pk).read_at is None
    assert _unread_for(user, new) == 1
    services.mark_read(reader=user, message_id=new.pk)
    assert _unread_for(user, new) == 0
    assert_unread_counters_exact()


def test_a_delete_and_a_new_message_during_mark_read_keep_counts_exact(
    user, other_user, monkeypatch
):
    old = send(other_user, user, "old")
    real_now = timezone.now
    interleaved = []

    def now_with_a_concurrent_tab():
        # Runs once, after mark_read has checked visibility and before it writes: the
        # member deletes the conversation in another tab and a new message arrives.
        if not interleaved:
            interleaved.append(True)
            services.delete_conversation(user=user, conversation_id=old.conversation_id)
            send(other_user, user, "new")
        return real_now()

    monkeypatch.setattr(timezone, "now", now_with_a_concurrent_tab)

    services.mark_read(reader=user, message_id=old.pk)

    monkeypatch.undo()
    assert interleaved
    assert Conversation.objects.get(pk=old.conversation_id).unread_count_for(user.pk) == 1
    assert_unread_counters_exact()


def test_a_message_read_by_another_request_in_between_is_counted_once(
    user, other_user, monkeypatch
):
    target, _other = send(other_user, user, "first"), send(other_user, user, "second")
    real_now = timezone.now
    interleaved = []

    def now_with_a_concurrent_read():
        # Runs once, after mark_read has seen the message unread and before it writes:
        # another tab marks the same message read (and counts it) first.
        if not interleaved:
            interleaved.append(True)
            monkeypatch.setattr(timezone, "now", real_now)
            services.mark_read(reader=user, message_id=target.pk)
        return real_now()

    monkeypatch.setattr(timezone, "now", now_with_a_concurrent_read)

    returned = services.mark_read(reader=user, message_id=target.pk)

    monkeypatch.undo()
    assert interleaved
    assert returned.read_at == Message.objects.get(pk=target.pk).read_at
    assert _unread_for(user, target) == 1
    assert_unread_counters_exact()
