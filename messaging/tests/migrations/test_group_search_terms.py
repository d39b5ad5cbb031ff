"""Migration 0014 indexes the group messages written before it once per conversation,
so every member finds them, and going back restores the index it replaced."""

import pytest
from django.db import connection

from messaging import selectors, services
from messaging.tests.factories import UserFactory, send
from messaging.tests.migrations.steps import migrate_to

BEFORE = [("messaging", "0013_attachments")]

pytestmark = pytest.mark.django_db(transaction=True)




def _found(member, query) -> list[int]:
    results, _total = selectors.search_messages(user=member, query=query, limit=50)
    return [message.pk for message in results]


def test_group_messages_written_before_0014_are_found_by_every_member():
    # Written through today's models, then taken back to before 0014 (which indexes
    # them as 0013 did: a group message for its sender only) and forward again: 0014
    # indexes the rows it finds. (Writing them while the schema is at 0013 would need
    # the models of 0013: later migrations add message columns.)
    ada, grace, alan = (UserFactory(name=name) for name in ("Ada", "Grace", "Alan"))
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Chapter"
    )
    grouped = services.send_to_conversation(
        sender=grace, conversation_id=group.pk, text="orchard visit"
    ).message
    direct = send(alan, ada, "orchard photos")
    migrate_to(BEFORE)
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rowid FROM messaging_message_fts WHERE messaging_message_fts "
                    "MATCH %s",
                    [f'"orchard_{ada.pk.hex}"'],
                )
                # Before 0014 Ada (not its sender) had no terms for the group message.
                assert cursor.fetchall() == [(direct.pk,)]
    finally:
        migrate_to()

    assert _found(ada, "orchard") == [direct.pk, grouped.pk]
    assert _found(alan, "orchard") == [direct.pk, grouped.pk]
    assert _found(grace, "orchard") == [grouped.pk]
    # The triggers written by 0014 keep indexing new group messages.
    later = services.send_to_conversation(
        sender=alan, conversation_id=group.pk, text="orchard again"
    ).message
    assert _found(grace, "orchard") == [later.pk, grouped.pk]


def test_going_back_restores_the_per_member_index():
    ada, grace, alan = (UserFactory(name=name) for name in ("Ada", "Grace", "Alan"))
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Chapter"
    )
    grouped = services.send_to_conversation(
        sender=grace, conversation_id=group.pk, text="meadow visit"
    ).message
    direct = send(alan, ada, "meadow photos")
    migrate_to(BEFORE)
    try:
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT rowid FROM messaging_message_fts WHERE messaging_message_fts "
                    "MATCH %s ORDER BY rowid",
                    [f'"meadow_{grace.pk.hex}" OR "meadow_{ada.pk.hex}"'],
                )
                # Before 0014 a group message was indexed for its sender only.
                assert cursor.fetchall() == [(grouped.pk,), (direct.pk,)]
    finally:
        migrate_to()
    assert _found(ada, "meadow") == [direct.pk, grouped.pk]
