"""Groups under concurrent writers on a real database (MariaDB row locks, or SQLite's
single writer): counters stay exact and the member cap holds."""

import pytest

from messaging import services
from messaging.exceptions import MessagingError
from messaging.models import Participant
from messaging.tests.factories import UserFactory
from messaging.tests.invariants import assert_unread_counters_exact

from .test_concurrency import _needs_separate_connections, together  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_members_sending_at_once_keep_every_unread_count_exact():
    creator, *others = UserFactory.create_batch(20)
    group = services.create_group(creator=creator, member_ids=[m.pk for m in others], title="Class")
    members = [creator, *others]

    def writer(member):
        return lambda: [
            services.send_to_conversation(sender=member, conversation_id=group.pk, text=f"m{i}")
            for i in range(10)
        ]

    together([writer(member) for member in members])

    for participant in Participant.objects.filter(conversation=group):
        # 200 messages, 10 of them their own; system messages never count
        assert participant.unread_count == 190
        assert participant.message_count == 201
    assert_unread_counters_exact()


def test_concurrent_adds_and_leaves_never_pass_fifty():
    creator, *others = UserFactory.create_batch(48)
    group = services.create_group(creator=creator, member_ids=[m.pk for m in others], title="Big")
    newcomers = UserFactory.create_batch(6)
    leavers = others[:3]

    def add(member):
        def run():
            try:
                services.add_members(user=creator, conversation_id=group.pk, user_ids=[member.pk])
            except MessagingError:
                return "refused"
            return "added"

        return run

    def leave(member):
        return lambda: services.remove_member(
            user=member, conversation_id=group.pk, member_id=member.pk
        )

    results = together([add(member) for member in newcomers] + [leave(m) for m in leavers])

    active = Participant.objects.filter(conversation=group, left_at=None).count()
    assert active <= 50
    assert active == 48 + results.count("added") - len(leavers)
    assert_unread_counters_exact()
