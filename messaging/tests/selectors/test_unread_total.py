from messaging import selectors, services
from messaging.models import Participant
from messaging.selectors import inbox
from messaging.tests.factories import UserFactory, send
from messaging.tests.invariants import assert_unread_counters_exact


def test_no_conversations_is_zero(user):
    assert selectors.unread_total(user=user) == 0


def test_unread_total_is_exact_across_several_conversations(user):
    ann, bob, cy, dee = UserFactory.create_batch(4)
    for _ in range(3):
        send(ann, user, "from ann")
    bob_messages = [send(bob, user, "from bob") for _ in range(2)]
    send(user, cy, "I wrote to cy; nothing unread for me")
    dee_message = send(dee, user, "from dee")
    send(user, ann, "my messages never count for me")
    assert selectors.unread_total(user=user) == 6

    services.mark_read(reader=user, message_id=bob_messages[0].pk)
    assert selectors.unread_total(user=user) == 5

    services.open_conversation(reader=user, other_user_id=ann.pk, limit=1)
    assert selectors.unread_total(user=user) == 2

    services.delete_conversation(user=user, conversation_id=dee_message.conversation_id)
    assert selectors.unread_total(user=user) == 1

    send(dee, user, "dee again")
    assert selectors.unread_total(user=user) == 2
    assert selectors.unread_total(user=cy) == 1
    assert selectors.unread_total(user=ann) == 1
    assert_unread_counters_exact()


def test_unread_total_is_the_sum_of_the_inbox_counts(user):
    for friend in UserFactory.create_batch(3):
        send(friend, user, "one")
        send(friend, user, "two")
        send(user, friend, "three")

    summaries, _ = selectors.list_conversations(user=user, limit=100, offset=0)

    assert selectors.unread_total(user=user) == sum(s["unread_count"] for s in summaries) == 6


def test_the_unread_total_is_one_aggregate_without_grouping(user):
    # Grouping by the member made MariaDB build a temporary table for the one group.
    sql, _ = inbox._UNREAD_TOTAL.statement(Participant, member_id=user.pk)
    assert "GROUP BY" not in sql.upper()
    assert selectors.unread_total(user=user) == 0
