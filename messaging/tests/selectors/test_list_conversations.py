from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging import selectors, services
from messaging.models import Participant, Presence
from messaging.tests.factories import UserFactory, send
from messaging.tests.invariants import assert_unread_counters_exact


def _ids(summaries) -> list[int]:
    return [summary["conversation_id"] for summary in summaries]


def test_summary_has_every_field_of_the_contract(user, other_user):
    other_user.avatar_url = "https://cdn.example.org/grace.png"
    other_user.save(update_fields=["avatar_url"])
    send(user, other_user, "hi")
    last = send(other_user, user, "hello back")

    summaries, total = selectors.list_conversations(user=user, limit=50, offset=0)

    assert total == 1
    assert summaries == [
        {
            "conversation_id": last.conversation_id,
            "other_user_id": other_user.pk,
            "other_user_name": "Grace Hopper",
            "photo_url": "https://cdn.example.org/grace.png",
            "last_message": "hello back",
            "last_message_at": last.sent_at,
            "unread_count": 1,
            "last_message_from_me": False,
            "other_user_status": "offline",
            "is_request": False,
            "kind": "direct",
            "title": None,
            "member_count": 2,
            "last_message_sender_name": "Grace Hopper",
        }
    ]


def test_newest_activity_comes_first(user):
    friends = UserFactory.create_batch(3)
    conversation_ids = [send(friend, user, "hi").conversation_id for friend in friends]

    summaries, _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert _ids(summaries) == conversation_ids[::-1]

    send(user, friends[0], "replying to the oldest")
    summaries, _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert _ids(summaries) == [conversation_ids[0], conversation_ids[2], conversation_ids[1]]


def test_equal_activity_times_still_have_a_stable_order(user):
    friends = UserFactory.create_batch(3)
    conversation_ids = [send(friend, user, "hi").conversation_id for friend in friends]

    Participant.objects.update(last_message_at=timezone.now())  # every member's inbox row

    summaries, _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert _ids(summaries) == sorted(conversation_ids, reverse=True)


def test_pagination_by_limit_and_offset_reports_the_total(user):
    friends = UserFactory.create_batch(5)
    newest_first = [send(friend, user, "hi").conversation_id for friend in friends][::-1]

    pages = [
        selectors.list_conversations(user=user, limit=2, offset=offset) for offset in (0, 2, 4)
    ]

    assert [_ids(page) for page, _ in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:],
    ]
    assert {total for _, total in pages} == {5}
    assert selectors.list_conversations(user=user, limit=2, offset=5) == ([], 5)
    assert selectors.list_conversations(user=user, limit=2, offset=500) == ([], 5)


def test_only_the_members_own_conversations_are_listed(user, other_user, third_user):
    mine = send(user, other_user, "mine").conversation_id
    send(other_user, third_user, "not mine")

    summaries, total = selectors.list_conversations(user=user, limit=50, offset=0)

    assert (_ids(summaries), total) == ([mine], 1)


def test_unread_count_and_from_me_are_per_side(user, other_user):
    send(other_user, user, "one")
    send(other_user, user, "two")
    send(user, other_user, "three")

    (mine,), _ = selectors.list_conversations(user=user, limit=50, offset=0)
    (theirs,), _ = selectors.list_conversations(user=other_user, limit=50, offset=0)

    assert (mine["unread_count"], mine["last_message_from_me"]) == (2, True)
    assert (theirs["unread_count"], theirs["last_message_from_me"]) == (1, False)
    assert_unread_counters_exact()


def test_a_hidden_last_message_never_shows_its_text(user, other_user, third_user):
    message = send(other_user, user, "something nasty")
    services.set_message_hidden(actor=third_user, message=message, hidden=True)

    (summary,), _ = selectors.list_conversations(user=user, limit=50, offset=0)

    assert summary["last_message"] == "Message removed by a moderator"


@pytest.mark.parametrize(
    "seconds_ago, mode, status",
    [
        (5, Presence.Mode.AUTO, "online"),
        (120, Presence.Mode.AUTO, "away"),
        (3600, Presence.Mode.AUTO, "offline"),
        (5, Presence.Mode.DO_NOT_DISTURB, "do_not_disturb"),
    ],
)
def test_other_user_status_follows_their_presence(user, other_user, seconds_ago, mode, status):
    send(user, other_user, "hi")
    Presence.objects.create(
        user=other_user, mode=mode, last_seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )

    (summary,), _ = selectors.list_conversations(user=user, limit=50, offset=0)

    assert summary["other_user_status"] == status


def test_query_count_does_not_grow_with_conversations(user, django_assert_num_queries):
    def fill(count):
        for friend in UserFactory.create_batch(count):
            send(friend, user, "hi")
            Presence.objects.create(user=friend, last_seen_at=timezone.now())

    fill(2)
    with CaptureQueriesContext(connection) as few:
        selectors.list_conversations(user=user, limit=100, offset=0)
    fill(38)
    with django_assert_num_queries(len(few.captured_queries)):
        summaries, total = selectors.list_conversations(user=user, limit=100, offset=0)
    assert (len(summaries), total) == (40, 40)


def test_the_total_counts_every_listed_conversation_beyond_the_page(user, other_user):
    friends = UserFactory.create_batch(4)
    for friend in friends:
        send(friend, user, "hi")
    gone = send(user, other_user, "deleted for me").conversation_id
    services.delete_conversation(user=user, conversation_id=gone)

    summaries, total = selectors.list_conversations(user=user, limit=3, offset=0)
    assert (len(summaries), total) == (3, 4)
    summaries, total = selectors.list_conversations(user=user, limit=3, offset=3)
    assert (len(summaries), total) == (1, 4)
    assert gone not in _ids(summaries)


def test_a_page_of_groups_alone_asks_the_cache_nothing(
    user, other_user, third_user, assert_cache_call_count
):
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Book club"
    )
    services.send_to_conversation(sender=other_user, conversation_id=group.pk, text="hi all")
    Presence.objects.create(user=other_user, last_seen_at=timezone.now())

    with assert_cache_call_count(0):
        summaries, total = selectors.list_conversations(user=user, limit=50, offset=0)
    assert (_ids(summaries), total) == ([group.pk], 1)

    # A direct conversation on the page: its member's sockets are read, in one call.
    send(other_user, user, "hello")
    with assert_cache_call_count(1):
        summaries, _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert summaries[0]["other_user_status"] == "online"
