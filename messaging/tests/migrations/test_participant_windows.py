"""Migration 0024 marks every existing member of a group (`Participant.is_group`, read
by search's windows), keeps every row, and the services mark the members they add."""

import pytest

from messaging import services
from messaging.models import Participant
from messaging.tests.factories import UserFactory, send
from messaging.tests.migrations.steps import migrate_to, rows

BEFORE = [("messaging", "0023_search_postings")]

pytestmark = pytest.mark.django_db(transaction=True)


PARTICIPANTS = (
    "SELECT id, conversation_id, user_id, cleared_through_id, first_message_id, "
    "last_message_id FROM messaging_participant ORDER BY id"
)


def test_0024_marks_the_members_of_groups_and_keeps_every_row():
    ada, grace, alan, edsger = (UserFactory() for _ in range(4))
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Chapter"
    )
    services.add_members(user=ada, conversation_id=group.pk, user_ids=[str(edsger.pk)])
    direct = send(alan, ada, "hello").conversation_id
    expected = {(group.pk, member.pk): True for member in (ada, grace, alan, edsger)} | {
        (direct, alan.pk): False,
        (direct, ada.pk): False,
    }
    # The services mark the members they add.
    assert {
        (row.conversation_id, row.user_id): row.is_group for row in Participant.objects.all()
    } == expected
    migrate_to(BEFORE)
    before = rows(PARTICIPANTS)
    migrate_to()

    assert rows(PARTICIPANTS) == before
    assert {
        (row.conversation_id, row.user_id): row.is_group for row in Participant.objects.all()
    } == expected
