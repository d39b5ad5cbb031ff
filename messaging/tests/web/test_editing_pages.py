"""The pages' doors for editing, delete for everyone and reactions: plain form posts
(no script) come back to the conversation, the page script gets the row drawn again,
and refusals are said, never a 500."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.models import Message, Reaction
from messaging.tests.factories import send

from .helpers import HX, JSON, browser_for

pytestmark = pytest.mark.django_db


def test_edit_without_script_comes_back_to_the_message(user, other_user):
    message = send(user, other_user, "at 6")
    browser = browser_for(user)
    form = browser.get(f"/messages/m/{message.pk}/edit")
    assert form.status_code == HTTPStatus.OK
    assert "at 6</textarea>" in form.text
    response = browser.post(f"/messages/m/{message.pk}/edit", {"message_text": "at 7"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/messages/{other_user.pk}?message={message.pk}"
    page = browser.get(response.url).text
    assert "at 7" in page and "(edited)" in page


def test_edit_for_the_page_script_answers_the_row(user, other_user):
    message = send(user, other_user, "<b>at 6</b>")
    response = browser_for(user).post(
        f"/messages/m/{message.pk}/edit", {"message_text": "<i>at 7</i>"}, **JSON
    )
    assert response.status_code == HTTPStatus.OK
    data = response.json()
    assert data["id"] == message.pk
    assert f'id="message-{message.pk}"' in data["html"]
    assert "&lt;i&gt;at 7&lt;/i&gt;" in data["html"] and "<i>" not in data["html"]
    assert "(edited)" in data["html"]


def test_someone_elses_message_is_refused_and_unchanged(user, other_user, third_user):
    message = send(user, other_user, "mine")
    response = browser_for(other_user).post(
        f"/messages/m/{message.pk}/edit", {"message_text": "theirs"}, **JSON
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"] == "Only the sender can change this message."
    outsider = browser_for(third_user)
    assert outsider.post(f"/messages/m/{message.pk}/delete").status_code == HTTPStatus.NOT_FOUND
    assert outsider.get(f"/messages/m/{message.pk}").status_code == HTTPStatus.NOT_FOUND
    assert outsider.get(f"/messages/m/{message.pk}/history").status_code == HTTPStatus.NOT_FOUND
    # The edit page of a message one may not edit goes back with the reason.
    form = browser_for(other_user).get(f"/messages/m/{message.pk}/edit")
    assert form.status_code == HTTPStatus.FOUND
    assert Message.objects.get(pk=message.pk).message_text == "mine"


def test_empty_edit_without_script_says_why(user, other_user):
    message = send(user, other_user, "keep")
    browser = browser_for(user)
    response = browser.post(f"/messages/m/{message.pk}/edit", {"message_text": " "}, follow=True)
    assert "A message needs text or an attachment." in response.text
    assert Message.objects.get(pk=message.pk).message_text == "keep"


def test_delete_for_everyone_from_the_page(user, other_user):
    message = send(user, other_user, "oops")
    response = browser_for(user).post(f"/messages/m/{message.pk}/delete", **JSON)
    assert response.status_code == HTTPStatus.OK
    assert "This message was deleted" in response.json()["html"]
    assert "is-deleted" in response.json()["html"]
    page = browser_for(other_user).get(f"/messages/{user.pk}").text
    assert "This message was deleted" in page and "oops" not in page


def test_reactions_from_the_page(user, other_user):
    message = send(other_user, user, "cake?")
    browser = browser_for(user)
    response = browser.post(f"/messages/m/{message.pk}/react", {"emoji": "🎉", "op": "add"}, **JSON)
    assert response.status_code == HTTPStatus.OK
    html = response.json()["html"]
    assert 'aria-pressed="true"' in html and "Ada Lovelace" in html
    assert Reaction.objects.get().emoji == "🎉"
    browser.post(f"/messages/m/{message.pk}/react", {"emoji": "🎉", "op": "remove"})
    assert not Reaction.objects.exists()
    refused = browser.post(f"/messages/m/{message.pk}/react", {"emoji": "nope"}, **JSON)
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.json()["errors"] == {"emoji": ["Give exactly one emoji."]}


def test_history_fragment_and_page(user, other_user):
    message = send(user, other_user, "<script>first</script>")
    services.edit_message(editor=user, message_id=message.pk, text="second")
    browser = browser_for(other_user)
    fragment = browser.get(f"/messages/m/{message.pk}/history", **HX).text
    assert "&lt;script&gt;first&lt;/script&gt;" in fragment and "<script>first" not in fragment
    page = browser.get(f"/messages/m/{message.pk}/history")
    assert page.status_code == HTTPStatus.OK and "Earlier versions" in page.text


def test_group_rows_edit_delete_and_react(user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion"
    )
    message = services.send_to_conversation(
        sender=other_user, conversation_id=group.pk, text="Friday?"
    ).message
    grace = browser_for(other_user)
    response = grace.post(f"/messages/m/{message.pk}/edit", {"message_text": "Saturday?"})
    assert response.url == f"/messages/c/{group.pk}#message-{message.pk}"
    ada = browser_for(user)
    ada.post(f"/messages/m/{message.pk}/react", {"emoji": "👍", "op": "add"})
    page = ada.get(f"/messages/c/{group.pk}").text
    assert "Saturday?" in page and "(edited)" in page and "👍 <span" in page
    row = ada.get(f"/messages/m/{message.pk}", **JSON).json()["html"]
    assert "group-message" in row and "Grace Hopper" in row
    grace.post(f"/messages/m/{message.pk}/delete")
    assert "This message was deleted" in ada.get(f"/messages/c/{group.pk}").text
