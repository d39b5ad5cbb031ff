"""Migration 0026 (SQLite): the group messages' words as postings. Its backfill writes
what its triggers write, for visible group messages only, and going back removes the
table; MySQL / MariaDB are untouched (their postings hold the groups since 0023)."""

import pytest
from django.db import connection

from messaging import services
from messaging.tests.factories import UserFactory, send
from messaging.tests.migrations.steps import migrate_to, rows

BEFORE = [("messaging", "0025_conversation_member_count")]
POSTINGS = "SELECT scope, word, message_id, conversation_id FROM messaging_search_posting"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's postings"),
]


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def test_0026_backfills_what_the_triggers_write_and_goes_back():
    ada, grace, alan, moderator = (UserFactory() for _ in range(4))
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Choir"
    )
    said = services.send_to_conversation(
        sender=grace, conversation_id=group.pk, text="Café au lait, café!"
    ).message
    hidden = services.send_to_conversation(
        sender=ada, conversation_id=group.pk, text="lottery scam"
    ).message
    services.set_message_hidden(actor=moderator, message=hidden, hidden=True)
    send(ada, alan, "a direct café")
    written = sorted(rows(POSTINGS))
    # The visible group message's words, once each, folded; the system message that
    # created the group has its own words. Nothing from the hidden or the direct one.
    mine = [row for row in written if row[2] == said.pk]
    assert mine == sorted(
        (f"c{group.pk}", word, said.pk, group.pk) for word in ("cafe", "au", "lait")
    )
    assert not [row for row in written if row[2] == hidden.pk]
    assert {row[0] for row in written} == {f"c{group.pk}"}

    migrate_to(BEFORE)
    assert "messaging_search_posting" not in _tables()
    migrate_to()

    assert sorted(rows(POSTINGS)) == written
