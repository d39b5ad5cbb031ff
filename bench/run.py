"""The benchmark behind `make bench`: for each data size, seed (or reuse) the
data, start the ASGI server as `make run` does (uvicorn, DEBUG off), measure p50/p95 of
every endpoint for the hot member against /api/auth/me (the floor: JWT + one query),
run a bounded mixed load from a second process, and finally print how each endpoint's
latency changed between the smallest and the largest size.

    .venv/bin/python bench/run.py                          # SQLite, 10k and 1M messages
    DATABASE_URL=mysql://root@127.0.0.1:3306/bench_perf .venv/bin/python bench/run.py

Options (also as environment variables in the Makefile): --sizes 10000,1000000
--users 10000 --hot 1200 --requests 200 --load-seconds 30 --connections 8.
Each size has its own database: bench/data/sqlite-<size>.sqlite3, or <name>_<size> on
MySQL/MariaDB. Seeding a database that is already seeded is skipped, so a second run
measures at once. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

# bench/ is on sys.path when a script here runs.
from serving import free_port, uvicorn_command

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOT_EMAIL = "bench-hot@example.org"
PASSWORD = "bench-password"
SEARCH_QUERIES = ["coffee", "reunion", "conference", "café", "budget meeting", "weekend", "piano"]
ENDPOINTS = [
    "auth/me (floor)",
    "inbox",
    "conversation",
    "conversation before=",
    "send",
    "mark-as-read",
    "unread-count",
    "search",
    "users/search",
]


def database_url_for(base: str, size: int) -> str:
    if base.startswith("mysql"):
        parts = urlsplit(base)
        name = parts.path.lstrip("/") or "bench_perf"
        return urlunsplit(parts._replace(path=f"/{name}_{label(size)}"))
    data = ROOT / "bench" / "data"
    data.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{data / f'sqlite-{size}.sqlite3'}"


def label(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def create_mysql_database(url: str) -> None:
    import MySQLdb

    parts = urlsplit(url)
    connection = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
    )
    name = parts.path.lstrip("/")
    connection.cursor().execute(
        f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    connection.close()


def server_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY", "bench-only-secret-key-not-for-production"),
        SEND_RATE="1000000/min",
        LOGIN_RATE="1000/min",
        LOG_LEVEL=env.get("BENCH_LOG_LEVEL", "WARNING"),
    )
    env.pop("REDIS_URL", None) if not env.get("BENCH_REDIS_URL") else env.update(
        REDIS_URL=env["BENCH_REDIS_URL"]
    )
    return env


def prepare(url: str, size: int, args) -> float:
    """Migrate and seed; returns the seconds spent seeding (0 when reused)."""
    if url.startswith("mysql"):
        create_mysql_database(url)
    env = server_env(url)
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    started = time.perf_counter()
    result = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "seed_bench",
            "--users",
            str(args.users),
            "--messages",
            str(size),
            "--hot-conversations",
            str(args.hot),
            "--seed",
            "1",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    print("  " + result.stdout.strip().splitlines()[-1])
    return 0.0 if "Already seeded" in result.stdout else time.perf_counter() - started


class Server:
    def __init__(self, url: str, log_path: Path):
        self.port = free_port()
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            uvicorn_command(self.port),
            cwd=ROOT,
            env=server_env(url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status, _ = Client(self.port).call("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start; see {log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


class Client:
    """One keep-alive connection, as a mobile app holds."""

    def __init__(self, port: int, token: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body) if body is not None else None
        try:
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed an idle keep-alive connection: reconnect, as apps do.
            self.connection.close()
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})

    def timed(self, method: str, path: str, body: dict | None = None) -> float:
        started = time.perf_counter()
        status, payload = self.call(method, path, body)
        elapsed = time.perf_counter() - started
        if status >= 400:
            raise RuntimeError(f"{method} {path} -> {status} {payload}")
        return elapsed


def login(port: int, email: str) -> str:
    status, payload = Client(port).call(
        "POST", "/api/auth/token/", {"email": email, "password": PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"login {email}: {status} {payload}")
    return payload["access"]


def member_id(client: Client, email: str) -> str:
    _, payload = client.call("GET", f"/api/users/search?q={email}&limit=1")
    return payload["data"][0]["id"]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(port: int, args) -> tuple[dict, dict]:
    """p50/p95 in ms for each endpoint, measured one after the other on one connection."""
    hot = Client(port, login(port, HOT_EMAIL))
    busiest = member_id(hot, "bench-1@example.org")
    partner = member_id(hot, "bench-2@example.org")
    writer_email = "bench-3@example.org"
    writer = Client(port, login(port, writer_email))
    hot_id = hot.call("GET", "/api/auth/me")[1]["data"]["id"]
    anchor = _deep_anchor(hot, busiest)
    unread_iter = iter(_fresh_unread(writer, hot_id, args.requests + args.warmup))

    sequence = iter(range(10**9))
    calls = {
        "auth/me (floor)": lambda: ("GET", "/api/auth/me", None),
        "inbox": lambda: ("GET", "/api/messages/inbox?limit=50", None),
        "conversation": lambda: ("GET", f"/api/messages/conversation/{busiest}?limit=50", None),
        "conversation before=": lambda: (
            "GET",
            f"/api/messages/conversation/{busiest}?limit=50&before={anchor}",
            None,
        ),
        "send": lambda: (
            "POST",
            "/api/messages/send",
            {"recipient_id": partner, "message_text": f"benchmark message {next(sequence)}"},
        ),
        "mark-as-read": lambda: ("PUT", f"/api/messages/mark-as-read/{next(unread_iter)}", None),
        "unread-count": lambda: ("GET", "/api/messages/unread-count", None),
        "search": lambda: (
            "GET",
            "/api/messages/search?limit=20&q="
            + quote(SEARCH_QUERIES[next(sequence) % len(SEARCH_QUERIES)]),
            None,
        ),
        "users/search": lambda: ("GET", "/api/users/search?q=grace&limit=20", None),
    }
    _check_reads_find_something(hot)
    results = {}
    for name in ENDPOINTS:
        for _ in range(args.warmup):
            hot.timed(*calls[name]())
        samples = [hot.timed(*calls[name]()) for _ in range(args.requests)]
        results[name] = {
            "p50": statistics.median(samples) * 1000,
            "p95": percentile(samples, 0.95) * 1000,
        }
    token = hot.headers["Authorization"].split()[1]
    return results, {"plan": _load_plan(busiest, partner), "token": token}


def _deep_anchor(hot: Client, busiest: str) -> int | None:
    """A deep anchor for before=: page back through the busiest conversation."""
    anchor = None
    path = f"/api/messages/conversation/{busiest}?limit=100"
    for _ in range(5):
        _, page = hot.call("GET", path)
        if not page["data"]:
            break
        anchor = page["data"][0]["id"]
        path = f"/api/messages/conversation/{busiest}?limit=100&before={anchor}"
    return anchor


def _fresh_unread(writer: Client, hot_id: str, count: int) -> list[int]:
    """Fresh unread messages for the hot member, so mark-as-read does its real write."""
    unread_ids = []
    for n in range(count):
        _status, payload = writer.call(
            "POST",
            "/api/messages/send",
            {"recipient_id": hot_id, "message_text": f"please read this note {n}"},
        )
        unread_ids.append(payload["data"]["id"])
    return unread_ids


def _check_reads_find_something(hot: Client) -> None:
    """Figures measured on empty answers would flatter: every read measured must find
    something (a search index out of step with the code would otherwise go unseen)."""
    checks = [f"/api/messages/search?limit=20&q={quote(query)}" for query in SEARCH_QUERIES]
    checks += ["/api/messages/inbox?limit=50", "/api/users/search?q=grace&limit=20"]
    for path in checks:
        status, payload = hot.call("GET", path)
        if status != 200 or not payload.get("total"):
            raise SystemExit(f"{path} found nothing (status {status}): is the data set seeded?")


def _load_plan(busiest: str, partner: str) -> dict:
    """The mixed load's requests and their weights (bench/load_mix.py runs it)."""
    return {
        "mix": [
            {"method": "GET", "path": "/api/messages/inbox?limit=50", "weight": 20},
            {
                "method": "GET",
                "path": f"/api/messages/conversation/{busiest}?limit=50",
                "weight": 20,
            },
            {"method": "GET", "path": "/api/messages/unread-count", "weight": 25},
            {"method": "GET", "path": "/api/messages/search?limit=20&q=coffee", "weight": 5},
            {"method": "GET", "path": "/api/auth/me", "weight": 15},
            {"method": "GET", "path": "/api/users/search?q=grace&limit=20", "weight": 5},
            {
                "method": "POST",
                "path": "/api/messages/send",
                "weight": 10,
                "body": {"recipient_id": partner},
            },
        ]
    }


def mixed_load(port: int, load: dict, args) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(load["plan"], handle)
    try:
        output = subprocess.run(
            [
                PYTHON,
                str(ROOT / "bench" / "load.py"),
                "--port",
                str(port),
                "--token",
                load["token"],
                "--plan",
                handle.name,
                "--seconds",
                str(args.load_seconds),
                "--connections",
                str(args.connections),
            ],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(output.strip().splitlines()[-1])


def floor_rps(port: int, token: str, args) -> float:
    plan = {"mix": [{"method": "GET", "path": "/api/auth/me", "weight": 1}]}
    seconds = max(5, args.load_seconds // 3)
    return mixed_load(
        port,
        {"plan": plan, "token": token},
        argparse.Namespace(**{**vars(args), "load_seconds": seconds}),
    )["rps"]


def print_table(size: int, vendor: str, results: dict, load: dict, floor_load: float) -> None:
    floor = results["auth/me (floor)"]["p50"]
    print(f"\n{vendor}, {size:,} messages")
    print(f"  {'endpoint':<22}{'p50 ms':>9}{'p95 ms':>9}{'p50/floor':>11}")
    for name in ENDPOINTS:
        row = results[name]
        print(f"  {name:<22}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['p50'] / floor:>10.2f}x")
    print(
        f"  mixed load ({load['connections']} connections, {load['seconds']} s): "
        f"{load['rps']} req/s, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
        f"errors {load['errors']}; floor alone {floor_load} req/s "
        f"({load['rps'] / floor_load:.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "10000,1000000"))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 10_000)))
    parser.add_argument("--hot", type=int, default=int(os.environ.get("BENCH_HOT", 1_200)))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--load-seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", 30))
    )
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    vendor = "MariaDB/MySQL" if base.startswith("mysql") else "SQLite"
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"Benchmark on {vendor}: {os.cpu_count()} CPUs, sizes {', '.join(map(label, sizes))}")
    measured = {}
    for size in sizes:
        url = database_url_for(base, size)
        print(f"\n== {label(size)} messages ({url.split('@')[-1]})")
        seeded_in = prepare(url, size, args)
        if seeded_in:
            print(f"  seeded in {seeded_in:.0f} s")
        log_path = ROOT / "bench" / "data" / f"server-{label(size)}.log"
        server = Server(url, log_path)
        try:
            results, load_plan = measure(server.port, args)
            load = mixed_load(server.port, load_plan, args)
            floor_load = floor_rps(server.port, load_plan["token"], args)
        finally:
            server.stop()
        print_table(size, vendor, results, load, floor_load)
        measured[size] = results
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\n{vendor}: p50 at {label(large)} / p50 at {label(small)}")
        for name in ENDPOINTS:
            ratio = measured[large][name]["p50"] / measured[small][name]["p50"]
            print(f"  {name:<22}{ratio:>8.2f}x")


if __name__ == "__main__":
    main()
