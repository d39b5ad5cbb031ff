"""The worker under faults: two workers at once, an SMTP server down then back, a worker
killed mid-batch, Redis away; and a batch costs the same queries however many emails."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from conftest import free_port
from messaging.models import Participant, UndeliveredEmail
from messaging.tests.factories import UserFactory, send
from messaging.worker import run_batch

from .conftest import later, text_part

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_send_the_same_email_twice(smtp):
    sender = UserFactory(name="Sender")
    members = UserFactory.create_batch(24)
    for member in members:
        send(sender, member, f"hello {member.name}")
    start = threading.Barrier(2)
    results: list[int] = []

    def worker() -> None:
        start.wait()
        try:
            while (result := run_batch(now=later(6), batch_size=5)).claimed:
                results.append(result.sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(results) == len(members)
    assert sorted(message["To"] for message in smtp.messages) == sorted(
        member.email for member in members
    )


def test_smtp_down_is_retried_with_backoff_then_sent_once(smtp, user, other_user, caplog):
    send(other_user, user, "are you there?")
    smtp.refuse = True

    now = later(6)
    with caplog.at_level(logging.WARNING, logger="messaging.worker.batch"):
        first = run_batch(now=now)

    assert (first.sent, first.retried) == (0, 1)
    assert "will retry" in caplog.text
    row = Participant.objects.get(user=user)
    assert row.email_attempts == 1
    # The next try waits for the backoff: 30 s after the first failure (then 60 s, ...).
    assert row.email_claimed_until == now + timedelta(seconds=30)
    assert run_batch(now=now + timedelta(seconds=29)).claimed is False
    smtp.refuse = False

    assert run_batch(now=later(7)).sent == 1
    assert run_batch(now=later(30)).sent == 0
    assert len(smtp.messages) == 1
    assert Participant.objects.get(user=user).email_attempts == 0


def test_an_unreachable_server_is_retried_like_a_refusal(smtp, settings, user, other_user):
    send(other_user, user, "hello")
    settings.EMAIL_PORT = free_port()  # nothing listens there

    assert run_batch(now=later(6)).retried == 1
    settings.EMAIL_PORT = smtp.port

    assert run_batch(now=later(8)).sent == 1


def test_after_the_last_try_the_email_is_recorded_and_logged_with_the_request_id(
    smtp, settings, user, other_user, api_client, caplog
):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_TRIES": 3, "BACKOFF_SECONDS": 60}
    other_client = __import__("conftest").client_for(other_user)
    response = other_client.post(
        "/api/messages/send", {"recipient_id": str(user.pk), "message_text": "hi"}, format="json"
    )
    request_id = response["X-Request-ID"]
    smtp.refuse = True

    with caplog.at_level(logging.WARNING, logger="messaging.worker.batch"):
        tries = [run_batch(now=later(minutes)) for minutes in (6, 8, 12)]

    assert [(result.retried, result.given_up) for result in tries] == [(1, 0), (1, 0), (0, 1)]
    [undelivered] = UndeliveredEmail.objects.all()
    assert (undelivered.user_id, undelivered.attempts, undelivered.request_id) == (
        user.pk,
        3,
        request_id,
    )
    assert "451" in undelivered.error
    records = [record for record in caplog.records if record.name == "messaging.worker.batch"]
    assert [record.request_id for record in records] == [request_id] * 3
    assert "given up and recorded" in records[-1].getMessage()
    assert Participant.objects.get(user=user).email_pending_since is None


def test_redis_down_emails_still_go(smtp, settings, user, other_user):
    settings.CACHES = {
        "default": {
            "BACKEND": "alumunity.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    send(other_user, user, "Redis is away")

    assert run_batch(now=later(6)).sent == 1
    assert "Redis is away" in text_part(smtp.messages[0])


def test_a_batch_costs_the_same_queries_for_one_email_and_for_many(
    db, smtp, assert_database_query_count
):
    sender = UserFactory(name="Sender")
    one, *many = UserFactory.create_batch(21)
    send(sender, one, "alone")
    # claim: due members, claim, rows, messages, finish
    with assert_database_query_count(5):
        assert run_batch(now=later(6)).sent == 1
    for member in many:
        for number in range(3):
            send(sender, member, f"message {number}")
    with assert_database_query_count(5):
        assert run_batch(now=later(12)).sent == 20


# --- a worker killed mid-batch -----------------------------------------------------------


class _Stalling:
    """An SMTP server that takes the message and never answers."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(3600)
        return "250 OK"


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    from messaging.tests.realtime.servers import database_url

    return database_url()


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_claim_expires_and_the_email_is_sent_once_later(smtp, settings):
    sender, member = UserFactory(name="Sender"), UserFactory(name="Away")
    send(sender, member, "sent before the crash")
    Participant.objects.filter(user=member).update(
        email_pending_since=timezone.now() - timedelta(minutes=10)
    )
    stalling = Controller(_Stalling(), hostname="127.0.0.1", port=free_port())
    stalling.start()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "notifications_worker"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alumunity.settings",
            "DEBUG": "1",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": "",
            "EMAIL_URL": f"smtp://127.0.0.1:{stalling.port}?timeout=600",
            "NOTIFICATIONS_POLL_SECONDS": "0.2",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not Participant.objects.filter(user=member).exclude(email_claim_token="").exists():
            assert time.monotonic() < deadline, "the worker never claimed the row"
            time.sleep(0.1)
        worker.kill()
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
        stalling.stop()

    # The claim is still held: nobody sends it before it expires.
    assert run_batch(now=timezone.now()).claimed is False
    lease = settings.NOTIFICATIONS["CLAIM_SECONDS"]
    result = run_batch(now=timezone.now() + timedelta(seconds=lease + 1))

    assert result.sent == 1
    assert run_batch(now=timezone.now() + timedelta(seconds=2 * lease)).sent == 0
    [message] = smtp.messages
    assert "sent before the crash" in text_part(message)
