"""Words in groups are found as in direct conversations, on both backends (SQLite reads
the group postings of migration 0026, MariaDB those of 0023): case- and accent-blind,
every word in one message, a phrase in its order, and the index follows each write
(an edit, delete for everyone, hiding and showing again, a message removed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import selectors, services
from messaging.models import Conversation
from messaging.tests.factories import UserFactory
from messaging.tests.migrations.steps import rows

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def members(transactional_db):
    return [UserFactory(name=name) for name in ("Ada", "Grace", "Alan", "Katherine")]


@pytest.fixture
def groups(members):
    ada, grace, alan, _katherine = members
    return [
        services.create_group(creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title=title)
        for title in ("Orchard", "Garden")
    ]


def _say(member, group, text):
    return services.send_to_conversation(sender=member, conversation_id=group.pk, text=text).message


def _found(member, query) -> list[int]:
    results, total = selectors.search_messages(user=member, query=query, limit=50)
    assert total == len(results)
    return [message.pk for message in results]


def test_case_and_accents_are_folded_as_in_direct_messages(members, groups):
    ada, grace, _alan, _katherine = members
    message = _say(grace, groups[0], "Le Café de la GARE")

    for query in ("cafe", "CAFÉ", "café gare", "gare CAFE"):
        assert _found(ada, query) == [message.pk], query


def test_every_word_in_one_message_of_one_group(members, groups):
    ada, grace, _alan, _katherine = members
    _say(grace, groups[0], "kiwi")
    _say(grace, groups[1], "harvest")
    both = _say(ada, groups[1], "the kiwi harvest is in")

    assert _found(grace, "kiwi harvest") == [both.pk]
    assert _found(grace, "harvest kiwi") == [both.pk]
    # A phrase keeps its order.
    assert _found(grace, '"kiwi harvest"') == [both.pk]
    assert _found(grace, '"harvest kiwi"') == []


def test_each_write_moves_the_index(members, groups):
    ada, grace, _alan, katherine = members
    message = _say(grace, groups[0], "plum jam recipe")
    services.edit_message(editor=grace, message_id=message.pk, text="apricot jam recipe")
    assert _found(ada, "plum") == []
    assert _found(ada, "apricot jam") == [message.pk]

    services.set_message_hidden(actor=katherine, message=message, hidden=True)
    assert _found(ada, "apricot") == []
    services.set_message_hidden(actor=katherine, message=message, hidden=False)
    assert _found(ada, "apricot") == [message.pk]

    services.delete_message(deleter=grace, message_id=message.pk)
    assert _found(ada, "apricot") == []


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's group postings")
def test_a_removed_conversation_takes_its_postings_along(members, groups):
    ada, grace, _alan, _katherine = members
    _say(grace, groups[0], "pear tart")
    kept = _say(grace, groups[1], "pear cider")
    assert rows("SELECT DISTINCT scope FROM messaging_search_posting ORDER BY scope") == sorted(
        [(f"c{groups[0].pk}",), (f"c{groups[1].pk}",)]
    )

    Conversation.objects.filter(pk=groups[0].pk).delete()

    assert rows("SELECT DISTINCT scope FROM messaging_search_posting") == [(f"c{groups[1].pk}",)]
    with CaptureQueriesContext(connection) as searched:
        assert _found(ada, "pear") == [kept.pk]
    # The groups' part of the search was read from the postings, not FTS5's group terms.
    assert any("messaging_search_posting" in query["sql"] for query in searched)
