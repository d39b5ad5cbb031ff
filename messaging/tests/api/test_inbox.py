"""GET /api/messages/inbox: conversation summaries, newest activity first."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from messaging.models import Conversation, Participant
from messaging.tests.factories import UserFactory, send

from .helpers import assert_error, ok_list, utc

INBOX = "/api/messages/inbox"


def _summary(conversation, *, viewer, other, last, unread, status="offline") -> dict:
    return {
        "conversation_id": conversation.pk,
        "other_user_id": str(other.pk),
        "other_user_name": other.name,
        "photo_url": other.avatar_url or None,
        "last_message": last.message_text,
        "last_message_at": utc(last.sent_at),
        "unread_count": unread,
        "last_message_from_me": last.sender_id == viewer.pk,
        "other_user_status": status,
        "is_request": False,
        # Version 2 adds these to every row (SPEC §9.1); every version-1 field stays.
        "kind": "direct",
        "title": None,
        "member_count": 2,
        "last_message_sender_name": (viewer if last.sender_id == viewer.pk else other).name,
    }


def test_inbox_lists_summaries_newest_first_with_exact_fields(
    api_client, user, other_user, third_user
):
    third_user.avatar_url = "https://cdn.example.org/k.png"
    third_user.save(update_fields=["avatar_url"])
    send(other_user, user, "hi Ada")
    send(other_user, user, "are you there?")
    older_last = send(user, other_user, "yes!")
    send(third_user, user, "orbit numbers")
    newest = send(third_user, user, "check them")

    data, total = ok_list(api_client.get(INBOX))

    assert total == 2
    assert data == [
        _summary(
            Conversation.objects.get(pk=newest.conversation_id),
            viewer=user,
            other=third_user,
            last=newest,
            unread=2,
        ),
        _summary(
            Conversation.objects.get(pk=older_last.conversation_id),
            viewer=user,
            other=other_user,
            last=older_last,
            unread=2,
        ),
    ]
    assert data[0]["photo_url"] == "https://cdn.example.org/k.png"
    assert data[1]["last_message_from_me"] is True
    assert all(item["last_message_at"].endswith("Z") for item in data)


def test_inbox_is_empty_for_a_new_member(api_client):
    assert ok_list(api_client.get(INBOX)) == ([], 0)


def test_inbox_pages_with_limit_and_offset_and_keeps_the_total(api_client, user):
    partners = UserFactory.create_batch(5)
    for partner in partners:
        send(partner, user, f"from {partner.name}")
    data, total = ok_list(api_client.get(f"{INBOX}?limit=2&offset=1"))
    assert total == 5
    assert [item["other_user_id"] for item in data] == [str(partners[3].pk), str(partners[2].pk)]


def test_offset_past_the_end_is_an_empty_page_with_the_right_total(api_client, user, other_user):
    send(other_user, user)
    assert ok_list(api_client.get(f"{INBOX}?offset=1")) == ([], 1)
    assert ok_list(api_client.get(f"{INBOX}?offset=5000&limit=100")) == ([], 1)


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("limit=0", "limit", "Ensure this value is greater than or equal to 1."),
        ("limit=101", "limit", "Ensure this value is less than or equal to 100."),
        ("limit=abc", "limit", "A valid integer is required."),
        ("limit=1e2", "limit", "A valid integer is required."),
        ("offset=-1", "offset", "Ensure this value is greater than or equal to 0."),
        ("offset=1.5", "offset", "A valid integer is required."),
    ],
)
def test_out_of_range_paging_is_400(api_client, query, field, reason):
    response = api_client.get(f"{INBOX}?{query}")
    assert_error(response, HTTPStatus.BAD_REQUEST, f"{field}: {reason}", {field: [reason]})


def test_limit_bounds_are_accepted(api_client, user, other_user):
    send(other_user, user)
    assert ok_list(api_client.get(f"{INBOX}?limit=1"))[1] == 1
    assert ok_list(api_client.get(f"{INBOX}?limit=100"))[1] == 1


def test_other_user_status_follows_their_activity_and_do_not_disturb(
    api_client, other_client, user, other_user
):
    send(other_user, user)
    assert ok_list(api_client.get(INBOX))[0][0]["other_user_status"] == "offline"
    other_client.get("/api/messages/unread-count")  # any request is activity
    assert ok_list(api_client.get(INBOX))[0][0]["other_user_status"] == "online"
    other_client.put("/api/messages/presence", {"status": "do_not_disturb"}, format="json")
    assert ok_list(api_client.get(INBOX))[0][0]["other_user_status"] == "do_not_disturb"


def test_inbox_never_carries_an_email_address(api_client, user, other_user, third_user):
    send(other_user, user)
    send(user, third_user)
    response = api_client.get(INBOX)
    for member in (user, other_user, third_user):
        assert member.email not in response.content.decode()


def test_inbox_writes_whole_seconds_and_microseconds_of_the_last_activity(
    api_client, user, other_user, third_user
):
    # A time at a whole second is written without a fraction, one a microsecond past
    # it with six digits; the rows are in the page's order (sorted after the statement).
    whole = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    send(other_user, user, "at a whole second")
    send(third_user, user, "a microsecond past it")
    for partner, moment in ((other_user, whole), (third_user, whole + timedelta(microseconds=1))):
        Participant.objects.filter(conversation__participants__user=partner, user=user).update(
            last_message_at=moment
        )
    data, _ = ok_list(api_client.get(INBOX))
    assert [item["last_message_at"] for item in data] == [
        utc(whole + timedelta(microseconds=1)),
        utc(whole),
    ]
    assert data[1]["last_message_at"] == whole.strftime("%Y-%m-%dT%H:%M:%SZ")
