"""Missed-message email end to end: a send leaves the recipient pending, the worker's
batch claims what is due and a real SMTP server receives the email."""

from messaging.models import Participant
from messaging.tests.factories import send
from messaging.worker import run_batch

from .conftest import later, text_part


def test_an_email_goes_after_the_delay_and_only_once(smtp, user, other_user):
    send(other_user, user, "Are you coming to the reunion?")

    assert run_batch(now=later(4)).sent == 0
    assert smtp.messages == []

    result = run_batch(now=later(6))

    assert result.sent == 1
    [message] = smtp.messages
    assert message["To"] == user.email
    assert message["Subject"] == "1 new message from Grace Hopper"
    assert "Are you coming to the reunion?" in text_part(message)
    assert run_batch(now=later(60)).sent == 0
    assert len(smtp.messages) == 1
    row = Participant.objects.get(user=user)
    assert row.email_pending_since is None
    assert row.emailed_through_message_id == row.last_message_id
