"""Concurrent writers on a real database: committed transactions, one connection per
thread, all released at the same instant. MariaDB row locks, or SQLite's single writer
(the test database is a file, so each thread really has its own connection)."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connections

from conftest import client_for
from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Conversation, Message
from messaging.tests.factories import UserFactory

from .helpers import sqlite_in_memory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_separate_connections():
    if sqlite_in_memory():
        pytest.skip("a shared-cache in-memory SQLite database cannot queue concurrent writers")


def together(actions) -> list:
    """Run each callable in its own thread, all released by one barrier; re-raise the
    first failure."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        barrier.wait()
        try:
            return action()
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(run, action) for action in actions]
        return [future.result(timeout=120) for future in futures]


def assert_counters_exact():
    """Every counter equals what the messages themselves say."""
    for conversation in Conversation.objects.all():
        messages = Message.objects.filter(conversation=conversation)
        assert conversation.message_count == messages.count(), conversation.pk
        newest = messages.order_by("-sent_at", "-id").first()
        assert conversation.last_message_id == (newest.pk if newest else None)
        for side in ("one", "two"):
            member_id = getattr(conversation, f"user_{side}_id")
            expected = messages.filter(
                recipient_id=member_id,
                read_at__isnull=True,
                pk__gt=getattr(conversation, f"cleared_through_id_{side}"),
            ).count()
            assert getattr(conversation, f"unread_count_{side}") == expected, (
                conversation.pk,
                side,
            )


def test_twenty_members_sending_ten_messages_each_at_once_to_one_member():
    recipient = UserFactory()
    senders = UserFactory.create_batch(20)

    def sender_loop(sender):
        def run():
            for index in range(10):
                services.send_message(
                    sender=sender, recipient_id=recipient.pk, text=f"{sender.name} #{index}"
                )

        return run

    together([sender_loop(sender) for sender in senders])

    assert Message.objects.filter(recipient=recipient).count() == 200
    assert Conversation.objects.count() == 20
    assert selectors.unread_total(user=recipient) == 200
    for conversation in Conversation.objects.all():
        assert conversation.message_count == 10
        assert conversation.unread_count_for(recipient.pk) == 10
    assert_counters_exact()


def test_both_members_writing_first_to_each_other_at_once_share_one_conversation():
    """The conversation row does not exist yet; eight writers race to create it."""
    one, two = UserFactory.create_batch(2)

    def writer(sender, recipient):
        return lambda: [
            services.send_message(sender=sender, recipient_id=recipient.pk, text=f"m{i}")
            for i in range(5)
        ]

    together([writer(one, two) if index % 2 else writer(two, one) for index in range(8)])

    conversation = Conversation.objects.get()
    assert conversation.message_count == 40
    assert conversation.unread_count_for(one.pk) == 20
    assert conversation.unread_count_for(two.pk) == 20
    assert_counters_exact()


def test_ten_simultaneous_retries_create_exactly_one_message_and_all_get_it():
    sender, recipient = UserFactory.create_batch(2)
    body = {
        "recipient_id": str(recipient.pk),
        "message_text": "only once",
        "client_message_id": "retry-3f1c",
    }

    def attempt():
        response = client_for(sender).post("/api/messages/send", body, format="json")
        return response.status_code, response.json()

    results = together([attempt for _ in range(10)])

    statuses = sorted(status for status, _body in results)
    assert statuses == [HTTPStatus.OK] * 9 + [HTTPStatus.CREATED], results
    message = Message.objects.get()
    assert {payload["data"]["id"] for _status, payload in results} == {message.pk}
    assert {payload["data"]["client_message_id"] for _status, payload in results} == {"retry-3f1c"}
    conversation = Conversation.objects.get()
    assert conversation.message_count == 1
    assert conversation.unread_count_for(recipient.pk) == 1
    assert_counters_exact()


def test_interleaved_sends_reads_and_deletes_keep_every_counter_exact():
    """Grace writes to Ada from two devices while Ada, on two devices, opens the
    conversation, marks single messages read and clears it for herself."""
    ada, grace = UserFactory.create_batch(2)
    first = services.send_message(sender=grace, recipient_id=ada.pk, text="start").message
    conversation_id = first.conversation_id

    def grace_device(tag):
        def run():
            for index in range(25):
                services.send_message(sender=grace, recipient_id=ada.pk, text=f"{tag}{index}")
                services.send_message(sender=ada, recipient_id=grace.pk, text=f"re {tag}{index}")

        return run

    def ada_opens():
        for _ in range(25):
            services.open_conversation(reader=ada, other_user_id=grace.pk, limit=20)

    def ada_marks_one_by_one():
        for _ in range(40):
            newest = (
                Message.objects.filter(recipient=ada, read_at__isnull=True)
                .order_by("-id")
                .values_list("pk", flat=True)
                .first()
            )
            if newest is not None:
                # NotFound: cleared by the delete running beside it.
                with contextlib.suppress(NotFound):
                    services.mark_read(reader=ada, message_id=newest)

    def ada_clears():
        for _ in range(5):
            services.delete_conversation(user=ada, conversation_id=conversation_id)
            services.open_conversation(reader=grace, other_user_id=ada.pk, limit=5)

    together([grace_device("a"), grace_device("b"), ada_opens, ada_marks_one_by_one, ada_clears])

    assert Message.objects.count() == 101
    conversation = Conversation.objects.get()
    assert conversation.message_count == 101
    assert_counters_exact()
    # The totals a member sees agree with the rows.
    visible_unread = Message.objects.filter(
        recipient=ada,
        read_at__isnull=True,
        pk__gt=conversation.cleared_through_id_for(ada.pk),
    ).count()
    assert selectors.unread_total(user=ada) == visible_unread
    grace_unread = Message.objects.filter(
        recipient=grace,
        read_at__isnull=True,
        pk__gt=conversation.cleared_through_id_for(grace.pk),
    ).count()
    assert selectors.unread_total(user=grace) == grace_unread


def test_concurrent_mark_reads_of_one_message_decrement_once():
    sender, reader = UserFactory.create_batch(2)
    messages = [
        services.send_message(sender=sender, recipient_id=reader.pk, text=f"m{i}").message
        for i in range(3)
    ]
    target = messages[1]
    together(
        [lambda: services.mark_read(reader=reader, message_id=target.pk) for _ in range(6)]
        + [
            lambda: services.mark_conversation_read(
                reader=reader, conversation=Conversation.objects.get()
            )
            for _ in range(4)
        ]
    )
    conversation = Conversation.objects.get()
    assert conversation.unread_count_for(reader.pk) == 0
    assert not Message.objects.filter(read_at__isnull=True).exists()
    assert_counters_exact()


def test_ten_concurrent_uses_of_one_refresh_token_yield_one_new_pair():
    """A stolen refresh token raced against its owner: only one use may succeed."""
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    member = UserFactory()
    refresh = str(RefreshToken.for_user(member))

    def use():
        response = Client().post(
            "/api/auth/token/refresh/", {"refresh": refresh}, content_type="application/json"
        )
        return response.status_code

    statuses = sorted(together([use for _ in range(10)]))
    assert statuses == [HTTPStatus.OK] + [HTTPStatus.UNAUTHORIZED] * 9, statuses
