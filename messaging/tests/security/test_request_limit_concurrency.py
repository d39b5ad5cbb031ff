"""The daily allowance of message requests under concurrent first messages: committed
transactions, one connection per thread, all released at once (see test_concurrency)."""

from http import HTTPStatus

import pytest

from conftest import client_for
from messaging.models import Conversation, Participant
from messaging.tests.factories import UserFactory

from .helpers import sqlite_in_memory
from .test_concurrency import together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_separate_connections():
    if sqlite_in_memory():
        pytest.skip("a shared-cache in-memory SQLite database cannot queue concurrent writers")


def test_parallel_first_messages_never_pass_the_allowance(settings):
    """21 first messages at once, each to a different member who receives requests,
    with 20 allowed: exactly 20 become requests and one is refused with 429."""
    settings.MESSAGE_REQUESTS_PER_DAY = 20
    settings.SEND_RATE = "1000/min"
    sender = UserFactory()
    strangers = UserFactory.create_batch(21, message_requests=True)

    def first_message(stranger):
        def run():
            response = client_for(sender).post(
                "/api/messages/send",
                {"recipient_id": str(stranger.pk), "message_text": "hello"},
                format="json",
            )
            return response.status_code, response.headers.get("Retry-After")

        return run

    results = together([first_message(stranger) for stranger in strangers])

    statuses = sorted(status for status, _ in results)
    assert statuses == [HTTPStatus.CREATED] * 20 + [HTTPStatus.TOO_MANY_REQUESTS], results
    assert [retry for status, retry in results if status == HTTPStatus.TOO_MANY_REQUESTS][0]
    assert Participant.objects.filter(is_request=True).count() == 20
    assert Conversation.objects.count() == 20


def test_parallel_first_messages_past_a_full_allowance_all_refused(settings):
    settings.MESSAGE_REQUESTS_PER_DAY = 3
    settings.SEND_RATE = "1000/min"
    sender = UserFactory()
    strangers = UserFactory.create_batch(8, message_requests=True)

    def first_message(stranger):
        return lambda: (
            client_for(sender)
            .post(
                "/api/messages/send",
                {"recipient_id": str(stranger.pk), "message_text": "hello"},
                format="json",
            )
            .status_code
        )

    statuses = sorted(together([first_message(stranger) for stranger in strangers]))

    assert statuses == [HTTPStatus.CREATED] * 3 + [HTTPStatus.TOO_MANY_REQUESTS] * 5
    assert Participant.objects.filter(is_request=True).count() == 3
