"""Migrations 0020 to 0022 and 0027 only change indexes of the participant rows (the
unread-count's, the group member count's, and the inbox's, which 0022 replaces by one
holding the page's whole order, and 0027 by one holding the unread counter too, in place
of the unread-count's): every row and id stays, the indexes are there after and as they
were when run backwards, and the reads they serve answer the same."""

import pytest
from django.db import connection

from messaging import selectors, services
from messaging.models import Participant
from messaging.selectors import inbox
from messaging.tests.factories import UserFactory
from messaging.tests.migrations.steps import migrate_to, newest, rows

BEFORE = [("messaging", "0019_push_subscriptions")]
AFTER = [("messaging", "0022_participant_inbox_page_index")]
INDEXES = {"participant_unread", "participant_members", "participant_inbox_page"}
REPLACED = "participant_inbox"
# 0027: the inbox's index with the unread counter replaces both of these.
BEFORE_ROWS_INDEX = [("messaging", "0026_sqlite_group_postings")]
ROWS_INDEX = "participant_inbox_rows"
FOLDED = {"participant_unread", "participant_inbox_page"}

pytestmark = pytest.mark.django_db(transaction=True)






def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "messaging_participant")
    return {name for name, details in constraints.items() if details["index"]}


PARTICIPANTS = (
    "SELECT id, conversation_id, user_id, unread_count, left_at"
    " FROM messaging_participant ORDER BY id"
)


def test_rows_stay_and_the_indexes_come_and_go():
    latest = newest("messaging")
    ada, grace, alan = UserFactory.create_batch(3)
    grace_pair = services.send_message(
        sender=ada, recipient_id=grace.pk, text="hello"
    ).message.conversation_id
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Reunion"
    )
    services.send_to_conversation(sender=alan, conversation_id=group.pk, text="hi all")
    services.remove_member(user=alan, conversation_id=group.pk, member_id=str(alan.pk))
    before = rows(PARTICIPANTS)

    migrate_to(BEFORE)
    assert not INDEXES & _indexes()
    assert REPLACED in _indexes()
    assert rows(PARTICIPANTS) == before
    # 0027 folds two of them into one, so they are looked for where 0022 leaves them.
    migrate_to(AFTER)
    assert INDEXES <= _indexes()
    assert REPLACED not in _indexes()
    assert rows(PARTICIPANTS) == before
    migrate_to(latest)
    assert rows(PARTICIPANTS) == before

    assert selectors.unread_total(user=grace) == 2
    inbox, total = selectors.list_conversations(user=ada, limit=10, offset=0)
    assert total == 2
    assert {row["kind"]: row["member_count"] for row in inbox}["group"] == 2
    assert [row["conversation_id"] for row in inbox] == [group.pk, grace_pair]
    assert Participant.objects.count() == len(before)


def test_0027_folds_the_unread_index_into_the_inbox_index():
    latest = newest("messaging")
    ada, grace, alan = UserFactory.create_batch(3)
    services.send_message(sender=ada, recipient_id=grace.pk, text="one")
    read = services.send_message(sender=alan, recipient_id=grace.pk, text="two").message
    services.send_message(sender=alan, recipient_id=grace.pk, text="three")
    services.mark_read(reader=grace, message_id=read.pk)
    services.send_message(sender=alan, recipient_id=grace.pk, text="four")
    before = rows(PARTICIPANTS)

    migrate_to(BEFORE_ROWS_INDEX)
    assert FOLDED <= _indexes()
    assert ROWS_INDEX not in _indexes()
    assert rows(PARTICIPANTS) == before
    migrate_to(latest)
    indexes = _indexes()
    assert ROWS_INDEX in indexes
    assert not FOLDED & indexes
    assert rows(PARTICIPANTS) == before

    assert selectors.unread_total(user=grace) == 3
    inbox, total = selectors.list_conversations(user=grace, limit=10, offset=0)
    assert (total, [row["unread_count"] for row in inbox]) == (2, [2, 1])


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_unread_total_reads_the_inbox_index_alone():
    member = UserFactory()
    sql, params = inbox._UNREAD_TOTAL.statement(Participant, member_id=member.pk)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING COVERING INDEX participant_inbox_rows (user_id=?" in plan, plan
