"""Assertions on the envelope shapes, written independently of messaging.payloads so
a change to the payload builders cannot silently change what the tests expect."""

from datetime import UTC, datetime
from http import HTTPStatus

from rest_framework_simplejwt.tokens import RefreshToken

REMOVED = "Message removed by a moderator"


def utc(moment: datetime | None) -> str | None:
    """The ISO 8601 form the API promises: UTC with a Z suffix."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def expected_message(message, **overrides) -> dict:
    hidden = message.is_hidden
    payload = {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "sender_id": str(message.sender_id),
        "recipient_id": str(message.recipient_id),
        "message_text": REMOVED if hidden else message.message_text,
        "attachment_url": None if hidden else (message.attachment_url or None),
        "attachment_type": None if hidden else (message.attachment_type or None),
        "sent_at": utc(message.sent_at),
        "read": message.read_at is not None,
        "read_at": utc(message.read_at),
        "client_message_id": message.client_message_id,
        "hidden": hidden,
        # Version 2 adds the message's kind (SPEC §9.1); every version-1 field stays.
        "kind": message.kind,
        # Version 2.1 (SPEC §9.3) adds these three.
        "edited_at": utc(message.edited_at),
        "deleted": message.deleted_at is not None,
        "reactions": [],
    }
    payload.update(overrides)
    return payload


def expected_member(member) -> dict:
    return {"id": str(member.pk), "name": member.name, "avatar_url": member.avatar_url or None}


def ok_body(response, status=HTTPStatus.OK) -> dict:
    """The success envelope: checks its keys and returns the whole body."""
    assert response.status_code == status, response.content
    assert response.headers["X-Request-ID"]
    body = response.json()
    assert body["success"] is True
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) in ({"success", "data", "message"}, {"success", "data", "total", "message"})
    return body


def ok_list(response) -> tuple[list, int]:
    body = ok_body(response)
    assert set(body) == {"success", "data", "total", "message"}
    assert isinstance(body["data"], list)
    return body["data"], body["total"]


def assert_error(response, status, message: str, errors: dict | None = None) -> None:
    """The whole error envelope, with the request id the header carries."""
    assert response.status_code == status, response.content
    request_id = response.headers["X-Request-ID"]
    assert request_id
    expected = {"success": False, "data": None, "message": message, "request_id": request_id}
    if errors is not None:
        expected["errors"] = errors
    assert response.json() == expected


def without_request_id(response) -> dict:
    body = response.json()
    assert body.pop("request_id") == response.headers["X-Request-ID"]
    return body


def assert_unauthorized(response) -> None:
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    body = response.json()
    assert set(body) == {"detail"} and body["detail"]
    assert response.headers["X-Request-ID"]


def tokens_for(member) -> tuple[str, str]:
    refresh = RefreshToken.for_user(member)
    return str(refresh.access_token), str(refresh)
