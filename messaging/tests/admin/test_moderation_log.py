"""The moderation log: every action with who, what, which object, why and when; nobody
edits or deletes it in the admin, superusers included."""

from http import HTTPStatus

from django.urls import reverse

from messaging import services
from messaging.models import ModerationLogEntry
from messaging.tests.factories import send

from .helpers import change_url, changelist_url, run_action

LOG = changelist_url("moderationlogentry")


def test_log_lists_who_did_what_to_which_object_and_why(staff_client, staff, user, other_user):
    message = send(other_user, user, "x")
    services.set_message_hidden(actor=staff, message=message, hidden=True, reason="insult")

    page = staff_client.get(LOG)

    assert page.status_code == HTTPStatus.OK
    entry = ModerationLogEntry.objects.get()
    assert list(page.context["cl"].result_list) == [entry]
    assert entry.created_at is not None
    for shown in (staff.email, "Hide message", "insult", change_url(message)):
        assert shown in page.text


def test_log_cannot_be_edited_or_deleted_even_by_a_superuser(
    superuser_client, superuser, user, other_user
):
    services.set_messaging_suspended(actor=superuser, user=other_user, suspended=True, reason="r")
    entry = ModerationLogEntry.objects.get()

    page = superuser_client.get(change_url(entry))
    assert page.status_code == HTTPStatus.OK
    assert page.context["adminform"].form.fields == {}
    assert superuser_client.post(change_url(entry), {"reason": "nothing"}).status_code == (
        HTTPStatus.FORBIDDEN
    )
    delete_url = reverse("admin:messaging_moderationlogentry_delete", args=[entry.pk])
    assert superuser_client.post(delete_url, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert "delete_selected" not in superuser_client.get(LOG).text
    run_action(superuser_client, LOG, "delete_selected", [entry], post="yes")

    entry.refresh_from_db()
    assert entry.reason == "r"
