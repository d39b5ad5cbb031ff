"""GET and DELETE /api/messages/conversation/{id}: history pages, anchors, read marking,
and delete-for-me with its revival."""

from http import HTTPStatus

import pytest

from messaging.models import Message
from messaging.tests.factories import send

from .helpers import assert_error, expected_message, ok_body, ok_list

UNKNOWN_MEMBER = "6f1c2d9e-0000-4000-8000-000000000000"


def _history(client, other, query: str = ""):
    return client.get(f"/api/messages/conversation/{other.pk}{query}")


def _texts(data) -> list[str]:
    return [message["message_text"] for message in data]


@pytest.fixture
def ten_messages(user, other_user) -> list[Message]:
    """m0..m9, alternating senders, oldest first."""
    return [
        send(user if i % 2 else other_user, other_user if i % 2 else user, f"m{i}")
        for i in range(10)
    ]


def test_history_is_ascending_with_whole_payloads(api_client, user, other_user):
    first = send(user, other_user, "hello")
    second = send(other_user, user, "hi back", client_message_id="phone-1")
    data, total = ok_list(_history(api_client, other_user))
    second.refresh_from_db()
    assert total == 2
    assert data == [expected_message(first), expected_message(second)]
    assert data[1]["read"] is True and data[1]["read_at"].endswith("Z")
    assert data[0]["read"] is False  # my own message, not yet read by Grace


def test_without_anchor_returns_the_newest_limit(api_client, other_user, ten_messages):
    data, total = ok_list(_history(api_client, other_user, "?limit=3"))
    assert total == 10
    assert _texts(data) == ["m7", "m8", "m9"]


def test_before_anchor_pages_backwards(api_client, other_user, ten_messages):
    data, total = ok_list(_history(api_client, other_user, f"?limit=3&before={ten_messages[7].pk}"))
    assert (_texts(data), total) == (["m4", "m5", "m6"], 10)
    data, _ = ok_list(_history(api_client, other_user, f"?limit=3&before={ten_messages[1].pk}"))
    assert _texts(data) == ["m0"]


def test_after_anchor_fills_a_gap(api_client, other_user, ten_messages):
    data, total = ok_list(_history(api_client, other_user, f"?limit=4&after={ten_messages[2].pk}"))
    assert (_texts(data), total) == (["m3", "m4", "m5", "m6"], 10)
    data, _ = ok_list(_history(api_client, other_user, f"?after={ten_messages[9].pk}"))
    assert data == []


def test_around_anchor_centres_the_page(api_client, other_user, ten_messages):
    data, _ = ok_list(_history(api_client, other_user, f"?limit=5&around={ten_messages[5].pk}"))
    assert _texts(data) == ["m3", "m4", "m5", "m6", "m7"]
    data, _ = ok_list(_history(api_client, other_user, f"?limit=5&around={ten_messages[0].pk}"))
    assert _texts(data) == ["m0", "m1", "m2", "m3", "m4"]


def test_two_anchors_at_once_is_400(api_client, other_user, ten_messages):
    reason = "Give at most one of before, after and around."
    response = _history(
        api_client, other_user, f"?before={ten_messages[5].pk}&after={ten_messages[1].pk}"
    )
    assert_error(response, HTTPStatus.BAD_REQUEST, reason, {"non_field_errors": [reason]})


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ("?limit=0", "limit", "Ensure this value is greater than or equal to 1."),
        ("?limit=101", "limit", "Ensure this value is less than or equal to 100."),
        ("?limit=abc", "limit", "A valid integer is required."),
        ("?before=abc", "before", "A valid integer is required."),
        ("?around=-3", "around", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_history_params_are_400(api_client, other_user, query, field, reason):
    response = _history(api_client, other_user, query)
    assert_error(response, HTTPStatus.BAD_REQUEST, f"{field}: {reason}", {field: [reason]})


def test_anchor_that_is_not_in_this_conversation_is_404(
    api_client, user, other_user, third_user, ten_messages
):
    elsewhere = send(user, third_user, "elsewhere")
    for query in (f"?before={elsewhere.pk}", "?after=999999999", "?around=999999999"):
        assert_error(
            _history(api_client, other_user, query), HTTPStatus.NOT_FOUND, "Message not found."
        )


def test_opening_marks_the_other_members_messages_read(
    api_client, other_client, user, other_user, third_user
):
    send(other_user, user, "one")
    send(other_user, user, "two")
    send(third_user, user, "elsewhere")
    assert ok_body(api_client.get("/api/messages/unread-count"))["data"] == {"unread_count": 3}
    inbox, _ = ok_list(api_client.get("/api/messages/inbox"))
    assert {item["other_user_id"]: item["unread_count"] for item in inbox} == {
        str(other_user.pk): 2,
        str(third_user.pk): 1,
    }

    data, _ = ok_list(_history(api_client, other_user))
    assert [message["read"] for message in data] == [True, True]

    assert ok_body(api_client.get("/api/messages/unread-count"))["data"] == {"unread_count": 1}
    inbox, _ = ok_list(api_client.get("/api/messages/inbox"))
    assert {item["other_user_id"]: item["unread_count"] for item in inbox} == {
        str(other_user.pk): 0,
        str(third_user.pk): 1,
    }
    # Grace sees her messages as read in her own history.
    theirs, _ = ok_list(_history(other_client, user))
    assert [message["read"] for message in theirs] == [True, True]


def test_opening_an_empty_conversation_with_any_member_is_200(api_client, third_user):
    assert ok_list(_history(api_client, third_user)) == ([], 0)


def test_history_with_unknown_malformed_or_own_id_is_the_same_404(api_client, user):
    for key in (UNKNOWN_MEMBER, "not-a-uuid", str(user.pk)):
        assert_error(
            api_client.get(f"/api/messages/conversation/{key}"),
            HTTPStatus.NOT_FOUND,
            "Member not found.",
        )


# --- delete for me ----------------------------------------------------------------------


def test_delete_for_me_hides_it_only_for_me_and_a_new_message_revives_it(
    api_client, other_client, user, other_user
):
    send(user, other_user, "before 1")
    old = send(other_user, user, "before 2")
    body = ok_body(api_client.delete(f"/api/messages/conversation/{old.conversation_id}"))
    assert body == {"success": True, "data": None, "message": "Conversation deleted for you."}

    assert ok_list(api_client.get("/api/messages/inbox")) == ([], 0)
    assert ok_list(_history(api_client, other_user)) == ([], 0)
    assert ok_list(api_client.get("/api/messages/search?q=before")) == ([], 0)
    assert ok_body(api_client.get("/api/messages/unread-count"))["data"] == {"unread_count": 0}
    # Grace still has everything.
    assert _texts(ok_list(_history(other_client, user))[0]) == ["before 1", "before 2"]
    assert ok_list(other_client.get("/api/messages/search?q=before"))[1] == 2

    send(other_user, user, "after")
    inbox, total = ok_list(api_client.get("/api/messages/inbox"))
    assert total == 1
    assert (inbox[0]["last_message"], inbox[0]["unread_count"]) == ("after", 1)
    data, history_total = ok_list(_history(api_client, other_user))
    assert (_texts(data), history_total) == (["after"], 1)
    assert ok_list(api_client.get("/api/messages/search?q=before")) == ([], 0)


def test_mark_read_of_a_message_deleted_for_me_is_404(api_client, user, other_user):
    old = send(other_user, user, "old")
    ok_body(api_client.delete(f"/api/messages/conversation/{old.conversation_id}"))
    assert_error(
        api_client.put(f"/api/messages/mark-as-read/{old.pk}"),
        HTTPStatus.NOT_FOUND,
        "Message not found.",
    )


def test_deleting_twice_is_harmless(api_client, user, other_user):
    message = send(other_user, user)
    for _ in range(2):
        ok_body(api_client.delete(f"/api/messages/conversation/{message.conversation_id}"))
    assert ok_list(api_client.get("/api/messages/inbox")) == ([], 0)


@pytest.mark.parametrize("key", ["999999999", "abc", "-1", "0"])
def test_delete_unknown_conversation_is_404(api_client, key):
    assert_error(
        api_client.delete(f"/api/messages/conversation/{key}"),
        HTTPStatus.NOT_FOUND,
        "Conversation not found.",
    )
