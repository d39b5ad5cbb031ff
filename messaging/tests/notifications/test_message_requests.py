"""Message requests and notifications (SPEC §9.5): a stranger's first messages are told
once, as a "new message request" without their text, by email and on the desktop;
nothing more for that request until it is accepted, and then as any conversation."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.models import Participant
from messaging.tests.factories import TEST_PASSWORD, send
from messaging.worker import run_batch

from .conftest import html_part, later, text_part


@pytest.fixture
def requests_on(user):
    services.update_privacy_settings(user=user, message_requests=True)
    return user


def test_a_request_is_emailed_once_without_its_text(smtp, requests_on, user, other_user):
    send(other_user, user, "Buy my course, cheap!")
    send(other_user, user, "Second pitch")
    assert Participant.objects.get(user=user).is_request

    assert run_batch(now=later(6)).sent == 1

    [message] = smtp.messages
    assert message["Subject"] == "New message request from Grace Hopper"
    for body in (text_part(message), html_part(message)):
        assert "sent you a message request" in body
        assert "Buy my course" not in body and "Second pitch" not in body
    assert f"https://alumni.example.org/messages/{other_user.pk}" in text_part(message)


def test_more_messages_in_a_waiting_request_send_no_second_email(
    smtp, requests_on, user, other_user
):
    send(other_user, user, "Hello?")
    run_batch(now=later(6))
    send(other_user, user, "Hello again?")
    send(other_user, user, "Anyone?")

    assert Participant.objects.get(user=user).email_pending_since is None
    assert run_batch(now=later(60)).sent == 0
    assert len(smtp.messages) == 1


def test_once_accepted_the_conversation_notifies_as_any_other(smtp, requests_on, user, other_user):
    first = send(other_user, user, "Hello?")
    run_batch(now=later(6))
    services.accept_request(user=user, conversation_id=first.conversation_id)
    send(other_user, user, "Thanks for accepting. Reunion in June?")

    assert run_batch(now=later(60)).sent == 1

    latest = smtp.messages[-1]
    assert latest["Subject"].endswith("from Grace Hopper")
    assert "Reunion in June?" in text_part(latest)


def test_a_request_beside_another_conversation_keeps_its_text_out(
    smtp, requests_on, user, other_user, third_user
):
    send(user, third_user, "Hi Katherine")  # written to before: never a request
    send(third_user, user, "Hi Ada, lunch?")
    send(other_user, user, "A stranger's pitch")

    run_batch(now=later(6))

    [message] = smtp.to(user.email)
    assert message["Subject"] == "2 new messages in 2 conversations"
    body = text_part(message)
    assert "Hi Ada, lunch?" in body
    assert "A stranger's pitch" not in body
    assert "Grace Hopper sent you a message request" in body


@pytest.fixture
def ada_client(client, user):
    client.login(email=user.email, password=TEST_PASSWORD)
    return client


def test_the_desktop_tells_of_a_request_once_and_without_its_text(
    ada_client, requests_on, user, other_user
):
    first = send(other_user, user, "Buy my course")
    second = send(other_user, user, "Still there?")

    told = ada_client.get(f"/messages/notification/{first.pk}")
    assert told.status_code == HTTPStatus.OK
    assert told.json() == {
        "title": "Message request from Grace Hopper",
        "body": "Open it to read, then accept or delete it.",
        "url": f"/messages/{other_user.pk}",
    }
    again = ada_client.get(f"/messages/notification/{second.pk}")
    assert again.status_code == HTTPStatus.NO_CONTENT
