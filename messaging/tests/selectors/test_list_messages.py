from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Message
from messaging.tests.factories import send


@pytest.fixture
def ten(user, other_user) -> list[int]:
    """Ten messages alternating direction, ids in sending order."""
    return [
        send(*((user, other_user) if n % 2 == 0 else (other_user, user)), f"m{n}").pk
        for n in range(10)
    ]


@pytest.fixture
def ten_at_one_instant(ten) -> list[int]:
    """The same ten messages, all with one identical sent_at: only the id orders them."""
    Message.objects.filter(pk__in=ten).update(sent_at=timezone.now())
    return ten


def _page(user, other_user, **kwargs) -> list[int]:
    kwargs.setdefault("limit", 50)
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, **kwargs)
    return [message.pk for message in page.messages]


def test_without_an_anchor_the_newest_limit_come_ascending(user, other_user, ten):
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=4)

    assert [m.pk for m in page.messages] == ten[-4:]
    assert page.total == 10
    assert page.other_user == other_user


def test_before_an_anchor(user, other_user, ten):
    assert _page(user, other_user, before=ten[6], limit=3) == ten[3:6]
    assert _page(user, other_user, before=ten[2], limit=5) == ten[0:2]
    assert _page(user, other_user, before=ten[0], limit=5) == []


def test_after_an_anchor(user, other_user, ten):
    assert _page(user, other_user, after=ten[3], limit=3) == ten[4:7]
    assert _page(user, other_user, after=ten[7], limit=5) == ten[8:]
    assert _page(user, other_user, after=ten[9], limit=5) == []


def test_around_an_anchor_centres_the_page_on_it(user, other_user, ten):
    assert _page(user, other_user, around=ten[5], limit=5) == ten[3:8]
    assert _page(user, other_user, around=ten[5], limit=4) == ten[4:8]
    assert _page(user, other_user, around=ten[0], limit=3) == ten[0:3]
    assert _page(user, other_user, around=ten[5], limit=1) == [ten[5]]


def test_around_near_either_end_fills_the_page_from_the_other_side(user, other_user, ten):
    assert _page(user, other_user, around=ten[9], limit=5) == ten[5:10]
    assert _page(user, other_user, around=ten[8], limit=5) == ten[5:10]
    assert _page(user, other_user, around=ten[1], limit=5) == ten[0:5]
    assert _page(user, other_user, around=ten[5], limit=50) == ten


def test_walking_back_with_before_visits_every_message_once_despite_equal_times(
    user, other_user, ten_at_one_instant
):
    seen = _page(user, other_user, limit=3)
    while True:
        older = _page(user, other_user, before=seen[0], limit=3)
        if not older:
            break
        seen = older + seen

    assert seen == ten_at_one_instant


def test_walking_forward_with_after_visits_every_message_once_despite_equal_times(
    user, other_user, ten_at_one_instant
):
    seen = [ten_at_one_instant[0]]
    while True:
        newer = _page(user, other_user, after=seen[-1], limit=3)
        if not newer:
            break
        seen += newer

    assert seen == ten_at_one_instant


def test_anchors_are_exact_with_equal_times(user, other_user, ten_at_one_instant):
    ids = ten_at_one_instant
    assert _page(user, other_user, limit=4) == ids[-4:]
    assert _page(user, other_user, before=ids[5], limit=2) == ids[3:5]
    assert _page(user, other_user, after=ids[5], limit=2) == ids[6:8]
    assert _page(user, other_user, around=ids[5], limit=3) == ids[4:7]


def test_order_is_by_sent_at_before_id(user, other_user, ten):
    # A message with an earlier timestamp but a larger id sorts by its time.
    earliest = Message.objects.get(pk=ten[0]).sent_at
    Message.objects.filter(pk=ten[9]).update(sent_at=earliest - timedelta(seconds=1))

    assert _page(user, other_user) == [ten[9]] + ten[:9]
    assert _page(user, other_user, before=ten[0], limit=5) == [ten[9]]


@pytest.mark.parametrize("anchor", ["before", "after", "around"])
def test_an_anchor_outside_the_visible_history_is_not_found(
    user, other_user, third_user, ten, anchor
):
    elsewhere = send(user, third_user, "another conversation").pk

    for anchor_id in (ten[-1] + 10_000, elsewhere):
        with pytest.raises(NotFound):
            selectors.list_messages(
                user=user, other_user_id=other_user.pk, limit=5, **{anchor: anchor_id}
            )

    services.delete_conversation(
        user=user, conversation_id=Message.objects.get(pk=ten[0]).conversation_id
    )
    with pytest.raises(NotFound):
        selectors.list_messages(user=user, other_user_id=other_user.pk, limit=5, **{anchor: ten[0]})


def test_an_anchor_with_no_conversation_yet_is_not_found(user, other_user, third_user):
    elsewhere = send(user, third_user, "hi").pk

    with pytest.raises(NotFound):
        selectors.list_messages(user=user, other_user_id=other_user.pk, limit=5, before=elsewhere)


def test_total_counts_the_whole_visible_history(user, other_user, third_user, ten):
    conversation_id = Message.objects.get(pk=ten[0]).conversation_id
    services.set_message_hidden(
        actor=third_user, message=Message.objects.get(pk=ten[1]), hidden=True
    )
    assert selectors.list_messages(user=user, other_user_id=other_user.pk, limit=2).total == 10

    services.delete_conversation(user=user, conversation_id=conversation_id)
    later = [send(other_user, user, "later").pk for _ in range(3)]

    mine = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=2)
    theirs = selectors.list_messages(user=other_user, other_user_id=user.pk, limit=2)
    assert ([m.pk for m in mine.messages], mine.total) == (later[-2:], 3)
    assert theirs.total == 13
    assert _page(user, other_user, before=later[1], limit=50) == [later[0]]


def test_no_conversation_yet_is_an_empty_page(user, other_user):
    page = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)

    assert (page.conversation, page.messages, page.total) == (None, [], 0)


@pytest.mark.parametrize("who", ["self", "unknown", "malformed"])
def test_yourself_or_an_unknown_member_is_not_found(user, who):
    other_user_id = {"self": user.pk, "unknown": "00000000-0000-0000-0000-000000000001"}.get(
        who, "nope"
    )

    with pytest.raises(NotFound):
        selectors.list_messages(user=user, other_user_id=other_user_id, limit=50)


def test_listing_reads_without_marking_anything_read(user, other_user, ten):
    selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)

    assert Message.objects.filter(read_at__isnull=True).count() == 10


def test_a_member_deactivated_after_writing_is_a_404_like_a_stranger(user, other_user):
    send(other_user, user, "hello before leaving")
    other_user.is_active = False
    other_user.save(update_fields=["is_active"])

    with pytest.raises(NotFound):
        selectors.list_messages(user=user, other_user_id=other_user.pk, limit=10)
