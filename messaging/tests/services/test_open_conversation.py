from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import events, selectors, services
from messaging.models import Conversation, Message
from messaging.tests.factories import send
from messaging.tests.invariants import assert_unread_counters_exact


def _conversation(message: Message) -> Conversation:
    return Conversation.objects.get(pk=message.conversation_id)


def test_opening_marks_only_the_other_members_messages_read(user, other_user):
    mine = send(user, other_user, "mine")
    theirs = [send(other_user, user, f"theirs {n}") for n in range(3)]

    page = services.open_conversation(reader=user, other_user_id=other_user.pk, limit=50)

    assert [m.pk for m in page.messages] == [mine.pk] + [m.pk for m in theirs]
    assert all(m.read_at is not None for m in page.messages[1:])
    assert page.messages[0].read_at is None
    assert Message.objects.get(pk=mine.pk).read_at is None  # still unread for them
    assert Message.objects.filter(pk__in=[m.pk for m in theirs], read_at__isnull=True).count() == 0
    conversation = _conversation(mine)
    assert conversation.unread_count_for(user.pk) == 0
    assert conversation.unread_count_for(other_user.pk) == 1
    assert_unread_counters_exact()


def test_opening_marks_messages_outside_the_returned_page_too(user, other_user):
    messages = [send(other_user, user, f"m{n}") for n in range(5)]

    page = services.open_conversation(reader=user, other_user_id=other_user.pk, limit=2)

    assert [m.pk for m in page.messages] == [m.pk for m in messages[-2:]]
    assert not Message.objects.filter(read_at__isnull=True).exists()
    assert _conversation(messages[0]).unread_count_for(user.pk) == 0
    assert_unread_counters_exact()


def test_page_shows_the_read_time_that_was_stored(user, other_user):
    send(other_user, user, "hello")

    page = services.open_conversation(reader=user, other_user_id=other_user.pk, limit=50)

    (message,) = page.messages
    assert message.read_at == Message.objects.get(pk=message.pk).read_at


def test_opening_with_nothing_unread_writes_nothing(user, other_user, django_assert_num_queries):
    send(user, other_user, "I wrote last")
    send(other_user, user, "reply")
    services.open_conversation(reader=user, other_user_id=other_user.pk, limit=50)

    with CaptureQueriesContext(connection) as reads:
        selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)
    with django_assert_num_queries(len(reads.captured_queries)) as opened:
        services.open_conversation(reader=user, other_user_id=other_user.pk, limit=50)

    statements = [query["sql"].lstrip().split()[0].upper() for query in opened.captured_queries]
    assert set(statements) == {"SELECT"}


def test_opening_a_conversation_that_does_not_exist_yet_is_empty(user, other_user):
    page = services.open_conversation(reader=user, other_user_id=other_user.pk, limit=50)

    assert (page.conversation, page.messages, page.total) == (None, [], 0)
    assert not Conversation.objects.exists()


def test_mark_conversation_read_leaves_messages_before_the_delete_marker_alone(user, other_user):
    old = send(other_user, user, "deleted for me, never read")
    services.delete_conversation(user=user, conversation_id=old.conversation_id)
    new = send(other_user, user, "after delete")

    marked, read_at = services.mark_conversation_read(reader=user, conversation=_conversation(new))

    assert marked == [new.pk]
    assert Message.objects.get(pk=new.pk).read_at == read_at
    assert Message.objects.get(pk=old.pk).read_at is None
    assert _conversation(new).unread_count_for(user.pk) == 0
    assert_unread_counters_exact()


def test_mark_conversation_read_publishes_one_receipt_to_both_members(
    user, other_user, django_capture_on_commit_callbacks, monkeypatch
):
    messages = [send(other_user, user, f"m{n}") for n in range(2)]
    deliveries = []
    monkeypatch.setattr(events, "_deliver", lambda ids, event: deliveries.append((ids, event)))

    with django_capture_on_commit_callbacks(execute=True):
        services.mark_conversation_read(reader=user, conversation=_conversation(messages[0]))

    ((recipients, event),) = deliveries
    assert set(recipients) == {user.pk, other_user.pk}
    assert event["type"] == "message.read"
    assert event["message_ids"] == [m.pk for m in messages]


def test_a_delete_between_reading_the_page_and_marking_it_read_keeps_counts_exact(user, other_user):
    # open_conversation reads the page, then marks it read; another tab of the same
    # member can delete the conversation in between, and a new message can arrive.
    for n in range(3):
        send(other_user, user, f"old {n}")
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)
    services.delete_conversation(user=user, conversation_id=page.conversation.pk)
    send(other_user, user, "new")

    services.mark_conversation_read(reader=user, conversation=page.conversation)

    assert_unread_counters_exact()


# --- the two-statement path: the page holds every unread message -----------------------


def _statements(queries) -> list[str]:
    return [query["sql"].lstrip().split()[0].upper() for query in queries]


def test_a_page_holding_every_unread_message_is_marked_in_two_statements(user, other_user):
    theirs = [send(other_user, user, f"theirs {n}") for n in range(3)]
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)

    with CaptureQueriesContext(connection) as marking:
        marked, read_at = services.mark_conversation_read(
            reader=user, conversation=page.conversation, shown=page.messages
        )

    assert marked == [m.pk for m in theirs]
    writes = [s for s in _statements(marking.captured_queries) if s in {"SELECT", "UPDATE"}]
    assert writes == ["UPDATE", "UPDATE"]  # the counter (taking the lock), the messages
    assert set(Message.objects.values_list("read_at", flat=True)) == {read_at}
    assert_unread_counters_exact()


def test_a_message_arriving_after_the_page_was_read_is_marked_too(user, other_user):
    send(other_user, user, "on the page")
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)
    late = send(other_user, user, "arrived after the page was read")

    marked, _ = services.mark_conversation_read(
        reader=user, conversation=page.conversation, shown=page.messages
    )

    assert late.pk in marked and len(marked) == 2
    assert not Message.objects.filter(read_at__isnull=True).exists()
    assert_unread_counters_exact()


def test_a_message_read_elsewhere_after_the_page_was_read_keeps_counts_exact(
    user, other_user, django_capture_on_commit_callbacks, monkeypatch
):
    first, second = (send(other_user, user, f"m{n}") for n in range(2))
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)
    services.mark_read(reader=user, message_id=first.pk)  # another tab
    deliveries = []
    monkeypatch.setattr(events, "_deliver", lambda ids, event: deliveries.append(event))

    with django_capture_on_commit_callbacks(execute=True):
        marked, _ = services.mark_conversation_read(
            reader=user, conversation=page.conversation, shown=page.messages
        )

    assert marked == [second.pk]
    assert [event["message_ids"] for event in deliveries] == [[second.pk]]
    assert_unread_counters_exact()


def test_a_page_missing_some_unread_messages_falls_back_to_looking_them_up(user, other_user):
    messages = [send(other_user, user, f"m{n}") for n in range(4)]
    page = selectors.list_messages(
        user=user, other_user_id=other_user.pk, limit=2, before=messages[-1].pk
    )

    marked, _ = services.mark_conversation_read(
        reader=user, conversation=page.conversation, shown=page.messages
    )

    assert marked == [m.pk for m in messages]
    assert_unread_counters_exact()


def test_a_delete_after_the_page_was_read_marks_nothing_it_hid(user, other_user):
    old = send(other_user, user, "deleted for me, never read")
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)
    services.delete_conversation(user=user, conversation_id=page.conversation.pk)

    marked, _ = services.mark_conversation_read(
        reader=user, conversation=page.conversation, shown=page.messages
    )

    assert marked == []
    assert Message.objects.get(pk=old.pk).read_at is None
    assert_unread_counters_exact()
