import pytest

from messaging import selectors, services
from messaging.tests.factories import send

# MySQL/MariaDB add rows to a FULLTEXT index only when they commit, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _found(member, query, limit=50) -> tuple[list[int], int]:
    results, total = selectors.search_messages(user=member, query=query, limit=limit)
    return [message.pk for message in results], total


def test_finds_matching_messages_newest_first_in_both_directions(user, other_user):
    first = send(user, other_user, "Lunch on Friday?")
    send(other_user, user, "Sure")
    second = send(other_user, user, "friday works, lunch at noon")

    assert _found(user, "lunch") == ([second.pk, first.pk], 2)
    assert _found(other_user, "LUNCH") == ([second.pk, first.pk], 2)


def test_limit_cuts_the_page_but_not_the_total(user, other_user):
    messages = [send(user, other_user, f"reunion note {n}") for n in range(5)]

    assert _found(user, "reunion", limit=2) == ([messages[4].pk, messages[3].pk], 5)


def test_results_carry_both_members_for_the_jump_link(user, other_user):
    send(other_user, user, "the reunion is on")

    (message,), _ = selectors.search_messages(user=user, query="reunion", limit=50)

    assert {message.sender, message.recipient} == {user, other_user}


def test_hidden_messages_never_match(user, other_user, third_user):
    hidden = send(other_user, user, "secret scam link")
    kept = send(other_user, user, "an honest secret")
    services.set_message_hidden(actor=third_user, message=hidden, hidden=True)

    assert _found(user, "secret") == ([kept.pk], 1)
    assert _found(other_user, "scam") == ([], 0)
    assert _found(user, "removed by a moderator") == ([], 0)


def test_other_members_conversations_are_never_searched(user, other_user, third_user):
    mine = send(user, other_user, "budget meeting")
    send(other_user, third_user, "budget for the party")
    send(third_user, other_user, "budget again")

    assert _found(user, "budget") == ([mine.pk], 1)


def test_messages_before_the_delete_marker_are_excluded(user, other_user):
    send(other_user, user, "old invoice")
    old_conversation = send(user, other_user, "invoice paid").conversation_id
    services.delete_conversation(user=user, conversation_id=old_conversation)
    later = send(other_user, user, "new invoice")

    assert _found(user, "invoice") == ([later.pk], 1)
    assert _found(other_user, "invoice")[1] == 3


def test_no_match_is_an_empty_page(user, other_user):
    send(user, other_user, "hello")

    assert _found(user, "zzz") == ([], 0)
