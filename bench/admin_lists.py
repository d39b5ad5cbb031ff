"""How the moderation pages of the admin behave on a large data set: for each
changelist, the number of queries, whether any query counts the whole message table, and
the median time of a few renders. Run it against a database seeded with seed_bench:

    DATABASE_URL=sqlite:///bench/data/sqlite-1000000.sqlite3 .venv/bin/python bench/admin_lists.py
    DATABASE_URL=mysql://root@127.0.0.1:3306/bench_1000000 .venv/bin/python bench/admin_lists.py

It logs in as a superuser it creates if missing (bench-admin@example.org). Figures are
printed, never asserted.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from messaging.models import Message  # noqa: E402

RENDERS = 5


def admin_client() -> Client:
    User = get_user_model()
    admin = User.objects.filter(email="bench-admin@example.org").first()
    if admin is None:
        admin = User.objects.create_superuser("bench-admin@example.org", "Bench Admin", None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    return client


def pages() -> list[tuple[str, str]]:
    newest = Message.objects.order_by("-pk").first()
    sender_email = newest.sender.email if newest else "nobody@example.org"
    conversation = newest.conversation_id if newest else 0
    # The week before the newest message (seeded data may end before today).
    latest = newest.sent_at if newest else timezone.now()
    week_ago = quote((latest - timedelta(days=7)).isoformat(sep=" ", timespec="seconds"))
    return [
        ("messages", "/admin/messaging/message/"),
        ("messages, page 20", "/admin/messaging/message/?p=20"),
        ("messages, hidden", "/admin/messaging/message/?is_hidden__exact=1"),
        ("messages, its last 7 days", f"/admin/messaging/message/?sent_at__gte={week_ago}"),
        ("messages, sender email", f"/admin/messaging/message/?q={sender_email}"),
        (
            "messages, one conversation",
            f"/admin/messaging/message/?conversation__id__exact={conversation}",
        ),
        ("messages, text search", "/admin/messaging/message/?q=harbour"),
        ("message page", f"/admin/messaging/message/{newest.pk if newest else 0}/change/"),
        ("reports queue", "/admin/messaging/report/"),
        ("conversations", "/admin/messaging/conversation/"),
        ("moderation log", "/admin/messaging/moderationlogentry/"),
        ("members", "/admin/users/user/"),
    ]


def main() -> None:
    logging.getLogger("alumunity.request").setLevel(logging.WARNING)
    client = admin_client()
    highest = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    print(f"database: {connection.vendor}, messages: about {highest}")
    print(f"{'page':32} {'status':>6} {'queries':>7} {'full COUNT':>10} {'median ms':>10}")
    for label, url in pages():
        timings = []
        for _ in range(RENDERS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        sqls = [query["sql"].upper() for query in captured.captured_queries]
        full_counts = [
            sql
            for sql in sqls
            if "COUNT(" in sql and "MESSAGING_MESSAGE" in sql and "LIMIT" not in sql
        ]
        print(
            f"{label:32} {response.status_code:>6} {len(sqls):>7} "
            f"{'yes' if full_counts else 'no':>10} {statistics.median(timings):>10.1f}"
        )


if __name__ == "__main__":
    main()
