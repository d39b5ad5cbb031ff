"""Search in groups through the real index on both backends: every member finds a
group's messages inside their own window (from the message that added them until the
one that records their leaving, after their delete-for-me marker), nobody else does.

InnoDB adds rows to a FULLTEXT index only when their transaction commits, so these tests
commit their writes (transaction=True) and search afterwards, as a request does."""

import pytest
from django.db import connection

from conftest import client_for
from messaging import search, selectors, services
from messaging.models import Message
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def members(transactional_db):
    return [UserFactory(name=name) for name in ("Ada", "Grace", "Alan", "Katherine", "Edsger")]


@pytest.fixture
def group(members):
    ada, grace, alan, _katherine, _edsger = members
    return services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Reunion 2027"
    )


def _say(member, group, text) -> Message:
    return services.send_to_conversation(sender=member, conversation_id=group.pk, text=text).message


def _found(member, query) -> tuple[list[int], int]:
    results, total = selectors.search_messages(user=member, query=query, limit=50)
    return [message.pk for message in results], total


def test_every_member_finds_a_group_message_and_nobody_else(members, group):
    ada, grace, alan, katherine, _edsger = members
    message = _say(grace, group, "Picnic at the lighthouse")

    for member in (ada, grace, alan):
        assert _found(member, "lighthouse") == ([message.pk], 1)
    assert _found(katherine, "lighthouse") == ([], 0)


def test_a_member_added_later_never_finds_what_came_before(members, group):
    ada, grace, _alan, katherine, _edsger = members
    before = _say(grace, group, "secret budget before katherine")
    services.add_members(user=ada, conversation_id=group.pk, user_ids=[str(katherine.pk)])
    after = _say(grace, group, "public budget after katherine")

    assert _found(katherine, "budget") == ([after.pk], 1)
    assert _found(ada, "budget") == ([after.pk, before.pk], 2)


def test_a_member_who_left_keeps_what_they_saw_and_nothing_after(members, group):
    _ada, grace, alan, _katherine, _edsger = members
    seen = _say(grace, group, "harbour walk on friday")
    services.remove_member(user=alan, conversation_id=group.pk, member_id=str(alan.pk))
    later = _say(grace, group, "harbour walk moved to saturday")

    assert _found(alan, "harbour") == ([seen.pk], 1)
    assert _found(grace, "harbour") == ([later.pk, seen.pk], 2)


def test_a_member_added_back_starts_afresh(members, group):
    ada, grace, alan, _katherine, _edsger = members
    _say(grace, group, "kayak rental one")
    services.remove_member(user=ada, conversation_id=group.pk, member_id=str(alan.pk))
    _say(grace, group, "kayak rental two")
    services.add_members(user=ada, conversation_id=group.pk, user_ids=[str(alan.pk)])
    back = _say(grace, group, "kayak rental three")

    assert _found(alan, "kayak") == ([back.pk], 1)


def test_delete_for_me_in_a_group_hides_earlier_messages_only_for_the_deleter(members, group):
    ada, grace, _alan, _katherine, _edsger = members
    old = _say(grace, group, "old gazebo plans")
    services.delete_conversation(user=ada, conversation_id=group.pk)
    new = _say(grace, group, "new gazebo plans")

    assert _found(ada, "gazebo") == ([new.pk], 1)
    assert _found(grace, "gazebo") == ([new.pk, old.pk], 2)


def test_direct_and_group_messages_are_found_together_newest_first(members, group):
    ada, grace, alan, _katherine, edsger = members
    direct = send(ada, grace, "telescope for the trip")
    grouped = _say(alan, group, "who brings the telescope")
    send(grace, edsger, "telescope is not for you ada")

    assert _found(ada, "telescope") == ([grouped.pk, direct.pk], 2)
    assert _found(edsger, "telescope")[1] == 1


def test_a_phrase_in_a_group_keeps_its_word_order(members, group):
    ada, grace, _alan, _katherine, _edsger = members
    exact = _say(grace, group, "See you at the reunion in June!")
    _say(grace, group, "June reunion in Paris")

    assert _found(ada, '"reunion in june"') == ([exact.pk], 1)
    assert _found(ada, "reunion june")[1] == 2


def test_words_must_all_be_in_one_message(members, group):
    ada, grace, _alan, _katherine, _edsger = members
    send(ada, grace, "violin")
    _say(grace, group, "cello")

    assert _found(ada, "violin cello") == ([], 0)


def test_hidden_group_messages_never_match(members, group):
    ada, grace, _alan, katherine, _edsger = members
    hidden = _say(grace, group, "scam lottery in the group")
    services.set_message_hidden(actor=katherine, message=hidden, hidden=True)

    assert _found(ada, "lottery") == ([], 0)


def test_an_edited_group_text_is_found_by_its_new_words_only(members, group):
    """An edit or a delete for everyone changes message_text with an UPDATE; the index
    follows it (SQLite's trigger, MariaDB's generated column)."""
    ada, grace, _alan, _katherine, _edsger = members
    message = _say(grace, group, "draft agenda")
    Message.objects.filter(pk=message.pk).update(message_text="final programme")

    assert _found(ada, "agenda") == ([], 0)
    assert _found(ada, "programme") == ([message.pk], 1)


def test_punctuation_only_finds_group_messages_inside_the_window(members, group):
    ada, grace, alan, _katherine, _edsger = members
    seen = _say(grace, group, "really?!")
    services.remove_member(user=alan, conversation_id=group.pk, member_id=str(alan.pk))
    later = _say(grace, group, "truly?!")

    assert _found(ada, "?!") == ([later.pk, seen.pk], 2)
    assert _found(alan, "?!") == ([seen.pk], 1)


def test_system_lines_are_searchable_by_the_group(members, group):
    ada, _grace, _alan, katherine, edsger = members
    services.rename_group(user=ada, conversation_id=group.pk, title="Lighthouse club")

    ids, total = _found(katherine, "lighthouse")
    assert (ids, total) == ([], 0)
    assert _found(ada, "lighthouse")[1] == 1
    assert _found(edsger, "renamed") == ([], 0)


def test_api_results_name_the_group(members, group):
    ada, grace, _alan, _katherine, _edsger = members
    message = _say(grace, group, "bring sunscreen")
    direct = send(grace, ada, "sunscreen is in my bag")

    body = client_for(ada).get("/api/messages/search", {"q": "sunscreen"}).json()

    assert [item["id"] for item in body["data"]] == [direct.pk, message.pk]
    grouped = body["data"][1]
    assert grouped["conversation_kind"] == "group"
    assert grouped["conversation_title"] == "Reunion 2027"
    assert grouped["kind"] == "text" and grouped["recipient_id"] is None
    assert grouped["other_user_id"] is None
    assert body["data"][0]["other_user_name"] == "Grace"


def test_the_index_holds_a_group_message_once_for_its_conversation(members, group):
    _ada, grace, _alan, _katherine, _edsger = members
    message = _say(grace, group, "Café at noon?")

    assert search.search_terms("Café at noon?", "s", None, 42, False) == (
        "Café_c42 at_c42 noon_c42"
    )
    assert search.search_terms("Café at noon?", "s", "r", 42, False) == (
        "Café_s at_s noon_s Café_r at_r noon_r"
    )
    assert search.search_terms("Café", "s", None, 42, True) == ""
    ada = members[0]
    assert _found(ada, "cafe noon") == ([message.pk], 1)
    if connection.vendor == "mysql":
        # One posting per word, in the group's scope (migration 0023).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT scope, word, conversation_id FROM messaging_search_posting "
                "WHERE message_id = %s ORDER BY word",
                [message.pk],
            )
            scope = f"c{group.pk}"
            assert cursor.fetchall() == (
                (scope, "at", group.pk),
                (scope, "Café", group.pk),
                (scope, "noon", group.pk),
            )


def test_edit_and_delete_for_everyone_through_the_services_keep_the_group_index(members, group):
    ada, grace, alan, _katherine, _edsger = members
    edited = _say(grace, group, "meet at the boathouse")
    removed = _say(alan, group, "boathouse keys are with me")
    services.edit_message(editor=grace, message_id=edited.pk, text="meet at the pavilion")
    services.delete_message(deleter=alan, message_id=removed.pk)

    assert _found(ada, "boathouse") == ([], 0)
    assert _found(ada, "pavilion") == ([edited.pk], 1)
    assert _found(alan, "keys") == ([], 0)
