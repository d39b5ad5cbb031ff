"""Migration 0023 (MySQL / MariaDB): the postings of every visible message written
before it, the same ids and rows, and going back restores the FULLTEXT index."""

import pytest
from django.db import connection
from django.utils import timezone

from messaging import selectors, services
from messaging.models import Message
from messaging.tests.factories import UserFactory, send
from messaging.tests.migrations.steps import migrate_to, rows

BEFORE = [("messaging", "0022_participant_inbox_page_index")]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="the postings are MariaDB's"),
]


MESSAGE_ROWS = "SELECT {} FROM messaging_message ORDER BY id".format(
    ", ".join(field.column for field in Message._meta.concrete_fields)
)


def _found(member, query) -> list[int]:
    results, _total = selectors.search_messages(user=member, query=query, limit=50)
    return [message.pk for message in results]


def _history():
    ada, grace, alan = (UserFactory(name=name) for name in ("Ada", "Grace", "Alan"))
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Chapter"
    )
    grouped = services.send_to_conversation(
        sender=grace, conversation_id=group.pk, text="Orchard visit, ORCHARD!"
    ).message
    direct = send(alan, ada, "orchard photos")
    hidden = send(ada, grace, "orchard secrets")
    services.set_message_hidden(actor=alan, message=hidden, hidden=True)
    return (ada, grace, alan), group, (grouped, direct, hidden)


def test_0023_writes_the_postings_of_the_messages_before_it():
    (ada, grace, alan), group, (grouped, direct, hidden) = _history()
    migrate_to(BEFORE)
    try:
        messages_before = rows(MESSAGE_ROWS, [])
        # At 0022 the FULLTEXT index answered, and there was no postings' table.
        assert rows(
            "SELECT id FROM messaging_message WHERE "
            "MATCH (search_terms) AGAINST (%s IN BOOLEAN MODE) ORDER BY id",
            [f'+"orchard_{ada.pk.hex[:12]}"'],
        ) == [(direct.pk,)]
        assert rows("SHOW TABLES LIKE 'messaging_search_posting'", []) == []
    finally:
        migrate_to()

    # Every row and id kept; the generated column is gone with its index.
    assert rows(MESSAGE_ROWS, []) == messages_before
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, "messaging_message")
    assert "search_terms" not in [column.name for column in table]
    # A group message's words once for the group, a word twice in it once; a direct
    # message's once per member; a hidden message's none.
    assert rows(
        "SELECT scope, word FROM messaging_search_posting WHERE message_id = %s ORDER BY word",
        [grouped.pk],
    ) == [(f"c{group.pk}", "Orchard"), (f"c{group.pk}", "visit")]
    assert sorted(
        rows("SELECT scope FROM messaging_search_posting WHERE message_id = %s", [direct.pk])
    ) == sorted([(alan.pk.hex,), (alan.pk.hex,), (ada.pk.hex,), (ada.pk.hex,)])
    assert rows("SELECT * FROM messaging_search_posting WHERE message_id = %s", [hidden.pk]) == []
    assert _found(ada, "orchard") == [direct.pk, grouped.pk]
    assert _found(grace, "orchard") == [grouped.pk]
    # The triggers written by 0023 keep the postings of new messages.
    later = send(grace, ada, "orchard again")
    assert _found(ada, "orchard") == [later.pk, direct.pk, grouped.pk]


def _written_at_0022(sender, recipient, conversation_id: int, text: str) -> int:
    """A message inserted as the code of 0022 wrote one: today's services read columns
    that later migrations added."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO messaging_message (conversation_id, sender_id, recipient_id, "
            "message_text, attachment_url, attachment_type, sent_at, is_hidden, kind, "
            "reaction_count) VALUES (%s, %s, %s, %s, '', '', %s, FALSE, 'text', 0)",
            [
                conversation_id,
                str(sender.pk),
                str(recipient.pk),
                text,
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        return cursor.lastrowid


def test_going_back_restores_the_fulltext_index():
    (ada, grace, _alan), _group, (_grouped, direct, hidden) = _history()
    migrate_to(BEFORE)
    try:
        later = _written_at_0022(ada, grace, hidden.conversation_id, "orchard at 0022")
        assert rows(
            "SELECT id FROM messaging_message WHERE "
            "MATCH (search_terms) AGAINST (%s IN BOOLEAN MODE) ORDER BY id",
            [f'+"orchard_{ada.pk.hex[:12]}"'],
        ) == [(direct.pk,), (later,)]
        assert rows("SHOW TRIGGERS LIKE 'messaging_message'", []) == []
    finally:
        migrate_to()
    assert _found(ada, "orchard") == [later, direct.pk, _grouped.pk]
