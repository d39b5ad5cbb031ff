"""Notifications use the current text (SPEC §9.2, §9.3): an email sent after an edit
says the new words only, and a message deleted for everyone is never told, by email
or by a desktop notification."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.tests.factories import TEST_PASSWORD, send
from messaging.worker import run_batch

from .conftest import later, text_part


def test_an_email_after_an_edit_says_the_new_words(smtp, user, other_user):
    message = send(other_user, user, "the dinner is at 7")
    services.edit_message(editor=other_user, message_id=message.pk, text="the dinner is at 8")

    run_batch(now=later(6))

    [email] = smtp.messages
    assert "the dinner is at 8" in text_part(email)
    assert "at 7" not in text_part(email)


def test_a_message_deleted_for_everyone_is_dropped(smtp, user, other_user):
    gone = send(other_user, user, "wrong chat, my bank pin")
    send(other_user, user, "sorry, ignore that")
    services.delete_message(deleter=other_user, message_id=gone.pk)

    run_batch(now=later(6))

    [email] = smtp.messages
    assert "sorry, ignore that" in text_part(email)
    assert "bank pin" not in text_part(email)
    assert "This message was deleted" not in text_part(email)
    assert email["Subject"] == "1 new message from Grace Hopper"


def test_only_a_deleted_message_sends_nothing(smtp, user, other_user):
    gone = send(other_user, user, "oops")
    services.delete_message(deleter=other_user, message_id=gone.pk)

    assert run_batch(now=later(6)).sent == 0
    assert smtp.messages == []


@pytest.fixture
def ada_client(client, user):
    client.login(email=user.email, password=TEST_PASSWORD)
    return client


def test_desktop_notification_follows_edits_and_skips_deleted(ada_client, user, other_user):
    message = send(other_user, user, "first words")
    services.edit_message(editor=other_user, message_id=message.pk, text="better words")
    assert ada_client.get(f"/messages/notification/{message.pk}").json()["body"] == ("better words")
    services.delete_message(deleter=other_user, message_id=message.pk)
    response = ada_client.get(f"/messages/notification/{message.pk}")
    assert response.status_code == HTTPStatus.NO_CONTENT
