"""seed_bench --groups: groups of 3-50 members whose every counter, read position and
window the services would have left, the hot member in --hot-groups of them, ids
following send time, and the direct data of a seed unchanged by them."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from messaging import selectors, services
from messaging.models import Conversation, Message, Participant
from messaging.tests.invariants import assert_unread_counters_exact

User = get_user_model()

pytestmark = pytest.mark.django_db


def _seed(groups=30, hot_groups=5, group_messages=None, users=80, messages=600) -> str:
    out = StringIO()
    call_command(
        "seed_bench",
        users=users,
        messages=messages,
        hot_conversations=10,
        groups=groups,
        hot_groups=hot_groups,
        group_messages=group_messages,
        seed=5,
        no_progress=True,
        stdout=out,
    )
    return out.getvalue()


def test_groups_sizes_and_the_hot_members_groups():
    output = _seed()

    hot = User.objects.get(email="bench-hot@example.org")
    groups = Conversation.objects.filter(kind=Conversation.Kind.GROUP).annotate(
        members=Count("participants")
    )
    assert groups.count() == 30 and "30 groups" in output
    assert {group.members for group in groups} <= set(range(3, 51))
    assert groups.order_by("id").first().members == 50
    created = groups.filter(created_by=hot)
    assert created.count() == 5
    assert Participant.objects.filter(user=hot, conversation__kind="group").count() == 5
    # 600 direct messages, and 3 per group by default at this size (one creation each).
    assert Message.objects.filter(recipient__isnull=False).count() == 600
    assert Message.objects.filter(recipient__isnull=True).count() == 90
    assert Message.objects.filter(kind=Message.Kind.SYSTEM).count() == 30


def test_every_counter_and_window_is_what_the_services_keep():
    _seed(group_messages=400)

    assert_unread_counters_exact()
    stamps = list(Message.objects.order_by("id").values_list("sent_at", flat=True))
    assert stamps == sorted(stamps)
    hot = User.objects.get(email="bench-hot@example.org")
    assert selectors.unread_total(user=hot) == sum(
        Participant.objects.filter(user=hot).values_list("unread_count", flat=True)
    )


def test_the_seeded_groups_work_through_the_services():
    _seed()
    hot = User.objects.get(email="bench-hot@example.org")
    group = Conversation.objects.filter(created_by=hot).order_by("id").first()

    sent = services.send_to_conversation(sender=hot, conversation_id=group.pk, text="hello all")
    page = services.open_conversation_by_id(reader=hot, conversation_id=group.pk, limit=100)

    assert sent.created and page.messages[-1] == sent.message
    assert page.messages[0].kind == Message.Kind.SYSTEM
    assert_unread_counters_exact()


def test_the_direct_data_of_a_seed_does_not_depend_on_the_groups():
    def direct():
        # Their times move (the groups take the year's last days); nothing else.
        rows = Message.objects.filter(recipient__isnull=False).order_by("id")
        return [
            (text, hidden, read_at is None)
            for text, hidden, read_at in rows.values_list("message_text", "is_hidden", "read_at")
        ]

    _seed(groups=0)
    without = direct()
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    User.objects.all().delete()
    _seed(groups=12)

    assert direct() == without


@pytest.mark.parametrize(
    ("groups", "hot_groups", "group_messages"), [(5, 6, None), (-1, 0, None), (5, 2, 4)]
)
def test_bad_group_options_are_refused(groups, hot_groups, group_messages):
    with pytest.raises(CommandError):
        _seed(groups=groups, hot_groups=hot_groups, group_messages=group_messages)
    assert not Message.objects.exists()
