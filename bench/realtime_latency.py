"""Real-time delivery latency across two server processes (figures, not a test).

Opens N authenticated sockets (one per member, JWT in the handshake) spread over two
uvicorn processes that share one MariaDB/MySQL database and one Redis, then sends
messages over REST between random pairs at a fixed rate for up to D seconds, and prints
the delivery latency (send request start -> `message.new` received on the recipient's
socket) at p50/p95/p99 and the number of messages lost. Loopback only; everything it
starts is stopped at the end.

    mysql -uroot -h127.0.0.1 -e "CREATE DATABASE IF NOT EXISTS bench_rt CHARACTER SET utf8mb4"
    DATABASE_URL=mysql://root@127.0.0.1:3306/bench_rt REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/realtime_latency.py --sockets 1000 --seconds 60 --rate 25

The database is migrated and the bench members (rt-bench-<i>@example.org) are created
once and reused.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")
# One key for this run, shared with the server processes (they inherit the environment),
# so the tokens minted here are valid there.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60, help="sending time, at most 600")
    parser.add_argument("--rate", type=float, default=25, help="messages per second")
    parser.add_argument("--senders", type=int, default=8, help="concurrent HTTP connections")
    parser.add_argument("--grace", type=float, default=5, help="seconds to wait for stragglers")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.seconds = min(args.seconds, 600)
    return args


def prepare_database(count: int) -> list[tuple[str, str]]:
    """Migrate, create the bench members once, and return (id, access token) for each."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework_simplejwt.tokens import AccessToken

    if not settings.REDIS_URL or "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Set DATABASE_URL=mysql://... and REDIS_URL: two processes must share them.")
    call_command("migrate", verbosity=0)
    User = get_user_model()
    emails = [f"rt-bench-{i}@example.org" for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [User(email=e, name=f"Bench {e.split('@')[0]}") for e in emails if e not in existing],
        batch_size=500,
    )
    members = User.objects.filter(email__in=emails).order_by("email")
    return [(str(member.pk), str(AccessToken.for_user(member))) for member in members]


class Run:
    def __init__(self, args, members, servers):
        self.args = args
        self.members = members
        self.servers = servers
        self.started: dict[str, float] = {}  # client_message_id -> send start
        self.latencies: list[float] = []
        self.send_times: list[float] = []
        self.send_errors = 0
        self.error_statuses: dict = {}
        self.error_samples: dict = {}
        self.sent_ok: set[str] = set()
        self.delivered: set[str] = set()
        self.duplicates = 0
        # Unique per run, so a key never names a message of an earlier run (a reused
        # client_message_id is an idempotent retry: 200 and no event).
        self.run_id = secrets.token_hex(4)

    def server_of(self, index: int):
        return self.servers[index % len(self.servers)]

    async def listen(self, socket, member_id: str):
        async for frame in socket:
            now = time.perf_counter()
            event = json.loads(frame)
            if event.get("type") != "message.new":
                continue
            message = event["message"]
            key = message.get("client_message_id")
            if message["recipient_id"] != member_id or key not in self.started:
                continue
            if key in self.delivered:
                self.duplicates += 1
                continue
            self.delivered.add(key)
            self.latencies.append(now - self.started[key])

    async def open_sockets(self):
        from websockets.asyncio.client import connect

        limit = asyncio.Semaphore(50)

        async def open_one(index, member_id, token):
            async with limit:
                socket = await connect(
                    self.server_of(index).ws_url,
                    additional_headers={"Authorization": f"Bearer {token}"},
                    open_timeout=60,
                    ping_interval=None,
                )
                await socket.send(json.dumps({"type": "ping"}))
                while json.loads(await socket.recv())["type"] != "pong":
                    pass
                return socket

        sockets = await asyncio.gather(
            *(open_one(i, m, t) for i, (m, t) in enumerate(self.members))
        )
        self.listeners = [
            asyncio.create_task(self.listen(socket, member_id))
            for socket, (member_id, _token) in zip(sockets, self.members, strict=True)
        ]
        return sockets

    def send_one(self, connections, sender: int, recipient: int, key: str):
        server = self.server_of(sender)
        connection = connections.get(server.port)
        if connection is None:
            connection = connections[server.port] = http.client.HTTPConnection(
                "127.0.0.1", server.port, timeout=30
            )
        body = json.dumps(
            {
                "recipient_id": self.members[recipient][0],
                "message_text": f"bench message {key}",
                "client_message_id": key,
            }
        )
        headers = {
            "Authorization": f"Bearer {self.members[sender][1]}",
            "Content-Type": "application/json",
        }
        self.started[key] = started = time.perf_counter()
        try:
            connection.request("POST", "/api/messages/send", body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            connections.pop(server.port, None)
            status, answer = type(error).__name__, b""
        ok = status == 201
        if not ok:
            self.error_statuses[status] = self.error_statuses.get(status, 0) + 1
            self.error_samples.setdefault(status, answer[:300])
        self.send_times.append(time.perf_counter() - started)
        if ok:
            self.sent_ok.add(key)
        else:
            self.send_errors += 1

    async def send_for(self, seconds: float):
        rng = random.Random(self.args.seed)
        loop = asyncio.get_running_loop()
        local: dict[int, dict[int, http.client.HTTPConnection]] = {}
        executor = ThreadPoolExecutor(self.args.senders)

        def in_thread(sender, recipient, key):
            import threading

            connections = local.setdefault(threading.get_ident(), {})
            self.send_one(connections, sender, recipient, key)

        interval = 1 / self.args.rate
        begin = time.perf_counter()
        pending = []
        sequence = 0
        while time.perf_counter() - begin < seconds:
            sender, recipient = rng.sample(range(len(self.members)), 2)
            sequence += 1
            key = f"rt-{self.run_id}-{sequence}"
            pending.append(loop.run_in_executor(executor, in_thread, sender, recipient, key))
            next_at = begin + sequence * interval
            await asyncio.sleep(max(0, next_at - time.perf_counter()))
        await asyncio.gather(*pending)
        executor.shutdown()
        return time.perf_counter() - begin


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def main_async(args, members, servers):
    run = Run(args, members, servers)
    opened_at = time.perf_counter()
    sockets = await run.open_sockets()
    open_seconds = time.perf_counter() - opened_at
    print(f"sockets open: {len(sockets)} over {len(servers)} processes in {open_seconds:.1f} s")
    await asyncio.sleep(2)  # let the connect-time presence events settle

    sending = await run.send_for(args.seconds)
    deadline = time.perf_counter() + args.grace
    while run.sent_ok - run.delivered and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)

    for task in run.listeners:
        task.cancel()
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)

    lost = len(run.sent_ok - run.delivered)
    ms = [value * 1000 for value in run.latencies]
    rest = [value * 1000 for value in run.send_times]
    print(
        f"sent: {len(run.sent_ok)} messages in {sending:.1f} s "
        f"({len(run.sent_ok) / sending:.1f}/s), send errors: {run.send_errors}"
    )
    for status, count in run.error_statuses.items():
        print(f"  send error {status} x{count}: {run.error_samples[status]!r}")
    print(f"delivered: {len(run.delivered)}, lost: {lost}, duplicates: {run.duplicates}")
    if ms:
        print(
            "delivery latency ms (send start -> event received): "
            f"p50 {percentile(ms, 0.50):.1f}  p95 {percentile(ms, 0.95):.1f}  "
            f"p99 {percentile(ms, 0.99):.1f}  max {max(ms):.1f}  mean {statistics.mean(ms):.1f}"
        )
        print(
            "REST send response ms: "
            f"p50 {percentile(rest, 0.50):.1f}  p95 {percentile(rest, 0.95):.1f}  "
            f"p99 {percentile(rest, 0.99):.1f}"
        )


def main():
    args = parse_args()
    members = prepare_database(args.sockets)
    sys.path.insert(0, str(ROOT))
    from messaging.tests.realtime.servers import start_servers

    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"{args.sockets} sockets, {args.rate}/s for {args.seconds:.0f} s, seed {args.seed}")
    servers = start_servers(
        2,
        settings_module="alumunity.settings",
        extra_env={"SEND_RATE": "100000/min", "CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"},
    )
    try:
        asyncio.run(main_async(args, members, servers))
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
