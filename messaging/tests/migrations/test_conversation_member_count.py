"""Migration 0025 stores each group's active member count (`Conversation.member_count`,
read by the inbox), keeps every conversation, and the group services keep the count."""

import pytest

from messaging import services
from messaging.models import Conversation
from messaging.tests.factories import UserFactory, send
from messaging.tests.migrations.steps import migrate_to, rows

BEFORE = [("messaging", "0024_participant_windows")]

pytestmark = pytest.mark.django_db(transaction=True)


CONVERSATIONS = (
    "SELECT id, kind, title, user_one_id, user_two_id, created_by_id "
    "FROM messaging_conversation ORDER BY id"
)


def _counts() -> dict[int, int]:
    return dict(Conversation.objects.values_list("pk", "member_count"))


def test_0025_counts_each_groups_active_members_and_keeps_every_row():
    ada, grace, alan, edsger, barbara = (UserFactory() for _ in range(5))
    chapter = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Chapter"
    )
    services.add_members(user=ada, conversation_id=chapter.pk, user_ids=[str(edsger.pk)])
    services.remove_member(user=grace, conversation_id=chapter.pk, member_id=str(grace.pk))
    board = services.create_group(
        creator=barbara, member_ids=[str(ada.pk), str(alan.pk), str(edsger.pk)], title="Board"
    )
    direct = send(alan, ada, "hello").conversation_id
    expected = {chapter.pk: 3, board.pk: 4, direct: 2}
    # The services keep the count.
    assert _counts() == expected
    migrate_to(BEFORE)
    before = rows(CONVERSATIONS)
    migrate_to()

    assert rows(CONVERSATIONS) == before
    assert _counts() == expected
