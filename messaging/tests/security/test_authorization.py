"""OWASP API1 / API3 / API5: object-level authorization, property-level exposure and
mass assignment, function-level authorization (members never reach the admin).

Every endpoint that takes an id is exercised with an id that belongs to someone else
and with an id that does not exist: a member must not be able to tell them apart."""

import uuid
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from conftest import client_for
from messaging import services
from messaging.models import Block, Conversation, Message, Presence, Report
from messaging.tests.factories import TEST_PASSWORD, UserFactory, send

from .helpers import walk_keys, walk_strings, without_request_id

User = get_user_model()

MISSING_ID = 2_000_000_000


@pytest.fixture
def world(user, other_user, third_user):
    """Ada (the caller) talks to Grace; Grace talks to Katherine, which Ada must never see."""
    mine = send(user, other_user, "ada to grace")
    from_grace = send(other_user, user, "grace to ada")
    foreign = send(other_user, third_user, "grace to katherine, private")
    gone = send(third_user, user, "katherine to ada, deleted for ada")
    services.delete_conversation(user=user, conversation_id=gone.conversation_id)
    inactive = UserFactory(name="Former Member", is_active=False)
    return {
        "mine": mine,
        "from_grace": from_grace,
        "foreign": foreign,
        "gone": gone,
        "inactive": inactive,
    }


def _call(client, method: str, path: str, body: dict | None = None):
    return (
        getattr(client, method)(path, body, format="json")
        if body is not None
        else getattr(client, method)(path)
    )


# (name, method, path template or body template, which foreign ids to try)
# {id} is replaced by the id under test; bodies are dicts whose "{id}" values are replaced.
MESSAGE_ID_DOORS = [
    ("mark-read", "put", "/api/messages/mark-as-read/{id}", None),
    ("report", "post", "/api/messages/report", {"message_id": "{id}", "reason": "spam"}),
    ("history-before", "get", "/api/messages/conversation/{grace}?before={id}", None),
    ("history-after", "get", "/api/messages/conversation/{grace}?after={id}", None),
    ("history-around", "get", "/api/messages/conversation/{grace}?around={id}", None),
]
MEMBER_ID_DOORS = [
    ("history", "get", "/api/messages/conversation/{id}", None),
    ("status", "get", "/api/messages/conversation/{id}/status", None),
    ("typing", "post", "/api/messages/typing/{id}", None),
    ("unblock", "delete", "/api/messages/block-user/{id}", None),
    ("block", "post", "/api/messages/block-user", {"blocked_user_id": "{id}"}),
    ("send", "post", "/api/messages/send", {"recipient_id": "{id}", "message_text": "hi"}),
]


def _request(client, door, target_id, world, other_user):
    _name, method, path, body = door
    path = path.format(id=target_id, grace=other_user.pk)
    if body is not None:
        body = {key: (target_id if value == "{id}" else value) for key, value in body.items()}
        if isinstance(body.get("message_id"), str) and body["message_id"].isdigit():
            body["message_id"] = int(body["message_id"])
    return _call(client, method, path, body)


@pytest.mark.parametrize("door", MESSAGE_ID_DOORS, ids=[door[0] for door in MESSAGE_ID_DOORS])
@pytest.mark.parametrize("whose", ["foreign", "gone"])
def test_someone_elses_message_id_is_indistinguishable_from_a_missing_one(
    api_client, world, other_user, door, whose
):
    target = world[whose]
    before = Message.objects.get(pk=target.pk)
    reports_before = Report.objects.count()

    theirs = _request(api_client, door, target.pk, world, other_user)
    missing = _request(api_client, door, MISSING_ID, world, other_user)

    assert theirs.status_code == HTTPStatus.NOT_FOUND, theirs.content
    assert missing.status_code == HTTPStatus.NOT_FOUND, missing.content
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    assert Message.objects.get(pk=target.pk).read_at == before.read_at
    assert Report.objects.count() == reports_before
    assert "private" not in theirs.content.decode()


def test_the_sender_cannot_mark_their_own_message_read(api_client, world):
    mine = world["mine"]
    theirs = api_client.put(f"/api/messages/mark-as-read/{mine.pk}")
    missing = api_client.put(f"/api/messages/mark-as-read/{MISSING_ID}")
    assert theirs.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    assert Message.objects.get(pk=mine.pk).read_at is None


def test_someone_elses_conversation_id_is_indistinguishable_from_a_missing_one(api_client, world):
    foreign_conversation = Conversation.objects.get(pk=world["foreign"].conversation_id)
    theirs = api_client.delete(f"/api/messages/conversation/{foreign_conversation.pk}")
    missing = api_client.delete(f"/api/messages/conversation/{MISSING_ID}")
    assert theirs.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert without_request_id(theirs.json()) == without_request_id(missing.json())
    after = Conversation.objects.get(pk=foreign_conversation.pk)
    assert (after.cleared_through_id_one, after.cleared_through_id_two) == (0, 0)
    assert (after.unread_count_one, after.unread_count_two) == (
        foreign_conversation.unread_count_one,
        foreign_conversation.unread_count_two,
    )


@pytest.mark.parametrize("door", MEMBER_ID_DOORS, ids=[door[0] for door in MEMBER_ID_DOORS])
def test_a_deactivated_members_id_is_indistinguishable_from_a_missing_one(
    api_client, world, other_user, door
):
    deactivated = _request(api_client, door, str(world["inactive"].pk), world, other_user)
    missing = _request(api_client, door, str(uuid.uuid4()), world, other_user)
    assert deactivated.status_code == HTTPStatus.NOT_FOUND, deactivated.content
    assert missing.status_code == HTTPStatus.NOT_FOUND, missing.content
    assert without_request_id(deactivated.json()) == without_request_id(missing.json())
    assert not Message.objects.filter(recipient=world["inactive"]).exists()
    assert not Block.objects.filter(blocked=world["inactive"]).exists()


def test_a_foreign_conversation_never_shows_through_any_listing(api_client, world, third_user):
    """Ada has no conversation left with Katherine she can see, and none at all between
    Grace and Katherine: inbox, search and history agree."""
    inbox = api_client.get("/api/messages/inbox").json()
    assert {row["other_user_name"] for row in inbox["data"]} == {"Grace Hopper"}
    assert api_client.get("/api/messages/search?q=private").json()["total"] == 0
    assert api_client.get("/api/messages/search?q=katherine").json()["total"] == 0
    history = api_client.get(f"/api/messages/conversation/{third_user.pk}").json()
    assert history["data"] == [] and history["total"] == 0


# --- mass assignment ---------------------------------------------------------------------


def _refused_for_unknown_fields(response, fields) -> None:
    """Fields a client must not set are refused by name (400), before anything is done."""
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    errors = response.json()["errors"]
    assert {field: errors.get(field) for field in fields} == {
        field: ["Unknown field."] for field in fields
    }


def test_send_refuses_fields_a_client_must_not_set(api_client, user, other_user, third_user):
    foreign = send(other_user, third_user, "theirs")
    foreign_conversation = Conversation.objects.get(pk=foreign.conversation_id)
    long_ago = "2001-01-01T00:00:00Z"
    privileged = {
        "sender_id": str(other_user.pk),
        "conversation_id": foreign_conversation.pk,
        "read": True,
        "read_at": long_ago,
        "sent_at": long_ago,
        "hidden": True,
        "is_hidden": True,
        "is_staff": True,
        "id": 1,
    }
    body = {"recipient_id": str(third_user.pk), "message_text": "hello"}
    refused = api_client.post("/api/messages/send", {**body, **privileged}, format="json")
    _refused_for_unknown_fields(refused, privileged)
    assert not Message.objects.filter(sender=user).exists()

    response = api_client.post("/api/messages/send", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    data = response.json()["data"]
    message = Message.objects.get(pk=data["id"])
    assert message.sender_id == user.pk and data["sender_id"] == str(user.pk)
    assert message.recipient_id == third_user.pk
    assert message.conversation_id != foreign_conversation.pk
    assert {message.conversation.user_one_id, message.conversation.user_two_id} == {
        user.pk,
        third_user.pk,
    }
    assert message.read_at is None and data["read"] is False
    assert message.sent_at > timezone.now() - timedelta(minutes=1)
    assert message.is_hidden is False
    user.refresh_from_db()
    assert user.is_staff is False
    foreign_conversation.refresh_from_db()
    assert foreign_conversation.message_count == 1
    assert foreign_conversation.last_message_id == foreign.pk


def test_register_refuses_privilege_fields(db, anon_client):
    chosen_id = uuid.uuid4()
    privileged = {
        "id": str(chosen_id),
        "is_staff": True,
        "is_superuser": True,
        "is_active": False,
        "messaging_suspended": True,
    }
    body = {"email": "mallory@example.org", "name": "Mallory", "password": "a sound pass phrase 42"}
    refused = anon_client.post("/api/auth/register", {**body, **privileged}, format="json")
    _refused_for_unknown_fields(refused, privileged)
    assert not User.objects.filter(email="mallory@example.org").exists()

    response = anon_client.post("/api/auth/register", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    member = User.objects.get(email="mallory@example.org")
    assert member.pk != chosen_id
    assert (member.is_staff, member.is_superuser, member.is_active) == (False, False, True)
    assert member.messaging_suspended is False
    assert set(response.json()["data"]["user"]) == {"id", "name", "email", "avatar_url"}


def test_block_report_and_presence_act_only_for_the_caller(
    api_client, user, other_user, third_user
):
    message = send(other_user, user, "report me")
    refused = api_client.post(
        "/api/messages/block-user",
        {"blocked_user_id": str(third_user.pk), "blocker_id": str(other_user.pk)},
        format="json",
    )
    _refused_for_unknown_fields(refused, ["blocker_id"])
    assert not Block.objects.exists()
    assert (
        api_client.post(
            "/api/messages/block-user", {"blocked_user_id": str(third_user.pk)}, format="json"
        ).status_code
        == HTTPStatus.OK
    )
    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(user.pk, third_user.pk)]

    privileged = {
        "status": "resolved",
        "reporter_id": str(other_user.pk),
        "resolved_by": str(user.pk),
    }
    body = {"message_id": message.pk, "reason": "spam"}
    refused = api_client.post("/api/messages/report", {**body, **privileged}, format="json")
    _refused_for_unknown_fields(refused, privileged)
    assert not Report.objects.exists()
    response = api_client.post("/api/messages/report", body, format="json")
    assert response.status_code == HTTPStatus.CREATED
    report = Report.objects.get()
    assert (report.reporter_id, report.status, report.resolved_by_id) == (
        user.pk,
        Report.Status.OPEN,
        None,
    )

    refused = api_client.put(
        "/api/messages/presence",
        {"status": "do_not_disturb", "user_id": str(other_user.pk)},
        format="json",
    )
    _refused_for_unknown_fields(refused, ["user_id"])
    assert not Presence.objects.filter(mode=Presence.Mode.DO_NOT_DISTURB).exists()
    response = api_client.put("/api/messages/presence", {"status": "do_not_disturb"}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert Presence.objects.get(user=user).mode == Presence.Mode.DO_NOT_DISTURB
    assert not Presence.objects.filter(user=other_user, mode=Presence.Mode.DO_NOT_DISTURB).exists()


# --- excessive data exposure ---------------------------------------------------------------

PRIVATE_KEYS = {
    "email",
    "password",
    "is_staff",
    "is_superuser",
    "is_active",
    "last_login",
    "date_joined",
    "messaging_suspended",
    "groups",
    "user_permissions",
}


def test_no_response_carries_another_members_email_or_private_fields(
    api_client, user, other_user, third_user
):
    message = send(other_user, user, "hello ada")
    send(user, other_user, "hello grace")
    send(third_user, user, "hello from katherine")
    services.block_user(blocker=user, blocked_user_id=third_user.pk)
    others = [other_user, third_user]
    responses = [
        api_client.get("/api/messages/inbox"),
        api_client.get(f"/api/messages/conversation/{other_user.pk}"),
        api_client.get(f"/api/messages/conversation/{other_user.pk}/status"),
        api_client.get("/api/messages/search?q=hello"),
        api_client.get("/api/users/search?q=grace"),
        # Looking a member up by exact address finds them without echoing the address.
        api_client.get(f"/api/users/search?q={other_user.email}"),
        api_client.get("/api/messages/blocked-users"),
        api_client.get("/api/messages/unread-count"),
        api_client.put(f"/api/messages/mark-as-read/{message.pk}"),
        api_client.post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": "again"},
            format="json",
        ),
        api_client.post(
            "/api/messages/report", {"message_id": message.pk, "reason": "x"}, format="json"
        ),
        api_client.post(
            "/api/messages/block-user", {"blocked_user_id": str(third_user.pk)}, format="json"
        ),
    ]
    for response in responses:
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.CREATED), response.content
        body = response.json()
        strings = set(walk_strings(body))
        for other in others:
            assert other.email not in strings, response.request["PATH_INFO"]
            assert not any(other.email in text for text in strings)
        assert not PRIVATE_KEYS & set(walk_keys(body)), response.request["PATH_INFO"]
    by_address = api_client.get(f"/api/users/search?q={other_user.email}").json()
    assert [row["id"] for row in by_address["data"]] == [str(other_user.pk)]

    # Only the caller's own account shows an address: their own.
    me = api_client.get("/api/auth/me").json()["data"]
    assert me["email"] == user.email


def test_the_member_search_never_lists_deactivated_members_or_the_caller(
    api_client, user, other_user
):
    UserFactory(name="Ada Grace Former", is_active=False)

    def names(query):
        return [
            row["name"] for row in api_client.get(f"/api/users/search?q={query}").json()["data"]
        ]

    # "ada" starts a word of the caller's name and of the deactivated member's; "grace"
    # of Grace Hopper's and of the deactivated member's.
    assert names("ada") == []
    assert names("grace") == [other_user.name]


# --- function-level authorization: the admin ------------------------------------------------

ADMIN_PATHS = [
    "/admin/",
    "/admin/messaging/message/",
    "/admin/messaging/report/",
    "/admin/users/user/",
]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_a_signed_in_member_never_reaches_the_admin(user, path):
    browser = Client()
    browser.force_login(user)
    response = browser.get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_a_members_bearer_token_does_not_open_the_admin(user, path):
    response = client_for(user).get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


def test_a_member_cannot_sign_in_to_the_admin(user):
    browser = Client()
    response = browser.post(
        "/admin/login/?next=/admin/", {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == HTTPStatus.OK  # the form again, with an error
    assert browser.get("/admin/").status_code == HTTPStatus.FOUND


def test_a_member_cannot_moderate_through_the_api(api_client, user, other_user):
    """No API door hides messages or suspends members: those are admin-only actions."""
    message = send(other_user, user, "keep me")
    for path in (
        f"/api/messages/{message.pk}/hide",
        f"/api/admin/messages/{message.pk}",
        f"/api/users/{other_user.pk}/suspend",
    ):
        assert api_client.post(path).status_code == HTTPStatus.NOT_FOUND
    assert Message.objects.get(pk=message.pk).is_hidden is False


# --- the pages: the same rules through the HTML door ----------------------------------------


def test_no_page_shows_another_members_email(user, other_user, third_user):
    send(other_user, user, "hello ada")
    send(user, third_user, "hello katherine")
    browser = Client()
    browser.force_login(user)
    pages = [
        "/messages",
        "/messages/search?q=hello",
        "/messages/new?q=k",  # the people picker lists the names with a word starting "k"
        "/messages/new?q=hop",
        "/messages/search?q=grace",
        f"/messages/{other_user.pk}",
        f"/messages/{third_user.pk}",
        f"/messages/{other_user.pk}/updates",
    ]
    for page in pages:
        response = browser.get(page)
        assert response.status_code < 500, page
        html = response.content.decode()
        for other in (other_user, third_user):
            assert other.email not in html, page
    # The picker really lists them (by name), so the check above had something to see.
    assert third_user.name in browser.get("/messages/new?q=k").content.decode()
    assert other_user.name in browser.get("/messages/new?q=hop").content.decode()


def test_a_deactivated_members_page_is_the_same_404_as_a_missing_one(user):
    browser = Client()
    browser.force_login(user)
    deactivated = UserFactory(is_active=False)
    gone = browser.get(f"/messages/{deactivated.pk}")
    missing = browser.get(f"/messages/{uuid.uuid4()}")
    assert gone.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert deactivated.name not in gone.content.decode()
