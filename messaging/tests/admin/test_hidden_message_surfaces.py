"""A message hidden from the admin reaches neither member again: the conversation, the
inbox preview, search and the socket event all carry the placeholder, never the text."""

from http import HTTPStatus

import pytest
from django.test import Client

from conftest import client_for
from messaging.models import REMOVED_TEXT
from messaging.tests.factories import send

from .helpers import changelist_url, run_action

SECRET = "unrepeatable-insult"


@pytest.fixture
def hidden(staff_client, user, other_user, published, django_capture_on_commit_callbacks):
    send(user, other_user, "hello")
    message = send(
        other_user,
        user,
        f"you are an {SECRET}",
        attachment_url="https://files.example.org/insult.png",
        attachment_type="image/png",
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, changelist_url("message"), "hide_messages", [message], "abuse")
    message.refresh_from_db()
    assert message.is_hidden
    return message


@pytest.mark.parametrize("viewer", ["user", "other_user"])
def test_conversation_shows_the_placeholder_to_both_members(request, hidden, viewer):
    member = request.getfixturevalue(viewer)
    other = hidden.sender if member == hidden.recipient else hidden.recipient

    response = client_for(member).get(f"/api/messages/conversation/{other.pk}")

    assert response.status_code == HTTPStatus.OK
    shown = response.json()["data"][-1]
    assert shown["id"] == hidden.pk
    assert (
        shown["message_text"],
        shown["hidden"],
        shown["attachment_url"],
        shown["attachment_type"],
    ) == (REMOVED_TEXT, True, None, None)
    assert SECRET not in response.text


@pytest.mark.parametrize("viewer", ["user", "other_user"])
def test_inbox_preview_shows_the_placeholder(request, hidden, viewer):
    member = request.getfixturevalue(viewer)

    response = client_for(member).get("/api/messages/inbox")

    assert response.status_code == HTTPStatus.OK
    assert [summary["last_message"] for summary in response.json()["data"]] == [REMOVED_TEXT]
    assert SECRET not in response.text


@pytest.mark.parametrize("viewer", ["user", "other_user"])
def test_search_never_finds_a_hidden_message(request, hidden, viewer):
    member = request.getfixturevalue(viewer)

    response = client_for(member).get("/api/messages/search", {"q": SECRET})

    assert response.status_code == HTTPStatus.OK
    assert (response.json()["data"], response.json()["total"]) == ([], 0)


def test_socket_event_carries_no_text(hidden, published, user, other_user):
    event = {
        "type": "message.hidden",
        "conversation_id": hidden.conversation_id,
        "message_id": hidden.pk,
    }
    assert published == [(str(other_user.pk), event), (str(user.pk), event)]
    assert SECRET not in repr(published)


@pytest.mark.parametrize("viewer", ["user", "other_user"])
def test_pages_show_the_placeholder_and_never_the_text(request, hidden, viewer):
    member = request.getfixturevalue(viewer)
    other = hidden.sender if member == hidden.recipient else hidden.recipient
    browser = Client()
    browser.force_login(member)

    for url in (f"/messages/{other.pk}", "/messages", f"/messages/search?q={SECRET}"):
        page = browser.get(url)
        assert page.status_code == HTTPStatus.OK, url
        # (the search page echoes the query itself in its search box)
        assert "you are an" not in page.text, url
        assert "insult.png" not in page.text, url
    assert REMOVED_TEXT in browser.get(f"/messages/{other.pk}").text
    assert REMOVED_TEXT in browser.get("/messages").text
    # A hidden message is not even a search hit (it would show as the placeholder).
    results = browser.get(f"/messages/search?q={SECRET}", HTTP_HX_REQUEST="true")
    assert results.status_code == HTTPStatus.OK
    assert REMOVED_TEXT not in results.text
