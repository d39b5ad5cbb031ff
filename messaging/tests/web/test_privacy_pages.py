"""The requests list, the request view and the privacy settings page, through the
test client (the browser tests drive them in Chromium)."""

from http import HTTPStatus

import pytest
from django.test import Client

from messaging.models import Participant
from messaging.tests.factories import send
from messaging.tests.web.helpers import HX, browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_message(user, other_user):
    other_user.message_requests = True
    other_user.save(update_fields=["message_requests"])
    return send(user, other_user, "Hello from the class of 99")


@pytest.mark.parametrize("path", ["/messages/requests", "/settings/privacy"])
def test_pages_need_login(path):
    response = Client().get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_list_has_a_requests_entry_and_not_the_request(other_user, request_message):
    body = browser_for(other_user).get("/messages").content.decode()

    assert 'id="requests-entry" href="/messages/requests">Requests (1)</a>' in body
    assert "Hello from the class of 99" not in body


def test_no_requests_entry_without_requests(user, other_user):
    send(user, other_user)
    assert "requests-entry" not in browser_for(other_user).get("/messages").content.decode()


def test_the_requests_page_lists_them(user, other_user, request_message):
    body = browser_for(other_user).get("/messages/requests").content.decode()

    assert "Hello from the class of 99" in body
    assert user.name in body
    assert f'href="/messages/{user.pk}"' in body


def test_the_request_view_offers_accept_delete_and_block(user, other_user, request_message):
    body = browser_for(other_user).get(f"/messages/{user.pk}").content.decode()

    assert f"Message request from {user.name}." in body
    conversation_id = request_message.conversation_id
    assert f'action="/messages/requests/{conversation_id}/accept"' in body
    assert f'action="/messages/conversations/{conversation_id}/delete"' in body
    assert f'action="/messages/{user.pk}/block"' in body
    # The sender's page says nothing of it.
    assert (
        "request-banner" not in browser_for(user).get(f"/messages/{other_user.pk}").content.decode()
    )


def test_accepting_from_the_page(user, other_user, request_message):
    response = browser_for(other_user).post(
        f"/messages/requests/{request_message.conversation_id}/accept"
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/messages/{user.pk}"
    assert not Participant.objects.get(user=other_user).is_request


def test_accepting_what_is_not_a_request_is_404(user, other_user, request_message):
    path = f"/messages/requests/{request_message.conversation_id}/accept"
    assert browser_for(user).post(path).status_code == HTTPStatus.NOT_FOUND
    assert browser_for(other_user).get(path).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_settings_page_saves_with_and_without_htmx(user):
    browser = browser_for(user)
    body = browser.get("/settings/privacy").content.decode()
    assert 'name="show_read_receipts" id="show-read-receipts" checked' in body
    assert 'name="message_requests" id="message-requests">' in body

    response = browser.post("/settings/privacy", {"show_presence": "on"})
    assert response.status_code == HTTPStatus.FOUND
    user.refresh_from_db()
    assert (user.show_read_receipts, user.show_presence, user.message_requests) == (
        False,
        True,
        False,
    )

    fragment = browser.post(
        "/settings/privacy", {"message_requests": "on", "show_read_receipts": "on"}, **HX
    ).content.decode()
    assert fragment.startswith('<form id="privacy-form"')
    assert 'id="privacy-saved"' in fragment
    user.refresh_from_db()
    assert (user.show_read_receipts, user.show_presence, user.message_requests) == (
        True,
        False,
        True,
    )


def test_hidden_receipts_keep_the_page_at_one_tick(user, other_user):
    message = send(user, other_user, "Did you read this?")
    browser_for(other_user).get(f"/messages/{user.pk}")  # Grace reads it
    ada = browser_for(user)
    assert "✓✓" in ada.get(f"/messages/{other_user.pk}").content.decode()

    other_user.show_read_receipts = False
    other_user.save(update_fields=["show_read_receipts"])
    body = ada.get(f"/messages/{other_user.pk}").content.decode()
    updates = ada.get(f"/messages/{other_user.pk}/updates?unread={message.pk}").json()

    assert "✓✓" not in body
    assert 'aria-label="Sent"' in body
    assert updates["read"] == {}


def test_hidden_presence_shows_no_last_seen(user, other_user):
    send(user, other_user, "hi")
    browser_for(other_user).get("/messages")  # Grace is active
    other_user.show_presence = False
    other_user.save(update_fields=["show_presence"])

    body = browser_for(user).get(f"/messages/{other_user.pk}").content.decode()

    assert "Last seen" not in body
    assert 'class="status status-offline"' in body


def test_the_page_send_past_the_request_allowance_is_429_with_retry_after(user, settings):
    from messaging.tests.factories import UserFactory

    settings.MESSAGE_REQUESTS_PER_DAY = 1
    first, second = UserFactory.create_batch(2, message_requests=True)
    browser = browser_for(user)
    json = {"HTTP_ACCEPT": "application/json"}
    sent = browser.post(f"/messages/{first.pk}/send", {"message_text": "hi"}, **json)
    assert sent.status_code == HTTPStatus.CREATED

    refused = browser.post(f"/messages/{second.pk}/send", {"message_text": "hi"}, **json)

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(refused["Retry-After"]) > 0
    assert "sent 1 message request in the last 24 hours" in refused.json()["message"]
    page = browser.post(f"/messages/{second.pk}/send", {"message_text": "hi again"})
    assert page.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "hi again" in page.content.decode()  # the draft is kept
