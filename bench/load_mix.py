"""A bounded load test with many members at once, on loopback only: C concurrent
clients (default 200), each signed in as its own member, keep a realistic mix of
requests going for S seconds (at most 60) against a uvicorn server this script starts,
then every message the server accepted is looked up again. Prints requests/s, p50/p95,
errors (any status 0 or >= 400) and lost messages (accepted but not found afterwards,
or counters that disagree with the rows).

    .venv/bin/python bench/load_mix.py                      # throwaway SQLite database
    .venv/bin/python bench/load_mix.py --clients 200 --seconds 30 --think 0.5
    DATABASE_URL=mysql://root@127.0.0.1:3306/load_mix REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/load_mix.py                  # an existing, empty database

The mix per client: inbox 25%, open a conversation 20%, send 20%, mark one message
read 10%, search 10%, unread count 15%. Each client pauses `--think` seconds on average
between requests (exponential), like a person using the app.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

# bench/ is on sys.path when a script here runs.
from serving import free_port, uvicorn_command

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET_KEY = "load-mix-" + "k" * 56  # the server and the token minting share it
WORDS = ["reunion", "coffee", "conference", "mentor", "weekend", "budget", "piano", "hiking"]


def setup_django(database_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "alumunity.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = SECRET_KEY
    os.environ.setdefault("DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(clients: int) -> list[dict]:
    """`clients` members in rings of four friends, each with a conversation already."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    from messaging import services

    call_command("migrate", verbosity=0, interactive=False)
    User = get_user_model()
    password = make_password(None)
    members = User.objects.bulk_create(
        User(email=f"load-{index}@example.org", name=f"Load Member {index}", password=password)
        for index in range(clients)
    )
    people = []
    for index, member in enumerate(members):
        ring = index - index % 4
        friends = [members[ring + k] for k in range(4) if ring + k < clients and k != index % 4]
        people.append(
            {
                "id": str(member.pk),
                "token": str(AccessToken.for_user(member)),
                "friends": [str(friend.pk) for friend in friends],
            }
        )
        for friend in friends[:1]:
            services.send_message(
                sender=member, recipient_id=friend.pk, text=f"hello {random.choice(WORDS)}"
            )
    return people


class Http:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams (no dependency)."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: dict | None = None):
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        reader = self.reader
        data = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {self.token}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        self.writer.write(head.encode() + data)
        await self.writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        payload = await reader.readexactly(length) if length else b""
        return status, payload

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def client(person, port, stop_at, think, stats, sent, rng):
    http = Http(port, person["token"])
    unread_seen: list[int] = []
    sequence = 0
    while time.perf_counter() < stop_at:
        await asyncio.sleep(rng.expovariate(1 / think) if think else 0)
        friend = rng.choice(person["friends"])
        roll = rng.random()
        body = None
        if roll < 0.25:
            kind, method, path = "inbox", "GET", "/api/messages/inbox?limit=20"
        elif roll < 0.45:
            kind, method, path = "open", "GET", f"/api/messages/conversation/{friend}?limit=30"
        elif roll < 0.65:
            sequence += 1
            kind, method, path = "send", "POST", "/api/messages/send"
            client_id = f"{person['id'][:8]}-{sequence}"
            body = {
                "recipient_id": friend,
                "message_text": f"{rng.choice(WORDS)} plans, note {sequence}",
                "client_message_id": client_id,
            }
        elif roll < 0.75 and unread_seen:
            kind, method = "mark-read", "PUT"
            path = f"/api/messages/mark-as-read/{unread_seen.pop()}"
        elif roll < 0.85:
            kind, method, path = "search", "GET", f"/api/messages/search?q={rng.choice(WORDS)}"
        else:
            kind, method, path = "unread", "GET", "/api/messages/unread-count"
        started = time.perf_counter()
        try:
            status, payload = await http.request(method, path, body)
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            status, payload = 0, b""
            http.close()
        elapsed = time.perf_counter() - started
        stats["latencies"].append(elapsed)
        stats["by_kind"].setdefault(kind, []).append(elapsed)
        stats["statuses"][status] = stats["statuses"].get(status, 0) + 1
        if kind == "send":
            outcome = json.loads(payload)["data"]["id"] if status in (200, 201) else None
            sent.append({"client_message_id": body["client_message_id"], "id": outcome})
        elif kind == "open" and status == 200:
            for message in json.loads(payload)["data"]:
                if message["recipient_id"] == person["id"]:
                    unread_seen.append(message["id"])
            del unread_seen[:-10]
    http.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000 if ordered else 0


def check_lost(sent: list[dict]) -> tuple[int, int]:
    """Accepted messages not in the database, and conversations whose counters
    disagree with their rows."""
    from django.db.models import Count, Max

    from messaging.models import Message, Participant

    accepted = {entry["id"] for entry in sent if entry["id"] is not None}
    found = set(Message.objects.filter(pk__in=accepted).values_list("pk", flat=True))
    lost = len(accepted - found)
    wrong = 0
    actual = {
        row["conversation"]: row
        for row in Message.objects.values("conversation").annotate(n=Count("id"), last=Max("id"))
    }
    for participant in Participant.objects.filter(left_at=None, first_message_id=0):
        row = actual.get(participant.conversation_id, {"n": 0, "last": None})
        if participant.message_count != row["n"] or participant.last_message_id != row["last"]:
            wrong += 1
    return lost, wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause, seconds")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    seconds = min(args.seconds, 60)

    workdir = Path(tempfile.mkdtemp(prefix="load-mix-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'load.sqlite3'}"
    setup_django(database_url)
    print(f"seeding {args.clients} members ...", flush=True)
    people = seed(args.clients)

    port = free_port()
    log = open(workdir / "server.log", "w")  # noqa: SIM115
    server = _start_server(port, database_url, args.workers, log)
    stats: dict[str, Any] = {"latencies": [], "by_kind": {}, "statuses": {}}
    sent: list[dict] = []
    try:
        _wait_for_port(port)

        async def run():
            stop_at = time.perf_counter() + seconds
            rng = random.Random(7)
            await asyncio.gather(
                *(
                    client(
                        person, port, stop_at, args.think, stats, sent, random.Random(rng.random())
                    )
                    for person in people
                )
            )

        print(
            f"{args.clients} clients for {seconds:.0f} s against 127.0.0.1:{port} ...", flush=True
        )
        started = time.perf_counter()
        asyncio.run(run())
        elapsed = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    report = _report(args.clients, elapsed, database_url, stats, sent)
    print(json.dumps(report, indent=2))


def _start_server(port: int, database_url: str, workers: int, log: IO[str]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        uvicorn_command(port, "--workers", str(workers)),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


def _report(
    clients: int, elapsed: float, database_url: str, stats: dict[str, Any], sent: list[dict]
) -> dict:
    lost, wrong_counters = check_lost(sent)
    total = len(stats["latencies"])
    errors = sum(
        count for status, count in stats["statuses"].items() if status == 0 or status >= 400
    )
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "database": database_url.split(":", 1)[0],
        "requests": total,
        "requests_per_second": round(total / elapsed, 1),
        "p50_ms": round(percentile(stats["latencies"], 0.50), 1),
        "p95_ms": round(percentile(stats["latencies"], 0.95), 1),
        "p95_ms_by_kind": {
            kind: round(percentile(values, 0.95), 1)
            for kind, values in sorted(stats["by_kind"].items())
        },
        "statuses": {str(status): count for status, count in sorted(stats["statuses"].items())},
        "errors": errors,
        "messages_accepted": sum(1 for entry in sent if entry["id"] is not None),
        "messages_lost": lost,
        "conversations_with_wrong_counters": wrong_counters,
    }


if __name__ == "__main__":
    main()
