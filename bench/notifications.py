"""Missed-message email throughput: N members each with an unread message waiting past
their delay, sent by the worker's batches to a local SMTP sink (aiosmtpd on loopback).
Prints emails per second, batches and queries per batch.

    python bench/notifications.py                 # 10,000 on a fresh SQLite file
    DATABASE_URL=mysql://root@127.0.0.1:3306/alu_bench python bench/notifications.py
    python bench/notifications.py --members 2000 --batch-size 500
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/notifications-bench.sqlite3"


class Sink:
    """Accepts every message and counts it."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(members: int) -> None:
    """One sender, `members` recipients, one unread message each, pending 10 minutes."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from alumunity.users.models import User
    from messaging.models import Conversation, Message
    from messaging.selectors import canonical_pair

    then = timezone.now() - timedelta(minutes=10)
    with transaction.atomic():
        sender = User.objects.create(email="bench-sender@example.org", name="Bench Sender")
        users = User.objects.bulk_create(
            User(email=f"bench-notify-{index}@example.org", name=f"Member {index}", password="!")
            for index in range(members)
        )
        users = list(User.objects.exclude(pk=sender.pk).order_by("email"))
        pairs = [canonical_pair(sender.pk, user.pk) for user in users]
        Conversation.objects.bulk_create(
            Conversation(user_one_id=one, user_two_id=two) for one, two in pairs
        )
        by_pair = {
            (row.user_one_id, row.user_two_id): row.pk
            for row in Conversation.objects.filter(kind=Conversation.Kind.DIRECT)
        }
        conversation_of = {user.pk: by_pair[pair] for user, pair in zip(users, pairs, strict=True)}
        Message.objects.bulk_create(
            Message(
                conversation_id=conversation_of[user.pk],
                sender=sender,
                recipient=user,
                message_text=f"Hello {user.name}, are you coming to the reunion?",
                sent_at=then,
            )
            for user in users
        )
        message_of = dict(Message.objects.values_list("recipient_id", "pk"))
        _participants(sender, users, conversation_of, message_of, then)


def _participants(sender, users, conversation_of, message_of, then) -> None:
    """Both rows of each conversation: the recipient's unread and pending, the sender's."""
    from messaging.models import Participant

    Participant.objects.bulk_create(
        [
            Participant(
                conversation_id=conversation_of[user.pk],
                user=user,
                unread_count=1,
                message_count=1,
                last_message_id=message_of[user.pk],
                last_message_at=then,
                email_pending_since=then,
            )
            for user in users
        ]
        + [
            Participant(
                conversation_id=conversation_of[user.pk],
                user=sender,
                message_count=1,
                last_message_id=message_of[user.pk],
                last_message_at=then,
            )
            for user in users
        ],
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    arguments = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per message
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alumunity.email_url import email_settings
    from messaging.worker import run_batch

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed(arguments.members)
    seconds = time.perf_counter() - started
    print(f"seeded {arguments.members:,} pending notifications in {seconds:.1f} s")

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    for name, value in email_settings(f"smtp://127.0.0.1:{controller.port}").items():
        setattr(settings, name, value)
    batches, queries = 0, []
    started = time.perf_counter()
    try:
        while True:
            with CaptureQueriesContext(connection) as captured:
                result = run_batch(batch_size=arguments.batch_size)
            if not result.claimed:
                break
            batches += 1
            queries.append(len(captured.captured_queries))
    finally:
        elapsed = time.perf_counter() - started
        controller.stop()
    print(
        f"{sink.received:,} emails in {elapsed:.1f} s: {sink.received / elapsed:,.0f} emails/s "
        f"({connection.vendor}, batches of {arguments.batch_size}: {batches} batches, "
        f"queries per batch {min(queries, default=0)}-{max(queries, default=0)})"
    )


if __name__ == "__main__":
    main()
