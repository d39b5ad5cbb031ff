"""Full-text search through the real index on both backends (FTS5 on SQLite, InnoDB
FULLTEXT on MariaDB/MySQL).

InnoDB adds rows to a FULLTEXT index only when their transaction commits, so these tests
commit their writes (transaction=True) and search afterwards, as a request does.
"""

import pytest
from django.db import connection

from messaging import search, selectors, services
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db(transaction=True)

on_mysql = pytest.mark.skipif(
    connection.vendor != "mysql", reason="InnoDB FULLTEXT behaviour: MariaDB/MySQL only"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 behaviour: SQLite only")


@pytest.fixture
def ada(transactional_db):
    return UserFactory(name="Ada", email="ada-fts@example.org")


@pytest.fixture
def grace(transactional_db):
    return UserFactory(name="Grace", email="grace-fts@example.org")


@pytest.fixture
def alan(transactional_db):
    return UserFactory(name="Alan", email="alan-fts@example.org")


def _found(member, query, limit=50) -> tuple[list[int], int]:
    results, total = selectors.search_messages(user=member, query=query, limit=limit)
    return [message.pk for message in results], total


def test_the_index_answers_word_queries(ada, grace):
    message = send(ada, grace, "The alumni reunion is in June")

    expression = search.match_expression(connection.vendor, grace, "reunion")

    # The query names the searching member, so only their postings are read.
    assert grace.pk.hex[: search.MEMBER_SUFFIX_LENGTH] in expression
    assert _found(grace, "reunion") == ([message.pk], 1)


def test_words_match_whole_and_case_blind_all_words_required(ada, grace):
    both = send(ada, grace, "Budget meeting on Monday")
    send(grace, ada, "the budget is fine")
    send(grace, ada, "budgetary matters")

    assert _found(ada, "BUDGET MEETING") == ([both.pk], 1)
    assert _found(ada, "budget")[1] == 2


def test_other_members_conversations_are_not_searched(ada, grace, alan):
    mine = send(ada, grace, "quarterly invoice attached")
    send(grace, alan, "quarterly invoice for alan")
    send(alan, grace, "quarterly invoice again")

    assert _found(ada, "quarterly invoice") == ([mine.pk], 1)
    assert _found(alan, "quarterly")[1] == 2


def test_delete_for_me_hides_earlier_messages_only_for_the_deleter(ada, grace):
    old = send(grace, ada, "old mortgage papers")
    services.delete_conversation(user=ada, conversation_id=old.conversation_id)
    later = send(grace, ada, "new mortgage papers")

    assert _found(ada, "mortgage") == ([later.pk], 1)
    assert _found(grace, "mortgage") == ([later.pk, old.pk], 2)


def test_hidden_messages_never_match(ada, grace, alan):
    hidden = send(grace, ada, "scam lottery winner")
    kept = send(grace, ada, "real lottery ticket")
    services.set_message_hidden(actor=alan, message=hidden, hidden=True)

    assert _found(ada, "lottery") == ([kept.pk], 1)
    assert _found(grace, "scam") == ([], 0)


def test_blocked_history_stays_searchable_for_both(ada, grace):
    message = send(grace, ada, "conference tickets")
    services.block_user(blocker=ada, blocked_user_id=grace.pk)

    assert _found(ada, "conference") == ([message.pk], 1)
    assert _found(grace, "conference") == ([message.pk], 1)


def test_accents_are_folded_both_ways(ada, grace):
    message = send(ada, grace, "Meet me at the café near the façade")

    assert _found(grace, "cafe") == ([message.pk], 1)
    assert _found(grace, "CAFÉ") == ([message.pk], 1)
    assert _found(grace, "facade") == ([message.pk], 1)


def test_emoji_only_query_finds_the_emoji(ada, grace):
    message = send(ada, grace, "the moth story 🦋")
    send(ada, grace, "no emoji here")

    assert _found(grace, "🦋") == ([message.pk], 1)


def test_a_quoted_phrase_keeps_its_word_order(ada, grace):
    exact = send(ada, grace, "See you at the reunion in June!")
    send(ada, grace, "June reunion in Paris")

    assert _found(grace, '"reunion in june"') == ([exact.pk], 1)
    assert _found(grace, "reunion june")[1] == 2


def test_no_match_is_an_empty_page(ada, grace):
    send(ada, grace, "hello there")

    assert _found(grace, "zebra") == ([], 0)


@pytest.mark.parametrize(
    "query",
    ['"', '""', 'a"b', "NEAR(x y)", "owners:u1", "*", "-", "+hello -there", "(", "x OR"],
)
def test_search_syntax_in_user_input_is_never_an_error(ada, grace, query):
    send(ada, grace, "hello there")

    results, total = selectors.search_messages(user=grace, query=query, limit=10)

    assert total >= len(results)


def test_short_words_still_find_messages(ada, grace):
    message = send(ada, grace, "ok go")
    send(ada, grace, "nothing to see")

    ids, _total = _found(grace, "go")

    assert message.pk in ids


def test_stopwords_only_still_find_messages(ada, grace):
    message = send(ada, grace, "what about this")

    ids, _total = _found(grace, "about this")

    assert ids == [message.pk]


def test_punctuation_only_is_answered_from_the_recent_messages(ada, grace):
    message = send(ada, grace, "really?!")
    send(ada, grace, "calm")

    assert _found(grace, "?!") == ([message.pk], 1)


@on_mysql
def test_innodb_indexes_short_words_and_stopwords_per_member(ada, grace):
    """InnoDB skips words under 3 letters and its stopwords; suffixed with the member
    they are long and unknown words, so the index still answers."""
    both = send(ada, grace, "is it ok to go")
    send(ada, grace, "it is")

    assert search.full_text_condition("mysql", grace, "go to") is not None
    assert _found(grace, "to go") == ([both.pk], 1)
    assert _found(grace, "is it")[1] == 2


@on_mysql
def test_innodb_terms_are_per_participant(ada, grace, alan):
    """A word is indexed once for each participant: the sender and the recipient both
    find it, and the same word in a conversation between others is not a term of theirs."""
    mine = send(ada, grace, "ukulele lesson")
    send(grace, alan, "ukulele concert")

    assert _found(ada, "ukulele") == ([mine.pk], 1)
    assert _found(grace, "ukulele")[1] == 2
    assert _found(alan, "lesson") == ([], 0)


def test_every_word_is_indexable_on_both_backends(ada):
    for query in ("go to", "the about", "a"):
        assert search.full_text_condition(connection.vendor, ada, query) is not None
    assert search.full_text_condition(connection.vendor, ada, "?! 🦋") is None


def test_fallback_window_is_bounded(ada, grace, monkeypatch):
    monkeypatch.setattr(search, "FALLBACK_WINDOW", 2)
    oldest = send(ada, grace, "?? one")
    newer = [send(grace, ada, "?? two"), send(ada, grace, "?? three")]

    ids, total = _found(grace, "??")

    assert oldest.pk not in ids
    assert (set(ids), total) == ({m.pk for m in newer}, 2)


@on_mysql
def test_a_sent_message_is_searchable_as_soon_as_the_send_returns(ada, grace):
    """InnoDB indexes a row when its transaction commits; the send commits before it
    returns, so the very next search (another request) finds it through the index."""
    message = services.send_message(
        sender=ada, recipient_id=grace.pk, text="freshly committed xylophone"
    ).message

    assert not connection.in_atomic_block
    assert search.full_text_condition("mysql", grace, "xylophone") is not None
    assert _found(grace, "xylophone") == ([message.pk], 1)


def test_a_sent_message_is_searchable_through_the_api_at_once(ada, grace):
    from conftest import client_for

    sent = client_for(ada).post(
        "/api/messages/send",
        {"recipient_id": str(grace.pk), "message_text": "marimba rehearsal"},
        format="json",
    )
    found = client_for(grace).get("/api/messages/search", {"q": "marimba"})

    assert sent.status_code == 201
    assert [item["id"] for item in found.json()["data"]] == [sent.json()["data"]["id"]]


def test_unhiding_a_message_makes_it_searchable_again(ada, grace, alan):
    message = send(grace, ada, "vintage harpsichord for sale")
    services.set_message_hidden(actor=alan, message=message, hidden=True)
    assert _found(ada, "harpsichord") == ([], 0)

    services.set_message_hidden(actor=alan, message=message, hidden=False)

    assert _found(ada, "harpsichord") == ([message.pk], 1)


@on_sqlite
def test_fts5_query_is_the_members_own_terms_each_quoted(ada):
    expression = search.match_expression("sqlite", ada, 'NEAR(x) "y" OR')

    member = ada.pk.hex
    assert expression == f'"NEAR_{member}" AND "x_{member}" AND "y_{member}" AND "OR_{member}"'
    assert search.match_expression("sqlite", ada, '"reunion in june"') == (
        f'"reunion_{member} in_{member} june_{member}"'
    )


@on_sqlite
def test_the_index_holds_each_word_once_per_participant_and_nothing_when_hidden(ada, grace):
    message = send(grace, ada, "Café at noon?")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM messaging_message_fts WHERE messaging_message_fts MATCH %s",
            [f'"cafe_{grace.pk.hex}" AND "noon_{ada.pk.hex}"'],
        )
        assert cursor.fetchall() == [(message.pk,)]
    assert search.member_terms("Café at noon?", "s", "r", False) == (
        "Café_s at_s noon_s Café_r at_r noon_r"
    )
    assert search.member_terms("Café at noon?", "s", "r", True) == ""
