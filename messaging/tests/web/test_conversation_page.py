import uuid
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import override_settings

from messaging.models import Message, Report
from messaging.tests.factories import BlockFactory, UserFactory, send
from messaging.tests.web.helpers import HX, JSON, browser_for, count_queries

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"
ESCAPED_XSS = "&lt;img src=x onerror=alert(1)&gt;"


def page(client, member, query: str = "", **extra):
    return client.get(f"/messages/{member.pk}{query}", **extra)


# --- the page ------------------------------------------------------------------------------


def test_page_shows_history_ascending_with_receipts_and_marks_read(user, other_user):
    first = send(user, other_user, "first from me")
    send(other_user, user, "reply from grace")
    send(user, other_user, "second from me")
    response = page(browser_for(user), other_user)
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert (
        body.index("first from me") < body.index("reply from grace") < body.index("second from me")
    )
    assert 'name="message_text"' in body and "<textarea" in body
    # Grace opened nothing yet: both of mine show one tick, none two.
    assert body.count('aria-label="Sent"') == 2
    assert 'aria-label="Read"' not in body
    # Opening marked Grace's message read for me.
    assert Message.objects.filter(recipient=user, read_at__isnull=True).count() == 0
    page(browser_for(other_user), user)
    body = page(browser_for(user), other_user).content.decode()
    assert body.count('aria-label="Read"') == 2
    assert f'id="message-{first.pk}"' in body


def test_page_for_someone_new_is_an_empty_conversation(user, other_user):
    response = page(browser_for(user), other_user)
    assert response.status_code == HTTPStatus.OK
    assert "No messages yet. Say hello to Grace Hopper." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/messages/5f0c3a52-7d7e-4c4e-9d0a-6b1f2e3d4c5b",
        "/messages/not-a-uuid",
        "/messages/5f0c3a52-7d7e-4c4e-9d0a-6b1f2e3d4c5b/updates",
    ],
)
def test_unknown_member_is_404(user, path):
    assert browser_for(user).get(path).status_code == HTTPStatus.NOT_FOUND


def test_your_own_id_is_404(user):
    assert page(browser_for(user), user).status_code == HTTPStatus.NOT_FOUND


def test_an_inactive_member_is_404(user):
    gone = UserFactory(is_active=False)
    assert page(browser_for(user), gone).status_code == HTTPStatus.NOT_FOUND


def test_message_text_and_names_are_escaped(user):
    stranger = UserFactory(name="<script>x()</script>")
    send(stranger, user, XSS)
    body = page(browser_for(user), stranger).content.decode()
    assert XSS not in body
    assert ESCAPED_XSS in body
    assert "<script>x()</script>" not in body


def test_message_parameter_centres_and_highlights_that_message(user, other_user):
    messages = [send(other_user, user, f"message number {index}") for index in range(80)]
    target = messages[5]
    body = page(browser_for(user), other_user, f"?message={target.pk}").content.decode()
    assert f'class="message theirs is-highlighted" data-message-id="{target.pk}"' in body
    assert f'data-highlight="{target.pk}"' in body
    assert "message number 0<" in body  # the older side of it is shown
    assert "message number 79<" not in body  # the newest is a link away
    assert "Jump to the latest messages" in body


def test_a_message_parameter_that_is_gone_still_opens_the_conversation(user, other_user):
    send(other_user, user, "still here")
    foreign = send(UserFactory(), UserFactory(), "not yours")
    response = page(browser_for(user), other_user, f"?message={foreign.pk}")
    body = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "That message is no longer in this conversation." in body
    assert "still here" in body and "not yours" not in body


def test_older_messages_partial_with_and_without_htmx(user, other_user):
    messages = [send(other_user, user, f"line {index}") for index in range(60)]
    client = browser_for(user)
    newest_page = page(client, other_user).content.decode()
    oldest_shown = messages[10]
    assert f'?before={oldest_shown.pk}"' in newest_page
    assert "line 9<" not in newest_page
    partial = page(client, other_user, f"?before={oldest_shown.pk}", **HX).content.decode()
    assert "<html" not in partial
    assert "line 0<" in partial and "line 9<" in partial and "line 10<" not in partial
    assert "load-older" not in partial  # nothing older than line 0
    full = page(client, other_user, f"?before={oldest_shown.pk}").content.decode()
    assert "<html" in full and "line 0<" in full


def test_a_message_id_from_another_conversation_is_404_as_an_anchor(user, other_user):
    send(other_user, user, "hi")
    foreign = send(UserFactory(), UserFactory(), "not yours")
    client = browser_for(user)
    assert page(client, other_user, f"?before={foreign.pk}", **HX).status_code == 404
    response = client.get(f"/messages/{other_user.pk}/updates?after={foreign.pk}", **JSON)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json() == {"message": "Not found.", "errors": {}}


def test_blocked_state_shows_unblock_and_a_notice(user, other_user):
    BlockFactory(blocker=user, blocked=other_user)
    body = page(browser_for(user), other_user).content.decode()
    assert "Unblock Grace Hopper" in body
    assert "You blocked Grace Hopper." in body


# The same number at few and at many messages; the ceilings catch a query that crept in.
MAX_CONVERSATION_PAGE_QUERIES = 11
MAX_UPDATES_QUERIES = 12


def test_page_queries_are_constant(user, other_user):
    client = browser_for(user)

    def page_queries_with(messages: int) -> int:
        for index in range(messages):
            send(other_user, user, f"m{index}")
        page(client, other_user)  # marks them read, writes presence
        return count_queries(lambda: page(client, other_user))

    few = page_queries_with(3)
    assert few == page_queries_with(40)
    assert few <= MAX_CONVERSATION_PAGE_QUERIES


# --- sending -------------------------------------------------------------------------------


def send_url(member) -> str:
    return f"/messages/{member.pk}/send"


def test_send_from_the_page_script_returns_the_rendered_row(user, other_user):
    client = browser_for(user)
    response = client.post(
        send_url(other_user),
        {"message_text": f"  {XSS}  ", "client_message_id": "c-1"},
        **JSON,
    )
    assert response.status_code == HTTPStatus.CREATED
    data = response.json()
    message = Message.objects.get()
    assert data["id"] == message.pk
    assert message.message_text == XSS
    assert f'id="message-{message.pk}"' in data["html"]
    assert 'data-client-id="c-1"' in data["html"]
    assert ESCAPED_XSS in data["html"] and XSS not in data["html"]


def test_a_retry_with_the_same_client_id_returns_the_original(user, other_user):
    client = browser_for(user)
    body = {"message_text": "once", "client_message_id": "retry-me"}
    first = client.post(send_url(other_user), body, **JSON)
    again = client.post(send_url(other_user), body, **JSON)
    assert first.status_code == HTTPStatus.CREATED
    assert again.status_code == HTTPStatus.OK
    assert again.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "status", "reason"),
    [
        ("   ", HTTPStatus.BAD_REQUEST, "message_text: A message needs text or an attachment."),
        (
            "x" * 5001,
            HTTPStatus.BAD_REQUEST,
            "message_text: Ensure this field has no more than 5000 characters.",
        ),
    ],
)
def test_send_errors_are_clear_json(user, other_user, text, status, reason):
    response = browser_for(user).post(send_url(other_user), {"message_text": text}, **JSON)
    assert response.status_code == status
    assert response.json()["message"] == reason


def test_send_to_a_blocked_member_is_403_with_the_reason(user, other_user):
    BlockFactory(blocker=other_user, blocked=user)
    response = browser_for(user).post(send_url(other_user), {"message_text": "hi"}, **JSON)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "blocked" in response.json()["message"]


def test_send_to_an_unknown_member_is_404(user):
    response = browser_for(user).post(
        f"/messages/{uuid.uuid4()}/send", {"message_text": "hi"}, **JSON
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_send_without_script_redirects_back(user, other_user):
    response = browser_for(user).post(send_url(other_user), {"message_text": "plain form"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/messages/{other_user.pk}"
    assert Message.objects.get().message_text == "plain form"


def test_a_failed_send_without_script_keeps_the_typed_text(user, other_user):
    BlockFactory(blocker=user, blocked=other_user)
    response = browser_for(user).post(send_url(other_user), {"message_text": f"draft {XSS}"})
    body = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "one of you has blocked the other" in body
    assert f"draft {ESCAPED_XSS}</textarea>" in body


@override_settings(SEND_RATE="2/min")
def test_send_is_throttled_with_retry_after(user, other_user):
    client = browser_for(user)
    for index in range(2):
        client.post(send_url(other_user), {"message_text": f"m{index}"}, **JSON)
    response = client.post(send_url(other_user), {"message_text": "too fast"}, **JSON)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) >= 1
    assert "too fast" in response.json()["message"]
    assert Message.objects.count() == 2


def test_send_enforces_csrf(user, other_user):
    client = browser_for(user, enforce_csrf=True)
    refused = client.post(send_url(other_user), {"message_text": "forged"}, **JSON)
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert not Message.objects.exists()
    page(client, other_user)  # sets the CSRF cookie, as the page does in a browser
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        send_url(other_user), {"message_text": "real"}, HTTP_X_CSRFTOKEN=token, **JSON
    )
    assert accepted.status_code == HTTPStatus.CREATED


# --- live updates --------------------------------------------------------------------------


def updates(client, member, **params):
    return client.get(f"/messages/{member.pk}/updates", params, **JSON)


def test_updates_carry_only_messages_after_the_last_one_shown(user, other_user):
    seen = send(other_user, user, "already shown")
    new = send(other_user, user, f"new {XSS}")
    data = updates(browser_for(user), other_user, after=seen.pk, seen=1).json()
    assert data["count"] == 1
    assert f'id="message-{new.pk}"' in data["html"]
    assert "already shown" not in data["html"]
    assert ESCAPED_XSS in data["html"] and XSS not in data["html"]
    assert data["unread_total"] == 0  # seen=1: the open, visible page read them


def test_updates_mark_read_only_when_the_page_is_seen(user, other_user):
    send(other_user, user, "hello")
    client = browser_for(user)
    assert updates(client, other_user).json()["unread_total"] == 1
    assert updates(client, other_user, seen=1).json()["unread_total"] == 0


def test_updates_report_read_receipts_for_my_messages(user, other_user, third_user):
    mine = send(user, other_user, "did you read this?")
    theirs_elsewhere = send(third_user, other_user, "not mine")
    client = browser_for(user)
    query = {"unread": f"{mine.pk},{theirs_elsewhere.pk}", "after": mine.pk}
    assert updates(client, other_user, **query).json()["read"] == {}
    page(browser_for(other_user), user)
    page(browser_for(third_user), other_user)
    read = updates(client, other_user, **query).json()["read"]
    assert list(read) == [str(mine.pk)]


def test_updates_carry_status_and_typing(user, other_user):
    browser_for(other_user).post(f"/messages/{user.pk}/typing")
    data = updates(browser_for(user), other_user).json()
    assert data["typing"] is True
    assert "status-online" in data["status_html"]


def test_typing_is_not_shown_across_a_block(user, other_user):
    BlockFactory(blocker=user, blocked=other_user)
    response = browser_for(other_user).post(f"/messages/{user.pk}/typing")
    assert response.status_code == HTTPStatus.NO_CONTENT
    data = updates(browser_for(user), other_user).json()
    assert data["typing"] is False
    assert "Offline" in data["status_html"]


# --- block, unblock, report ------------------------------------------------------------------


def test_block_then_unblock_from_the_page(user, other_user):
    client = browser_for(user)
    response = client.post(f"/messages/{other_user.pk}/block", follow=True)
    assert "Blocked." in response.content.decode()
    assert "Unblock Grace Hopper" in response.content.decode()
    blocked = client.post(send_url(other_user), {"message_text": "hi"}, **JSON)
    assert blocked.status_code == HTTPStatus.FORBIDDEN
    response = client.post(f"/messages/{other_user.pk}/unblock", follow=True)
    assert "Unblocked." in response.content.decode()
    sent = client.post(send_url(other_user), {"message_text": "hi"}, **JSON)
    assert sent.status_code == HTTPStatus.CREATED


def test_block_needs_csrf(user, other_user):
    client = browser_for(user, enforce_csrf=True)
    assert client.post(f"/messages/{other_user.pk}/block").status_code == HTTPStatus.FORBIDDEN


def test_report_with_htmx_answers_in_place(user, other_user):
    message = send(other_user, user, "spam spam")
    response = browser_for(user).post(
        f"/messages/{other_user.pk}/report",
        {"message_id": message.pk, "reason": "It is spam"},
        **HX,
    )
    assert "<html" not in response.content.decode()
    assert "The report was sent to the moderators." in response.content.decode()
    assert Report.objects.get().reason == "It is spam"


def test_report_errors_are_shown_in_place(user, other_user):
    message = send(other_user, user, "spam")
    client = browser_for(user)
    empty = client.post(
        f"/messages/{other_user.pk}/report", {"message_id": message.pk, "reason": " "}, **HX
    )
    assert "Say why you are reporting this message." in empty.content.decode()
    foreign = send(UserFactory(), UserFactory(), "not yours")
    other = client.post(
        f"/messages/{other_user.pk}/report", {"message_id": foreign.pk, "reason": "x"}, **HX
    )
    assert "Message not found." in other.content.decode()
    assert not Report.objects.exists()


def test_report_without_script_redirects_with_a_notice(user, other_user):
    message = send(other_user, user, "spam")
    response = browser_for(user).post(
        f"/messages/{other_user.pk}/report",
        {"message_id": message.pk, "reason": "spam"},
        follow=True,
    )
    assert "The report was sent to the moderators." in response.content.decode()


def test_activity_on_the_pages_keeps_a_member_online(user, other_user):
    cache.clear()
    page(browser_for(other_user), user)
    data = updates(browser_for(user), other_user).json()
    assert "Online" in data["status_html"]


def test_a_suspended_member_is_told_why_the_send_failed(user, other_user):
    user.messaging_suspended = True
    user.save()
    client = browser_for(user)
    assert "Your messaging is suspended" in page(client, other_user).content.decode()
    response = client.post(send_url(other_user), {"message_text": "hi"}, **JSON)
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"].startswith("Your messaging is suspended")


def test_a_refused_action_is_a_notice_not_a_500(user):
    response = browser_for(user).post(f"/messages/{user.pk}/block", follow=True)
    assert response.status_code == HTTPStatus.OK
    assert "You cannot block yourself." in response.content.decode()


def test_updates_queries_are_constant(user, other_user):
    client = browser_for(user)
    client.get("/messages")  # the first request of a while writes presence

    def updates_queries_with(messages: int) -> int:
        shown = send(other_user, user, "shown")
        mine = [send(user, other_user, f"mine {index}") for index in range(messages)]
        for index in range(messages):
            send(other_user, user, f"new {index}")
        unread = ",".join(str(message.pk) for message in mine)
        return count_queries(lambda: updates(client, other_user, after=shown.pk, unread=unread))

    few = updates_queries_with(1)
    assert few == updates_queries_with(20)
    assert few <= MAX_UPDATES_QUERIES


TOO_BIG = "9" * 25


@pytest.mark.parametrize(
    ("query", "extra"),
    [
        (f"?message={TOO_BIG}", {}),
        (f"?before={TOO_BIG}", HX),
        (f"/updates?after={TOO_BIG}", JSON),
        (f"/updates?unread={TOO_BIG},-1,x", JSON),
    ],
)
def test_oversized_or_odd_ids_are_never_a_500(user, other_user, query, extra):
    send(other_user, user, "hello")
    response = browser_for(user).get(f"/messages/{other_user.pk}{query}", **extra)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.NOT_FOUND)


def test_oversized_ids_in_forms_are_never_a_500(user, other_user):
    client = browser_for(user)
    report = client.post(
        f"/messages/{other_user.pk}/report", {"message_id": TOO_BIG, "reason": "x"}, **HX
    )
    assert "Message not found." in report.content.decode()
    assert client.get(f"/messages?offset={TOO_BIG}").status_code == HTTPStatus.OK
    delete = client.post(f"/messages/conversations/{TOO_BIG}/delete")
    assert delete.status_code == HTTPStatus.NOT_FOUND
