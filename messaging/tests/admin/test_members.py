"""Members in the admin: suspension from messaging (logged, sockets told to close), and a
moderator who can suspend but edit nothing else."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from conftest import client_for
from messaging.models import ModerationLogEntry
from messaging.tests.factories import UserFactory, send

from .helpers import change_url, changelist_url, run_action

USERS = changelist_url("user", app="users")


def test_suspend_and_unsuspend_from_the_member_list(
    staff_client, staff, user, other_user, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(staff_client, USERS, "suspend_messaging", [other_user], "threats")
    assert response.status_code == HTTPStatus.FOUND
    other_user.refresh_from_db()
    user.refresh_from_db()
    assert other_user.messaging_suspended
    assert not user.messaging_suspended
    assert published == [(str(other_user.pk), {"type": "member.suspended"})]

    # A suspended member reads but cannot send.
    send(user, other_user, "are you there?")
    api = client_for(other_user)
    reading = api.get(f"/api/messages/conversation/{user.pk}")
    assert reading.status_code == HTTPStatus.OK
    assert [m["message_text"] for m in reading.json()["data"]] == ["are you there?"]
    sending = api.post(
        "/api/messages/send", {"recipient_id": str(user.pk), "message_text": "hi"}, format="json"
    )
    assert sending.status_code == HTTPStatus.FORBIDDEN
    assert sending.json()["success"] is False

    run_action(staff_client, USERS, "unsuspend_messaging", [other_user], "apologised")
    other_user.refresh_from_db()
    assert not other_user.messaging_suspended
    sending = api.post(
        "/api/messages/send", {"recipient_id": str(user.pk), "message_text": "hi"}, format="json"
    )
    assert sending.status_code == HTTPStatus.CREATED

    assert [
        (entry.actor, entry.action, entry.target_type, entry.target_id, entry.reason)
        for entry in ModerationLogEntry.objects.all()
    ] == [
        (staff, "unsuspend_user", "user", str(other_user.pk), "apologised"),
        (staff, "suspend_user", "user", str(other_user.pk), "threats"),
    ]


def test_suspending_twice_logs_once(staff_client, other_user):
    run_action(staff_client, USERS, "suspend_messaging", [other_user])
    run_action(staff_client, USERS, "suspend_messaging", [other_user])

    assert ModerationLogEntry.objects.filter(action="suspend_user").count() == 1


def test_suspension_is_not_a_form_field(superuser_client, other_user):
    page = superuser_client.get(change_url(other_user))
    form = page.context["adminform"].form

    assert "messaging_suspended" not in form.fields
    assert "email" in form.fields  # a superuser still edits the account itself


def test_moderator_cannot_edit_a_member_or_their_password(moderator_client, moderator, other_user):
    page = moderator_client.get(change_url(other_user))
    assert page.status_code == HTTPStatus.OK
    editable = set(page.context["adminform"].form.fields)
    assert editable <= {"password"}  # Django's read-only hash display, never a password input

    response = moderator_client.post(
        change_url(other_user),
        {"email": other_user.email, "name": "Renamed", "is_superuser": "on", "is_staff": "on"},
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    password_url = reverse("admin:auth_user_password_change", args=[other_user.pk])
    assert moderator_client.get(password_url).status_code == HTTPStatus.FORBIDDEN
    assert moderator_client.get(USERS + "add/").status_code == HTTPStatus.FORBIDDEN
    other_user.refresh_from_db()
    moderator.refresh_from_db()
    assert other_user.name == "Grace Hopper"
    assert not moderator.is_superuser


@pytest.mark.parametrize("rows", [3, 30])
def test_member_list_queries_do_not_grow_with_rows(
    rows, moderator_client, assert_database_query_count
):
    UserFactory.create_batch(rows)

    with assert_database_query_count(6):
        response = moderator_client.get(USERS)

    assert len(response.context["cl"].result_list) == rows + 1


def test_suspension_never_applies_across_every_page(staff_client, other_user):
    run_action(staff_client, USERS, "suspend_messaging", [other_user], select_across="1")

    other_user.refresh_from_db()
    assert not other_user.messaging_suspended


def test_the_member_list_shows_unanswered_requests_per_sender(moderator_client, user, other_user):
    strangers = UserFactory.create_batch(3, message_requests=True)
    for stranger in strangers:
        send(user, stranger, "buy my course")
    send(strangers[0], user, "no thanks")  # a reply accepts: no longer unanswered
    send(other_user, user, "hello")  # Ada does not receive requests

    response = moderator_client.get(USERS)

    waiting = {member.pk: member._requests_waiting for member in response.context["cl"].result_list}
    assert waiting[user.pk] == 2
    assert not waiting[other_user.pk]
    assert "Requests unanswered (24 h)" in response.content.decode()
