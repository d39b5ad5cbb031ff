"""Privacy: another pair's ids behave exactly like missing ids, and no answer
carries another member's email address."""

from http import HTTPStatus

import pytest

from messaging.models import Conversation, Report
from messaging.tests.factories import BlockFactory, send

from .helpers import without_request_id

MISSING_ID = 987654321


@pytest.fixture
def their_message(other_user, third_user):
    """A message between Grace and Katherine, which Ada must never reach."""
    return send(other_user, third_user, "between the two of them")


def _assert_same_404(theirs, missing) -> None:
    assert theirs.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert without_request_id(theirs) == without_request_id(missing)


def test_mark_as_read_of_another_pairs_message(api_client, their_message):
    _assert_same_404(
        api_client.put(f"/api/messages/mark-as-read/{their_message.pk}"),
        api_client.put(f"/api/messages/mark-as-read/{MISSING_ID}"),
    )
    their_message.refresh_from_db()
    assert their_message.read_at is None


def test_delete_of_another_pairs_conversation(api_client, third_user, their_message):
    _assert_same_404(
        api_client.delete(f"/api/messages/conversation/{their_message.conversation_id}"),
        api_client.delete(f"/api/messages/conversation/{MISSING_ID}"),
    )
    conversation = Conversation.objects.get(pk=their_message.conversation_id)
    assert conversation.unread_count_for(third_user.pk) == 1
    assert (conversation.cleared_through_id_one, conversation.cleared_through_id_two) == (0, 0)


def test_report_of_another_pairs_message(api_client, their_message):
    _assert_same_404(
        api_client.post(
            "/api/messages/report",
            {"message_id": their_message.pk, "reason": "curious"},
            format="json",
        ),
        api_client.post(
            "/api/messages/report", {"message_id": MISSING_ID, "reason": "curious"}, format="json"
        ),
    )
    assert not Report.objects.exists()


def test_history_anchor_in_another_pairs_conversation(api_client, user, other_user, their_message):
    send(user, other_user, "ours")
    base = f"/api/messages/conversation/{other_user.pk}"
    for anchor in ("before", "after", "around"):
        _assert_same_404(
            api_client.get(f"{base}?{anchor}={their_message.pk}"),
            api_client.get(f"{base}?{anchor}={MISSING_ID}"),
        )


def test_status_and_typing_of_unknown_ids(api_client, other_user):
    unknown = "6f1c2d9e-0000-4000-8000-000000000000"
    _assert_same_404(
        api_client.get(f"/api/messages/conversation/{unknown}/status"),
        api_client.get(f"/api/messages/conversation/{unknown[:-1]}x/status"),
    )
    _assert_same_404(
        api_client.post(f"/api/messages/typing/{unknown}"),
        api_client.get(f"/api/messages/conversation/{unknown}"),
    )


def test_recipient_of_my_message_cannot_be_marked_read_by_me(
    api_client, other_client, user, other_user
):
    mine = send(user, other_user, "to Grace")
    _assert_same_404(
        api_client.put(f"/api/messages/mark-as-read/{mine.pk}"),
        api_client.put(f"/api/messages/mark-as-read/{MISSING_ID}"),
    )
    # Grace, the recipient, can.
    assert other_client.put(f"/api/messages/mark-as-read/{mine.pk}").status_code == HTTPStatus.OK


def test_no_answer_carries_another_members_email(
    api_client, user, other_user, third_user, their_message
):
    send(other_user, user, "Grace writes to Ada about Katherine")
    send(user, third_user, "Ada writes to Katherine about Grace")
    BlockFactory(blocker=user, blocked=third_user)
    responses = [
        api_client.get("/api/users/search", {"q": "grace"}),
        api_client.get("/api/users/search", {"q": "grace@example.org"}),
        api_client.get("/api/users/search", {"q": "example"}),
        api_client.get("/api/messages/inbox"),
        api_client.get("/api/messages/search", {"q": "writes"}),
        api_client.get(f"/api/messages/conversation/{other_user.pk}"),
        api_client.get(f"/api/messages/conversation/{other_user.pk}/status"),
        api_client.get("/api/messages/blocked-users"),
        api_client.post(
            "/api/messages/block-user", {"blocked_user_id": str(other_user.pk)}, format="json"
        ),
    ]
    for response in responses:
        assert response.status_code == HTTPStatus.OK, response.content
        text = response.content.decode()
        assert other_user.email not in text and third_user.email not in text
    # Grace and Katherine were found where they should be.
    assert "Grace Hopper" in responses[0].content.decode()
    assert "Katherine Johnson" in responses[7].content.decode()
