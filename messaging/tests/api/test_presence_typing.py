"""Typing, conversation status and presence."""

from http import HTTPStatus

import pytest

from messaging.models import Presence

from .helpers import assert_error, ok_body, utc

UNKNOWN_MEMBER = "6f1c2d9e-0000-4000-8000-000000000000"


def _status(client, member) -> dict:
    return ok_body(client.get(f"/api/messages/conversation/{member.pk}/status"))["data"]


def test_status_shape_for_a_member_never_seen(api_client, other_user):
    body = ok_body(api_client.get(f"/api/messages/conversation/{other_user.pk}/status"))
    assert body == {
        "success": True,
        "data": {
            "other_user_status": "offline",
            "other_user_last_seen_at": None,
            "other_user_typing": False,
        },
        "message": "Status retrieved.",
    }


def test_status_after_activity_is_online_with_last_seen_in_utc(
    api_client, other_client, other_user
):
    other_client.get("/api/auth/me")
    presence = Presence.objects.get(user=other_user)
    assert _status(api_client, other_user) == {
        "other_user_status": "online",
        "other_user_last_seen_at": utc(presence.last_seen_at),
        "other_user_typing": False,
    }
    assert _status(api_client, other_user)["other_user_last_seen_at"].endswith("Z")


def test_typing_shows_only_to_the_member_typed_to(
    api_client, other_client, third_client, user, other_user, third_user
):
    body = ok_body(api_client.post(f"/api/messages/typing/{other_user.pk}"))
    assert body == {"success": True, "data": None, "message": "Typing recorded."}
    assert _status(other_client, user)["other_user_typing"] is True
    assert _status(api_client, other_user)["other_user_typing"] is False
    assert _status(third_client, user)["other_user_typing"] is False


def test_typing_to_an_unknown_member_is_404(api_client):
    for key in (UNKNOWN_MEMBER, "nope"):
        assert_error(
            api_client.post(f"/api/messages/typing/{key}"),
            HTTPStatus.NOT_FOUND,
            "Member not found.",
        )


def test_status_of_unknown_malformed_or_own_id_is_404(api_client, user):
    for key in (UNKNOWN_MEMBER, "nope", str(user.pk)):
        assert_error(
            api_client.get(f"/api/messages/conversation/{key}/status"),
            HTTPStatus.NOT_FOUND,
            "Member not found.",
        )


def test_do_not_disturb_then_auto(api_client, other_client, user, other_user):
    body = ok_body(
        other_client.put("/api/messages/presence", {"status": "do_not_disturb"}, format="json")
    )
    assert body == {
        "success": True,
        "data": {"status": "do_not_disturb"},
        "message": "Presence updated.",
    }
    assert _status(api_client, other_user)["other_user_status"] == "do_not_disturb"

    ok_body(other_client.put("/api/messages/presence", {"status": "auto"}, format="json"))
    assert _status(api_client, other_user)["other_user_status"] == "online"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"status": "busy"}, '"busy" is not a valid choice.'),
        ({"status": "online"}, '"online" is not a valid choice.'),
        ({}, "This field is required."),
        ({"status": None}, "This field may not be null."),
    ],
)
def test_invalid_presence_is_400(api_client, body, reason):
    response = api_client.put("/api/messages/presence", body, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, f"status: {reason}", {"status": [reason]})


def test_the_typists_message_ends_typing_at_once(api_client, other_client, user, other_user):
    ok_body(api_client.post(f"/api/messages/typing/{other_user.pk}"))
    assert _status(other_client, user)["other_user_typing"] is True
    ok_body(
        api_client.post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": "done"},
            format="json",
        ),
        HTTPStatus.CREATED,
    )
    assert _status(other_client, user)["other_user_typing"] is False
