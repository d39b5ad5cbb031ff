"""Block, unblock and the blocked-users list."""

from http import HTTPStatus

import pytest

from messaging.tests.factories import BlockFactory, send

from .helpers import assert_error, expected_member, ok_body, ok_list

BLOCKED = "You cannot message this member: one of you has blocked the other."


def _block(client, member):
    return client.post(
        "/api/messages/block-user", {"blocked_user_id": str(member.pk)}, format="json"
    )


def _send(client, member, text="hi"):
    return client.post(
        "/api/messages/send",
        {"recipient_id": str(member.pk), "message_text": text},
        format="json",
    )


def test_block_returns_the_member_and_is_idempotent(api_client, other_user):
    for _ in range(2):
        body = ok_body(_block(api_client, other_user))
        assert body == {
            "success": True,
            "data": expected_member(other_user),
            "message": body["message"],
        }
    data, total = ok_list(api_client.get("/api/messages/blocked-users"))
    assert (data, total) == ([expected_member(other_user)], 1)


def test_block_stops_sending_both_ways_with_a_clear_403(api_client, other_client, user, other_user):
    send(user, other_user, "before the block")
    ok_body(_block(api_client, other_user))
    assert_error(_send(api_client, other_user), HTTPStatus.FORBIDDEN, BLOCKED)
    assert_error(_send(other_client, user), HTTPStatus.FORBIDDEN, BLOCKED)
    # History stays visible to both.
    for client, other in ((api_client, other_user), (other_client, user)):
        data, total = ok_list(client.get(f"/api/messages/conversation/{other.pk}"))
        assert ([m["message_text"] for m in data], total) == (["before the block"], 1)


def test_unblock_restores_messaging_and_is_idempotent(api_client, other_client, user, other_user):
    ok_body(_block(api_client, other_user))
    for _ in range(2):
        body = ok_body(api_client.delete(f"/api/messages/block-user/{other_user.pk}"))
        assert body == {"success": True, "data": None, "message": "Member unblocked."}
    assert ok_list(api_client.get("/api/messages/blocked-users")) == ([], 0)
    ok_body(_send(api_client, other_user), HTTPStatus.CREATED)
    ok_body(_send(other_client, user), HTTPStatus.CREATED)


def test_the_blocked_member_cannot_lift_the_block(api_client, other_client, user, other_user):
    ok_body(_block(api_client, other_user))
    ok_body(other_client.delete(f"/api/messages/block-user/{user.pk}"))
    assert_error(_send(other_client, user), HTTPStatus.FORBIDDEN, BLOCKED)


def test_blocked_users_lists_only_whom_i_blocked_newest_first(
    api_client, user, other_user, third_user
):
    BlockFactory(blocker=user, blocked=other_user)
    BlockFactory(blocker=user, blocked=third_user)
    BlockFactory(blocker=third_user, blocked=user)  # blocked by someone: not in my list
    response = api_client.get("/api/messages/blocked-users")
    data, total = ok_list(response)
    assert (data, total) == ([expected_member(third_user), expected_member(other_user)], 2)
    assert other_user.email not in response.content.decode()


def test_block_hides_presence_and_typing_both_ways(api_client, other_client, user, other_user):
    send(other_user, user)
    other_client.get("/api/auth/me")  # Grace is active
    other_client.post(f"/api/messages/typing/{user.pk}")
    status = ok_body(api_client.get(f"/api/messages/conversation/{other_user.pk}/status"))["data"]
    assert (status["other_user_status"], status["other_user_typing"]) == ("online", True)

    ok_body(_block(api_client, other_user))
    other_client.post(f"/api/messages/typing/{user.pk}")
    hidden = {
        "other_user_status": "offline",
        "other_user_last_seen_at": None,
        "other_user_typing": False,
    }
    assert (
        ok_body(api_client.get(f"/api/messages/conversation/{other_user.pk}/status"))["data"]
        == hidden
    )
    assert (
        ok_body(other_client.get(f"/api/messages/conversation/{user.pk}/status"))["data"] == hidden
    )
    inbox, _ = ok_list(api_client.get("/api/messages/inbox"))
    assert inbox[0]["other_user_status"] == "offline"


def test_blocking_yourself_is_400(api_client, user):
    reason = "You cannot block yourself."
    assert_error(
        _block(api_client, user),
        HTTPStatus.BAD_REQUEST,
        f"blocked_user_id: {reason}",
        {"blocked_user_id": [reason]},
    )


def test_blocking_an_unknown_member_is_404(api_client):
    response = api_client.post(
        "/api/messages/block-user",
        {"blocked_user_id": "6f1c2d9e-0000-4000-8000-000000000000"},
        format="json",
    )
    assert_error(response, HTTPStatus.NOT_FOUND, "Member not found.")


@pytest.mark.parametrize("value", ["nope", 123, None, ""])
def test_blocking_with_a_malformed_id_is_400(api_client, value):
    response = api_client.post(
        "/api/messages/block-user", {"blocked_user_id": value}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert set(response.json()["errors"]) == {"blocked_user_id"}


@pytest.mark.parametrize("key", ["6f1c2d9e-0000-4000-8000-000000000000", "nope"])
def test_unblocking_an_unknown_member_is_404(api_client, key):
    assert_error(
        api_client.delete(f"/api/messages/block-user/{key}"),
        HTTPStatus.NOT_FOUND,
        "Member not found.",
    )
