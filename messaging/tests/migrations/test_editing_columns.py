"""Migration 0015 adds editing, delete-for-everyone and reaction state to messages:
every row and id stays, the new columns start empty, search keeps working through the
same index (its triggers on SQLite survive), and it runs backwards as well."""

import pytest
from django.db import connection

from messaging import selectors, services
from messaging.models import Message
from messaging.tests.factories import UserFactory
from messaging.tests.migrations.steps import migrate_to, newest

BEFORE = [("messaging", "0014_group_search_terms")]
AFTER = [("messaging", "0015_editing_reactions")]

pytestmark = pytest.mark.django_db(transaction=True)






def test_rows_and_search_survive_the_migration_both_ways():
    latest = newest("messaging")
    ada, grace = UserFactory.create_batch(2)
    sent = [
        services.send_message(sender=ada, recipient_id=grace.pk, text=f"harpsichord {i}").message
        for i in range(3)
    ]
    migrate_to(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, message_text FROM messaging_message ORDER BY id")
        before = cursor.fetchall()
    assert [row[0] for row in before] == [message.pk for message in sent]
    migrate_to(AFTER)
    migrate_to(latest)

    messages = list(Message.objects.order_by("id"))
    assert [(m.pk, m.message_text) for m in messages] == [tuple(row) for row in before]
    assert all(
        (m.edited_at, m.deleted_at, m.reaction_count) == (None, None, 0) for m in messages
    )
    # The index still follows the text after the columns were added.
    services.edit_message(editor=ada, message_id=sent[0].pk, text="clavichord 0")
    found, _ = selectors.search_messages(user=grace, query="clavichord", limit=10)
    assert [message.pk for message in found] == [sent[0].pk]
    found, total = selectors.search_messages(user=grace, query="harpsichord", limit=10)
    assert total == 2
    services.add_reaction(user=grace, message_id=sent[1].pk, emoji="🎹")

    migrate_to(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM messaging_message")
        assert cursor.fetchone()[0] == 3
    migrate_to(latest)
    assert Message.objects.count() == 3
