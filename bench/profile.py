"""Profile one endpoint in-process with pyinstrument, on a seeded benchmark database.

    DATABASE_URL=sqlite:///bench/data/sqlite-1000000.sqlite3 \\
        .venv/bin/python bench/profile.py search --repeat 30

Endpoints: healthz, me, inbox, conversation, before, after, around, send, read, unread, search,
users, and on the hot member's 50-member group (as `make bench` finds it): group,
group-history, group-after, group-send.
Requests go through the whole Django stack (middleware, JWT, DRF, view, selector);
the ASGI server is left out, so the profile shows what the application spends.
`--cpu` prints the process's CPU time per request instead (the median of five batches
of `--repeat` requests): a measure a busy machine's other processes hardly move.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# This file's name hides the standard library's `profile`, which cProfile imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
os.environ.setdefault("SEND_RATE", "1000000/min")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--query", default="coffee")
    parser.add_argument("--all", action="store_true", help="show library frames too")
    parser.add_argument(
        "--flat", action="store_true", help="cProfile's functions by own time instead"
    )
    parser.add_argument("--cpu", action="store_true", help="CPU ms per request, no profile")
    parser.add_argument(
        "--statements", action="store_true", help="each SQL statement's wall ms per request"
    )
    return parser.parse_args()


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    args = arguments()

    users = get_user_model().objects
    hot = users.get(email="bench-hot@example.org")
    busiest = users.get(email="bench-1@example.org")
    partner = users.get(email="bench-2@example.org")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(hot).access_token}")
    unread: Iterator[int] = iter([])
    sender = APIClient()
    sender.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(partner).access_token}")
    page = client.get(f"/api/messages/conversation/{busiest.pk}?limit=100").json()["data"]
    anchor = page[0]["id"]
    conversation = f"/api/messages/conversation/{busiest.pk}?limit=50"
    calls = {
        "healthz": lambda: client.get("/healthz"),
        "me": lambda: client.get("/api/auth/me"),
        "inbox": lambda: client.get("/api/messages/inbox?limit=50"),
        "conversation": lambda: client.get(f"/api/messages/conversation/{busiest.pk}?limit=50"),
        "before": lambda: client.get(
            f"/api/messages/conversation/{busiest.pk}?limit=50&before={anchor}"
        ),
        "after": lambda: client.get(f"{conversation}&after={anchor}"),
        "around": lambda: client.get(f"{conversation}&around={anchor}"),
        "send": lambda: client.post(
            "/api/messages/send",
            {"recipient_id": str(partner.pk), "message_text": "profiling message"},
            format="json",
        ),
        "read": lambda: client.put(f"/api/messages/mark-as-read/{next(unread)}"),
        "unread": lambda: client.get("/api/messages/unread-count"),
        "search": lambda: client.get("/api/messages/search", {"q": args.query, "limit": 20}),
        "users": lambda: client.get("/api/users/search?q=grace&limit=20"),
    }
    if args.endpoint.startswith("group"):
        calls.update(group_calls(client))
    # mark-as-read needs a fresh unread message for each request: the partner sends them.
    count = args.repeat * 5 + 3 if args.endpoint == "read" else 0
    unread = iter([write(sender, hot.pk, n) for n in range(count)])
    if args.cpu:
        cpu(calls[args.endpoint], args)
    elif args.statements:
        statements(calls[args.endpoint], args)
    else:
        profile(calls[args.endpoint], args)


def group_calls(client) -> dict:
    """The group endpoints, on the group the benchmark times (calls.largest_group)."""
    from itertools import count

    from bench.calls import largest_group

    def call(method: str, path: str) -> tuple[int, dict]:
        answer = client.generic(method, path)
        return answer.status_code, answer.json()

    path = f"/api/conversations/{largest_group(call)}"
    history = client.get(f"{path}/messages?limit=100").json()["data"]
    sequence = count()
    return {
        "group": lambda: client.get(path),
        "group-history": lambda: client.get(f"{path}/messages?limit=50"),
        "group-after": lambda: client.get(f"{path}/messages?limit=50&after={history[0]['id']}"),
        "group-send": lambda: client.post(
            f"{path}/messages",
            {"message_text": f"profiling group message {next(sequence)}"},
            format="json",
        ),
    }


def write(sender, recipient_id, n: int) -> int:
    answer = sender.post(
        "/api/messages/send",
        {"recipient_id": str(recipient_id), "message_text": f"unread {n}"},
        format="json",
    )
    return answer.json()["data"]["id"]


def cpu(call, args) -> None:
    """CPU milliseconds per request: the median of five batches of `args.repeat`."""
    import statistics
    import time

    for _ in range(3):
        assert call().status_code < 400
    batches = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(args.repeat):
            call()
        batches.append((time.process_time() - start) * 1000 / args.repeat)
    print(
        f"{args.endpoint}: {statistics.median(batches):.3f} CPU ms per request "
        f"(batches {', '.join(f'{b:.3f}' for b in batches)})"
    )


def statements(call, args) -> None:
    """Each statement's wall time (ms per request, median over the calls), in the order
    a request runs them, and the whole request's beside it."""
    import statistics
    import time
    from collections import defaultdict

    from django.db import connection as default_connection

    # The commit is timed too: Django's _commit, which the annotations do not declare.
    connection: Any = default_connection
    for _ in range(3):
        assert call().status_code < 400
    timings: dict[tuple[int, str], list[float]] = defaultdict(list)
    wholes = []
    position = 0

    def timed(execute, sql, params, many, context):
        nonlocal position
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            timings[(position, " ".join(str(sql).split())[:110])].append(elapsed)
            position += 1

    commit = connection._commit

    def timed_commit():
        nonlocal position
        start = time.perf_counter()
        try:
            return commit()
        finally:
            timings[(position, "COMMIT")].append((time.perf_counter() - start) * 1000)
            position += 1

    connection._commit = timed_commit
    for _ in range(args.repeat):
        position = 0
        start = time.perf_counter()
        with connection.execute_wrapper(timed):
            call()
        wholes.append((time.perf_counter() - start) * 1000)
    for (_position, sql), times in sorted(timings.items()):
        print(f"{statistics.median(times):7.3f} ms  {sql}")
    in_sql = sum(statistics.median(times) for times in timings.values())
    print(f"{statistics.median(wholes):7.3f} ms  the request ({in_sql:.3f} in statements)")


def profile(call, args) -> None:
    """Warm the endpoint up, then profile `args.repeat` calls of it."""
    from pyinstrument import Profiler

    for _ in range(3):
        assert call().status_code < 400
    if args.flat:
        import cProfile
        import pstats
        import time

        # Timed by the process's CPU clock: other processes on the machine hardly move it.
        with cProfile.Profile(time.process_time) as flat:
            for _ in range(args.repeat):
                call()
        pstats.Stats(flat).sort_stats("tottime").print_stats(30)
        pstats.Stats(flat).sort_stats("cumulative").print_stats(60)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        call()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=args.all))


if __name__ == "__main__":
    main()
