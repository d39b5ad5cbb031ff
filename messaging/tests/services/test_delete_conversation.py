import pytest

from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Conversation, Message
from messaging.tests.factories import send
from messaging.tests.invariants import assert_unread_counters_exact

# MySQL/MariaDB add rows to a FULLTEXT index only when they commit: tests that search commit.
committed_for_search = pytest.mark.django_db(transaction=True)


@pytest.fixture
def history(user, other_user):
    """Four messages, two each way, the two to `user` still unread."""
    return [
        send(user, other_user, "hello grace"),
        send(other_user, user, "hello ada"),
        send(user, other_user, "how are you"),
        send(other_user, user, "fine thanks"),
    ]


def _inbox_ids(member) -> list[int]:
    summaries, _total = selectors.list_conversations(user=member, limit=100, offset=0)
    return [summary["conversation_id"] for summary in summaries]


def _history(member, other) -> selectors.MessagePage:
    return selectors.list_messages(user=member, other_user_id=other.pk, limit=100)


@committed_for_search
def test_deleted_conversation_leaves_the_callers_inbox_search_and_history(
    user, other_user, history
):
    conversation_id = history[0].conversation_id

    services.delete_conversation(user=user, conversation_id=conversation_id)

    assert _inbox_ids(user) == []
    assert selectors.list_conversations(user=user, limit=100, offset=0) == ([], 0)
    assert selectors.search_messages(user=user, query="hello", limit=100) == ([], 0)
    page = _history(user, other_user)
    assert (page.messages, page.total) == ([], 0)
    assert selectors.unread_total(user=user) == 0
    assert_unread_counters_exact()


def test_delete_drops_the_callers_unread_count_to_zero(user, other_user, history):
    conversation = Conversation.objects.get(pk=history[0].conversation_id)
    assert conversation.unread_count_for(user.pk) == 2

    services.delete_conversation(user=user, conversation_id=str(conversation.pk))

    conversation.refresh_from_db()
    assert conversation.unread_count_for(user.pk) == 0
    assert conversation.unread_count_for(other_user.pk) == 2
    assert_unread_counters_exact()


@committed_for_search
def test_the_other_participant_is_unaffected(user, other_user, history):
    before_inbox = selectors.list_conversations(user=other_user, limit=100, offset=0)
    before_unread = selectors.unread_total(user=other_user)

    services.delete_conversation(user=user, conversation_id=history[0].conversation_id)

    assert selectors.list_conversations(user=other_user, limit=100, offset=0) == before_inbox
    assert selectors.unread_total(user=other_user) == before_unread == 2
    page = _history(other_user, user)
    assert [m.pk for m in page.messages] == [m.pk for m in history]
    assert page.total == 4
    found, total = selectors.search_messages(user=other_user, query="hello", limit=100)
    assert total == 2


def test_nothing_is_removed_from_the_database(user, other_user, history):
    services.delete_conversation(user=user, conversation_id=history[0].conversation_id)

    assert Message.objects.count() == 4
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().message_count == 4


@committed_for_search
def test_a_later_message_revives_it_showing_only_later_messages(user, other_user, history):
    conversation_id = history[0].conversation_id
    services.delete_conversation(user=user, conversation_id=conversation_id)

    later = [send(other_user, user, "are you there?"), send(other_user, user, "hello again")]

    summaries, total = selectors.list_conversations(user=user, limit=100, offset=0)
    assert total == 1
    (summary,) = summaries
    assert summary["conversation_id"] == conversation_id
    assert summary["unread_count"] == 2
    assert summary["last_message"] == "hello again"
    page = _history(user, other_user)
    assert [m.pk for m in page.messages] == [m.pk for m in later]
    assert page.total == 2
    assert selectors.unread_total(user=user) == 2
    found, found_total = selectors.search_messages(user=user, query="hello", limit=100)
    assert ([m.pk for m in found], found_total) == ([later[1].pk], 1)
    # The other member still has the whole history.
    assert _history(other_user, user).total == 6
    assert_unread_counters_exact()


def test_the_callers_own_message_revives_it_with_nothing_unread(user, other_user, history):
    services.delete_conversation(user=user, conversation_id=history[0].conversation_id)

    mine = send(user, other_user, "starting over")

    page = _history(user, other_user)
    assert ([m.pk for m in page.messages], page.total) == ([mine.pk], 1)
    (summary,), _ = selectors.list_conversations(user=user, limit=100, offset=0)
    assert (summary["unread_count"], summary["last_message_from_me"]) == (0, True)
    assert_unread_counters_exact()


def test_deleting_twice_and_after_revival_keeps_counts_exact(user, other_user, history):
    conversation_id = history[0].conversation_id
    services.delete_conversation(user=user, conversation_id=conversation_id)
    services.delete_conversation(user=user, conversation_id=conversation_id)
    send(other_user, user, "one")
    services.delete_conversation(user=user, conversation_id=conversation_id)
    last = send(other_user, user, "two")

    page = _history(user, other_user)
    assert ([m.pk for m in page.messages], page.total) == ([last.pk], 1)
    assert selectors.unread_total(user=user) == 1
    assert_unread_counters_exact()


def test_both_members_can_delete_independently(user, other_user, history):
    conversation_id = history[0].conversation_id
    services.delete_conversation(user=user, conversation_id=conversation_id)
    after_first = send(user, other_user, "only after ada's delete")
    services.delete_conversation(user=other_user, conversation_id=conversation_id)
    after_both = send(other_user, user, "after both")

    assert [m.pk for m in _history(user, other_user).messages] == [after_first.pk, after_both.pk]
    assert [m.pk for m in _history(other_user, user).messages] == [after_both.pk]
    assert_unread_counters_exact()


@pytest.mark.parametrize("conversation_id", ["third_party", 10**9, 10**20, "abc", "", None, -1])
def test_third_party_or_unknown_id_is_not_found(user, other_user, third_user, conversation_id):
    message = send(user, other_user, "private")
    caller = user
    if conversation_id == "third_party":
        caller, conversation_id = third_user, message.conversation_id

    with pytest.raises(NotFound):
        services.delete_conversation(user=caller, conversation_id=conversation_id)

    conversation = Conversation.objects.get()
    assert (conversation.cleared_through_id_one, conversation.cleared_through_id_two) == (0, 0)
    assert conversation.unread_count_for(other_user.pk) == 1
