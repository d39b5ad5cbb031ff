"""The group paths: /api/conversations and below, their rules and their bad input."""

from http import HTTPStatus

import pytest

from conftest import client_for
from messaging import services
from messaging.models import Block, Message, Participant
from messaging.tests.factories import UserFactory, send
from messaging.tests.invariants import assert_unread_counters_exact

from .helpers import ok_body, ok_list

pytestmark = pytest.mark.django_db


def _create(client, members, title="Reunion 2027"):
    return client.post(
        "/api/conversations",
        {"member_ids": [str(member.pk) for member in members], "title": title},
        format="json",
    )


@pytest.fixture
def group(api_client, other_user, third_user):
    return ok_body(_create(api_client, [other_user, third_user]), HTTPStatus.CREATED)["data"]


def _send(client, conversation_id, text="hello all", **extra):
    return client.post(
        f"/api/conversations/{conversation_id}/messages",
        {"message_text": text, **extra},
        format="json",
    )


def _unread(member) -> int:
    return ok_body(client_for(member).get("/api/messages/unread-count"))["data"]["unread_count"]


def test_create_returns_the_conversation_object(group, user, other_user, third_user):
    assert group["kind"] == "group"
    assert group["title"] == "Reunion 2027"
    assert group["member_count"] == 3
    assert group["muted"] is False and group["unread_count"] == 0
    assert [(m["id"], m["role"]) for m in group["members"]] == [
        (str(user.pk), "creator"),
        (str(other_user.pk), "member"),
        (str(third_user.pk), "member"),
    ]
    assert set(group["members"][0]) == {"id", "name", "photo_url", "role"}
    assert group["created_at"].endswith("Z")
    assert_unread_counters_exact()


@pytest.mark.parametrize(
    ("members", "title", "field"),
    [
        ("one", "Reunion", "member_ids"),
        ("self", "Reunion", "member_ids"),
        ("duplicate", "Reunion", "member_ids"),
        ("unknown", "Reunion", "member_ids"),
        ("malformed", "Reunion", "member_ids"),
        ("fifty", "Reunion", "member_ids"),
        ("two", "", "title"),
        ("two", "x" * 101, "title"),
        ("two", "   ", "title"),
    ],
)
def test_bad_input_is_a_400_with_the_field(
    api_client, user, other_user, third_user, members, title, field
):
    ids = {
        "one": [str(other_user.pk)],
        "self": [str(other_user.pk), str(user.pk)],
        "duplicate": [str(other_user.pk), str(other_user.pk)],
        "unknown": [str(other_user.pk), "00000000-0000-4000-8000-000000000000"],
        "malformed": [str(other_user.pk), "not-an-id"],
        "fifty": [str(member.pk) for member in UserFactory.create_batch(50)],
        "two": [str(other_user.pk), str(third_user.pk)],
    }[members]
    response = api_client.post(
        "/api/conversations", {"member_ids": ids, "title": title}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == [field]
    assert not Participant.objects.filter(conversation__kind="group").exists()


def test_a_non_member_gets_404_everywhere(group, user):
    stranger = client_for(UserFactory())
    base = f"/api/conversations/{group['conversation_id']}"
    assert stranger.get(base).status_code == HTTPStatus.NOT_FOUND
    assert stranger.get(f"{base}/messages").status_code == HTTPStatus.NOT_FOUND
    assert _send(stranger, group["conversation_id"]).status_code == HTTPStatus.NOT_FOUND
    assert stranger.patch(base, {"title": "x"}, format="json").status_code == 404
    assert stranger.put(f"{base}/read", {}, format="json").status_code == 404
    assert stranger.put(f"{base}/mute", {"muted": True}, format="json").status_code == 404
    assert stranger.get("/api/conversations/99999999999999999999999").status_code == 404


def test_send_counts_unread_for_the_others_only(api_client, group, user, other_user, third_user):
    body = ok_body(_send(api_client, group["conversation_id"]), HTTPStatus.CREATED)["data"]
    assert body["recipient_id"] is None and body["kind"] == "text"
    assert (_unread(user), _unread(other_user), _unread(third_user)) == (0, 1, 1)
    assert_unread_counters_exact()


def test_system_messages_never_count_as_unread(api_client, group, other_user):
    api_client.patch(
        f"/api/conversations/{group['conversation_id']}", {"title": "New"}, format="json"
    )
    assert _unread(other_user) == 0
    data, _ = ok_list(
        client_for(other_user).get(f"/api/conversations/{group['conversation_id']}/messages")
    )
    assert [(m["kind"], m["message_text"]) for m in data] == [
        ("system", "Ada Lovelace created the group Reunion 2027"),
        ("system", "Ada Lovelace renamed the group to New"),
    ]


def test_history_starts_when_a_member_joins(api_client, group):
    conversation_id = group["conversation_id"]
    _send(api_client, conversation_id, "before you came")
    newcomer = UserFactory(name="Alan Turing")
    added = api_client.post(
        f"/api/conversations/{conversation_id}/members",
        {"user_ids": [str(newcomer.pk)]},
        format="json",
    )
    assert ok_body(added)["data"]["member_count"] == 4
    _send(api_client, conversation_id, "welcome")
    data, total = ok_list(
        client_for(newcomer).get(f"/api/conversations/{conversation_id}/messages")
    )
    assert [m["message_text"] for m in data] == ["Ada Lovelace added Alan Turing", "welcome"]
    assert total == 2
    assert _unread(newcomer) == 0  # opening it read everything
    assert_unread_counters_exact()


def test_leaving_keeps_what_you_saw_and_stops_the_rest(api_client, group, other_user):
    conversation_id = group["conversation_id"]
    grace = client_for(other_user)
    _send(api_client, conversation_id, "seen")
    left = grace.delete(f"/api/conversations/{conversation_id}/members/{other_user.pk}")
    assert ok_body(left)["message"] == "You left the group."
    _send(api_client, conversation_id, "not for grace")
    response = _send(grace, conversation_id, "still here?")
    assert response.status_code == HTTPStatus.FORBIDDEN
    data, _ = ok_list(grace.get(f"/api/conversations/{conversation_id}/messages"))
    assert [m["message_text"] for m in data][-2:] == ["seen", "Grace Hopper left"]
    assert (
        ok_body(api_client.get(f"/api/conversations/{conversation_id}"))["data"]["member_count"]
        == 2
    )
    assert_unread_counters_exact()


def test_only_the_creator_removes_and_never_themself(
    api_client, group, user, other_user, third_user
):
    conversation_id = group["conversation_id"]
    grace = client_for(other_user)
    assert (
        grace.delete(f"/api/conversations/{conversation_id}/members/{third_user.pk}").status_code
        == 403
    )
    assert (
        grace.delete(f"/api/conversations/{conversation_id}/members/{user.pk}").status_code == 403
    )
    assert (
        api_client.delete(
            f"/api/conversations/{conversation_id}/members/{third_user.pk}"
        ).status_code
        == 200
    )
    grace.delete(f"/api/conversations/{conversation_id}/members/{other_user.pk}")
    last = api_client.delete(f"/api/conversations/{conversation_id}/members/{user.pk}")
    assert last.status_code == HTTPStatus.BAD_REQUEST


def test_adding_someone_already_in_or_who_blocked_you(api_client, group, user, other_user):
    conversation_id = group["conversation_id"]
    already = api_client.post(
        f"/api/conversations/{conversation_id}/members",
        {"user_ids": [str(other_user.pk)]},
        format="json",
    )
    assert already.status_code == HTTPStatus.BAD_REQUEST
    assert list(already.json()["errors"]) == ["user_ids"]
    blocker = UserFactory()
    Block.objects.create(blocker=blocker, blocked=user)
    blocked = api_client.post(
        f"/api/conversations/{conversation_id}/members",
        {"user_ids": [str(blocker.pk)]},
        format="json",
    )
    assert blocked.status_code == HTTPStatus.FORBIDDEN


def test_never_past_fifty_members(api_client, group):
    conversation_id = group["conversation_id"]
    add = [str(member.pk) for member in UserFactory.create_batch(48)]
    response = api_client.post(
        f"/api/conversations/{conversation_id}/members", {"user_ids": add[:47]}, format="json"
    )
    assert ok_body(response)["data"]["member_count"] == 50
    over = api_client.post(
        f"/api/conversations/{conversation_id}/members", {"user_ids": add[47:]}, format="json"
    )
    assert over.status_code == HTTPStatus.BAD_REQUEST
    assert Participant.objects.filter(conversation_id=conversation_id, left_at=None).count() == 50


def test_group_operations_on_a_direct_conversation_are_400(
    api_client, user, other_user, third_user
):
    message = send(user, other_user, "hi")
    base = f"/api/conversations/{message.conversation_id}"
    direct = ok_body(api_client.get(base))["data"]
    assert (direct["kind"], direct["title"], direct["member_count"]) == ("direct", None, 2)
    assert api_client.patch(base, {"title": "x"}, format="json").status_code == 400
    assert (
        api_client.post(
            f"{base}/members", {"user_ids": [str(third_user.pk)]}, format="json"
        ).status_code
        == 400
    )
    assert api_client.delete(f"{base}/members/{other_user.pk}").status_code == 400
    # Sending by id to a direct conversation is a send to the other member.
    sent = ok_body(_send(api_client, message.conversation_id, "by id"), HTTPStatus.CREATED)["data"]
    assert sent["recipient_id"] == str(other_user.pk)


def test_read_receipts_are_per_reader(api_client, group, other_user, third_user):
    conversation_id = group["conversation_id"]
    sent = ok_body(_send(api_client, conversation_id), HTTPStatus.CREATED)["data"]
    client_for(other_user).put(f"/api/conversations/{conversation_id}/read", {}, format="json")
    data, _ = ok_list(api_client.get(f"/api/conversations/{conversation_id}/messages"))
    assert [m["seen_by"] for m in data if m["id"] == sent["id"]] == [1]
    client_for(third_user).put(
        f"/api/conversations/{conversation_id}/read",
        {"up_to_message_id": sent["id"]},
        format="json",
    )
    data, _ = ok_list(api_client.get(f"/api/conversations/{conversation_id}/messages"))
    assert [m["seen_by"] for m in data if m["id"] == sent["id"]] == [2]
    assert (_unread(other_user), _unread(third_user)) == (0, 0)
    assert_unread_counters_exact()


def test_mute_is_per_member(api_client, group, other_user):
    conversation_id = group["conversation_id"]
    assert ok_body(
        api_client.put(f"/api/conversations/{conversation_id}/mute", {"muted": True}, format="json")
    )["data"] == {"muted": True}
    assert ok_body(api_client.get(f"/api/conversations/{conversation_id}"))["data"]["muted"] is True
    assert (
        ok_body(client_for(other_user).get(f"/api/conversations/{conversation_id}"))["data"][
            "muted"
        ]
        is False
    )
    assert (
        api_client.put(f"/api/conversations/{conversation_id}/mute", {}, format="json").status_code
        == 400
    )


def test_inbox_lists_groups_with_their_fields(api_client, group, other_user):
    _send(client_for(other_user), group["conversation_id"], "see you there")
    send(UserFactory(), other_user, "direct")
    data, total = ok_list(client_for(other_user).get("/api/messages/inbox"))
    assert total == 2
    row = next(item for item in data if item["conversation_id"] == group["conversation_id"])
    assert row == {
        "conversation_id": group["conversation_id"],
        "kind": "group",
        "title": "Reunion 2027",
        "member_count": 3,
        "last_message_sender_name": "Grace Hopper",
        "other_user_id": None,
        "other_user_name": None,
        "photo_url": None,
        "other_user_status": None,
        "is_request": False,
        "last_message": "see you there",
        "last_message_at": row["last_message_at"],
        "unread_count": 0,
        "last_message_from_me": True,
    }
    assert _unread(UserFactory()) == 0


def test_a_retry_returns_the_original(api_client, group):
    first = _send(api_client, group["conversation_id"], "once", client_message_id="g1")
    again = _send(api_client, group["conversation_id"], "once", client_message_id="g1")
    assert first.status_code == HTTPStatus.CREATED and again.status_code == HTTPStatus.OK
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert Message.objects.filter(client_message_id="g1").count() == 1


def test_suspended_members_cannot_create_or_send(api_client, user, other_user, third_user, group):
    user.messaging_suspended = True
    user.save(update_fields=["messaging_suspended"])
    assert _create(api_client, [other_user, third_user]).status_code == HTTPStatus.FORBIDDEN
    assert _send(api_client, group["conversation_id"]).status_code == HTTPStatus.FORBIDDEN


def test_service_layer_keeps_counters_exact_through_every_change(user, other_user, third_user):
    conversation = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Chapter"
    )
    services.send_to_conversation(sender=other_user, conversation_id=conversation.pk, text="a")
    services.remove_member(user=user, conversation_id=conversation.pk, member_id=third_user.pk)
    services.send_to_conversation(sender=user, conversation_id=conversation.pk, text="b")
    services.add_members(user=other_user, conversation_id=conversation.pk, user_ids=[third_user.pk])
    services.send_to_conversation(sender=third_user, conversation_id=conversation.pk, text="c")
    services.read_conversation(reader=user, conversation_id=conversation.pk)
    assert_unread_counters_exact()
