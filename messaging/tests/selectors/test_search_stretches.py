"""Search reads the index newest first and stops early; what a member's windows hide is
read past, a transaction sees its own messages, and long words are found whole (both
databases: FTS5 on SQLite, the postings on MariaDB)."""

import pytest
from django.db import transaction

from messaging import search, services
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db(transaction=True)


def _say(sender, group, text):
    return services.send_to_conversation(sender=sender, conversation_id=group.pk, text=text).message


def test_matches_a_window_hides_are_read_past_until_the_page_is_full(
    django_assert_max_num_queries,
):
    ada, grace, alan = (UserFactory(name=name) for name in ("Ada", "Grace", "Alan"))
    group = services.create_group(
        creator=grace, member_ids=[str(ada.pk), str(alan.pk)], title="Kiwis"
    )
    seen = [_say(grace, group, f"kiwi harvest {n}") for n in range(3)]
    services.remove_member(user=ada, conversation_id=group.pk, member_id=str(ada.pk))
    for n in range(5):
        _say(grace, group, f"kiwi harvest after {n}")
    direct = send(grace, ada, "kiwi jam")

    # Two a page and a total counted up to 2: the index is read three matches at a
    # time, and the five newest group matches are outside Ada's window.
    with django_assert_max_num_queries(6):
        found = search.matches(user=ada, query="kiwi", limit=2, count_up_to=2)

    assert found.page_ids == [direct.pk, seen[2].pk]
    assert (found.total, found.total_is_lower_bound) == (2, True)
    everything = search.matches(user=ada, query="kiwi harvest", limit=10, count_up_to=10)
    assert everything.page_ids == [message.pk for message in reversed(seen)]
    assert (everything.total, everything.total_is_lower_bound) == (3, False)


def test_a_search_inside_a_transaction_sees_its_messages():
    ada, grace = UserFactory(), UserFactory()
    with transaction.atomic():
        message = send(ada, grace, "ocarina lesson")
        found = search.matches(user=grace, query="ocarina", limit=5)
    assert found.page_ids == [message.pk]


def test_a_long_word_is_found_whole():
    ada, grace = UserFactory(), UserFactory()
    word = "pneumono" * 20
    message = send(ada, grace, f"{word} is long")

    assert search.matches(user=grace, query=word.upper(), limit=5).page_ids == [message.pk]
    assert search.matches(user=grace, query=f'"{word} is"', limit=5).page_ids == [message.pk]
