"""Who gets into which admin page: superusers and moderators see every moderation page;
a plain member is sent to the admin login; nobody adds, edits or deletes what is meant
to be read-only."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import ModerationLogEntry, Presence
from messaging.tests.factories import send

from .helpers import change_url, changelist_url, file_report


@pytest.fixture
def objects(user, other_user, third_user):
    message = send(other_user, user, "hello")
    report = file_report(user, message)
    block = services.block_user(blocker=user, blocked_user_id=third_user.pk)
    presence = services.set_presence_mode(user=user, mode="auto")
    services.set_messaging_suspended(actor=None, user=third_user, suspended=True)
    return {
        "message": message,
        "report": report,
        "conversation": message.conversation,
        "block": block,
        "presence": presence,
        "entry": ModerationLogEntry.objects.get(),
        "member": other_user,
    }


def pages(objects) -> list[str]:
    urls = [reverse("admin:index")]
    for model in ("message", "report", "conversation", "block", "presence", "moderationlogentry"):
        urls.append(changelist_url(model))
    urls.append(changelist_url("user", app="users"))
    urls.extend(change_url(obj) for obj in objects.values())
    urls.append(changelist_url("block") + "add/")
    urls.append(reverse("admin:messaging_block_delete", args=[objects["block"].pk]))
    return urls


def test_staff_can_open_every_moderation_page(staff_client, objects):
    for url in pages(objects):
        response = staff_client.get(url)
        assert response.status_code == HTTPStatus.OK, url


def test_moderator_sees_every_moderation_model_on_the_index(moderator_client):
    response = moderator_client.get(reverse("admin:index"))

    models = {
        model["object_name"] for app in response.context["app_list"] for model in app["models"]
    }
    assert models == {
        "Message",
        "Report",
        "Conversation",
        "Block",
        "Presence",
        "ModerationLogEntry",
        "User",
    }


def test_plain_member_is_sent_to_the_admin_login(member_client, objects):
    for url in pages(objects):
        response = member_client.get(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_plain_member_cannot_run_actions(member_client, user, other_user, objects):
    message = objects["message"]

    response = member_client.post(
        changelist_url("message"),
        {"action": "hide_messages", "_selected_action": [message.pk], "index": 0},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))
    message.refresh_from_db()
    assert not message.is_hidden


def test_anonymous_visitor_is_sent_to_the_admin_login(client, objects):
    response = client.get(changelist_url("report"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    "url_of",
    [
        lambda o: changelist_url("message") + "add/",
        lambda o: changelist_url("report") + "add/",
        lambda o: changelist_url("conversation") + "add/",
        lambda o: changelist_url("presence") + "add/",
        lambda o: changelist_url("moderationlogentry") + "add/",
        lambda o: reverse("admin:messaging_message_delete", args=[o["message"].pk]),
        lambda o: reverse("admin:messaging_report_delete", args=[o["report"].pk]),
        lambda o: reverse("admin:messaging_conversation_delete", args=[o["conversation"].pk]),
        lambda o: reverse("admin:messaging_presence_delete", args=[o["presence"].pk]),
        lambda o: reverse("admin:messaging_moderationlogentry_delete", args=[o["entry"].pk]),
        lambda o: reverse("admin:users_user_delete", args=[o["member"].pk]),
    ],
)
def test_nobody_adds_or_deletes_what_is_kept(staff_client, objects, url_of):
    assert staff_client.get(url_of(objects)).status_code == HTTPStatus.FORBIDDEN


def test_read_only_pages_ignore_posted_changes(staff_client, objects):
    conversation = objects["conversation"]
    presence = objects["presence"]

    for obj, data in (
        (conversation, {"message_count": 99, "unread_count_one": 42}),
        (presence, {"mode": "do_not_disturb"}),
    ):
        response = staff_client.post(change_url(obj), data)
        assert response.status_code == HTTPStatus.FORBIDDEN

    conversation.refresh_from_db()
    presence.refresh_from_db()
    assert conversation.message_count == 1
    assert presence.mode == Presence.Mode.AUTO
