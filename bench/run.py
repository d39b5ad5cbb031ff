"""The benchmark behind `make bench`: for each data size, seed (or reuse) the
data, start the ASGI server as `make run` does (uvicorn, DEBUG off) and, with the same
command, a bare one-query Django view (bench/floor_settings.py); measure p50/p95 of
every endpoint for the hot member in rounds with the bare view, as ratios to it and to
/api/auth/me (JWT + one query), search for common and rare words; run a bounded mixed
load from a second process; with --peer, measure django-postman's equivalents in rounds
with ours (bench/peer.py); and finally print how each endpoint's latency changed between
the smallest and the largest size. The data has groups too (--groups, the hot member in
--hot-groups of them): a send to a 50-member group, its history and the group object
are measured beside the one-to-one endpoints, and the inbox lists groups.

    .venv/bin/python bench/run.py                          # SQLite, 10k and 1M messages
    DATABASE_URL=mysql://root@127.0.0.1:3306/bench_perf .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --peer                   # and django-postman beside it

Options (also as environment variables in the Makefile): --sizes 10000,1000000
--users 10000 --hot 1200 --groups 2000 --hot-groups 100 --requests 200 --load-seconds 30
--connections 8 --peer --peer-requests 50. Results also go to bench/data/results-<database>.json.
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
from urllib.parse import urlsplit, urlunsplit

# bench/ is on sys.path when a script here runs.
import machine
import peer
from calls import largest_group, load_plan, our_calls
from serving import ServerProcess, uvicorn_command

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOT_EMAIL = "bench-hot@example.org"
PASSWORD = "bench-password"
# Every word of the seed's vocabulary is in ~3% of messages (common); a query of several
# words matches only messages holding all of them (rare).
COMMON_WORDS = ["question", "thanks", "meeting", "coffee"]
RARE_QUERIES = ["budget meeting", "café résumé", "piano weekend"]


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
            "--groups",
            str(args.groups),
            "--hot-groups",
            str(args.hot_groups),
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
    seeded = 0.0 if "Already seeded" in result.stdout else time.perf_counter() - started
    # The search index as the worker keeps it (SQLite: merged, messaging/search_upkeep.py);
    # nothing to do when it already is, or on MySQL/MariaDB.
    merged = subprocess.run(
        [PYTHON, "manage.py", "merge_search_index"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    print("  " + merged.stdout.strip())
    return seeded


class Server(ServerProcess):
    """The project (or, with `settings`, the bare view of bench/floor_settings.py) under
    the command `make serve` runs."""

    def __init__(self, url: str, log_path: Path, settings: str = "", ready: str = "/healthz"):
        env = server_env(url)
        if settings:
            env["DJANGO_SETTINGS_MODULE"] = settings
        super().__init__(
            uvicorn_command,
            cwd=ROOT,
            env=env,
            log_path=log_path,
            ready_path=ready,
            stop_signal=signal.SIGINT,
        )


class Client:
    """One keep-alive connection, as a mobile app holds."""

    def __init__(self, port: int, token: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def exchange(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        """One request, up to the last byte of its response."""
        data = json.dumps(body) if body is not None else None
        try:
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed an idle keep-alive connection: reconnect, as apps do.
            self.connection.close()
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
        return response.status, response.read()

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        status, raw = self.exchange(method, path, body)
        return status, (json.loads(raw) if raw else {})

    def timed(self, method: str, path: str, body: dict | None = None) -> float:
        """Seconds from the request to the last byte of the response, as HTTP load tools
        count them: decoding the JSON is the client's work, done after the clock stops."""
        started = time.perf_counter()
        status, raw = self.exchange(method, path, body)
        elapsed = time.perf_counter() - started
        if status >= 400:
            raise RuntimeError(f"{method} {path} -> {status} {raw[:300]!r}")
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


def hot_words(url: str) -> list[str]:
    """The most frequent words of the hot member's history (bench/hot_words.py)."""
    output = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "hot_words.py")],
        cwd=ROOT,
        env=server_env(url),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return [word for word, _count in json.loads(output.strip().splitlines()[-1])]


def search_queries(top_word: str) -> list[str]:
    """The most frequent word of the member's history first, then the words members
    type most, then rarer combinations (every word must match: fewer messages)."""
    common = [top_word] + [word for word in COMMON_WORDS if word != top_word]
    return common + RARE_QUERIES


def deep_anchor(hot: Client, partner: str, depth: int = 500, page: int = 50) -> int:
    """A `before=` anchor `depth` messages back in the conversation with `partner`, or
    less deep in a shorter one, but always with a whole page (`page` messages) before
    it: an anchor at the very first message would time an empty page."""
    older_first: list[int] = []
    path = f"/api/messages/conversation/{partner}?limit=100"
    while len(older_first) < depth + page:
        _, found = hot.call("GET", path)
        if not found["data"]:
            break
        # Each page comes oldest first; walk back from the newest.
        older_first = [message["id"] for message in found["data"]] + older_first
        path = f"/api/messages/conversation/{partner}?limit=100&before={older_first[0]}"
    back = max(1, min(depth, len(older_first) - page))
    return older_first[-back]


def prepare_reads(hot: Client, writer: Client, args) -> dict:
    """The ids the measured calls need: the busiest partner, a deep `before=` anchor and
    fresh unread messages for the hot member, so mark-as-read does its real write."""
    busiest = member_id(hot, "bench-1@example.org")
    partner = member_id(hot, "bench-2@example.org")
    hot_id = hot.call("GET", "/api/auth/me")[1]["data"]["id"]
    anchor = deep_anchor(hot, busiest)
    unread_ids = []
    for n in range(args.requests + args.warmup):
        _, payload = writer.call(
            "POST",
            "/api/messages/send",
            {"recipient_id": hot_id, "message_text": f"please read this note {n}"},
        )
        unread_ids.append(payload["data"]["id"])
    return {
        "busiest": busiest,
        "partner": partner,
        "anchor": anchor,
        "unread": iter(unread_ids),
        "group": largest_group(hot.call),
    }


def timed_rounds(timers: dict, args) -> dict:
    """p50/p95 in ms per name. The endpoints take turns, one request each per round, so
    a slower moment of a shared machine weighs on all of them alike."""
    for _ in range(args.warmup):
        for timer in timers.values():
            timer()
    samples: dict[str, list[float]] = {name: [] for name in timers}
    # Rounds stop early past the time budget (the peer's thread page at 1M takes seconds).
    stop_at = time.perf_counter() + getattr(args, "budget", float("inf"))
    for done in range(args.requests):
        if done >= 10 and time.perf_counter() > stop_at:
            break
        for name, timer in timers.items():
            samples[name].append(timer())
    return {
        name: {
            "p50": statistics.median(values) * 1000,
            "p95": percentile(values, 0.95) * 1000,
            "n": len(values),
        }
        for name, values in samples.items()
    }


def measure(port: int, floor_port: int, queries: list[str], args) -> tuple[dict, dict, dict]:
    """p50/p95 in ms of the bare view and of each endpoint, on one connection each; also
    the plan of the mixed load and the timers, for the peer's rounds."""
    hot = Client(port, login(port, HOT_EMAIL))
    writer = Client(port, login(port, "bench-3@example.org"))
    ids = prepare_reads(hot, writer, args)
    calls = our_calls(ids, queries)
    totals = {}
    # Figures measured on empty answers would flatter: every read measured must find
    # something (a search index out of step with the code would otherwise go unseen).
    for name, call in calls.items():
        if name == "inbox" or "search" in name:
            _method, path, _body = call()
            status, payload = hot.call("GET", path)
            if status != 200 or not payload.get("total"):
                raise SystemExit(f"{path} found nothing (status {status}): is the data seeded?")
            totals[name] = payload["total"]
    bare = Client(floor_port)
    timers = {"bare view": lambda: bare.timed("GET", "/floor")}
    timers.update({name: (lambda call=call: hot.timed(*call())) for name, call in calls.items()})
    results = timed_rounds(timers, args)
    for name, total in totals.items():
        results[name]["total"] = total
    token = hot.headers["Authorization"].split()[1]
    return results, {"plan": load_plan(ids), "token": token}, timers


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


def print_table(
    size: int, vendor: str, results: dict, load: dict | None, floor_load: float | None
) -> None:
    bare, me = results["bare view"]["p50"], results["auth/me"]["p50"]
    print(f"\n{vendor}, {size:,} messages")
    print(f"  {'endpoint':<30}{'p50 ms':>8}{'p95 ms':>8}{'/bare':>8}{'/me':>8}{'matches':>9}")
    for name, row in results.items():
        print(
            f"  {name:<30}{row['p50']:>8.2f}{row['p95']:>8.2f}{row['p50'] / bare:>7.2f}x"
            f"{row['p50'] / me:>7.2f}x{row.get('total', ''):>9}"
        )
    if not load:
        return
    print(
        f"  mixed load ({load['connections']} connections, {load['seconds']} s): "
        f"{load['rps']} req/s, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
        f"errors {load['errors']}; /api/auth/me alone {floor_load} req/s "
        f"({load['rps'] / floor_load:.2f}x)"
    )


def measure_size(size: int, base: str, args) -> dict:
    url = database_url_for(base, size)
    print(f"\n== {label(size)} messages ({url.split('@')[-1]})")
    seeded_in = prepare(url, size, args)
    if seeded_in:
        print(f"  seeded in {seeded_in:.0f} s")
    queries = search_queries(hot_words(url)[0])
    if args.peer:
        peer_url, targets = peer.prepare(url)
    data = ROOT / "bench" / "data"
    server = Server(url, data / f"server-{label(size)}.log")
    floor = Server(url, data / f"floor-{label(size)}.log", "bench.floor_settings", "/floor")
    side_by_side = None
    try:
        results, plan, timers = measure(server.port, floor.port, queries, args)
        load = mixed_load(server.port, plan, args) if args.load_seconds else None
        floor_load = floor_rps(server.port, plan["token"], args) if load else None
        if args.peer:
            side_by_side = measure_peer(
                peer_url, targets, timers, data / f"peer-{label(size)}.log", args
            )
    finally:
        server.stop()
        floor.stop()
    print_table(size, args.vendor, results, load, floor_load)
    if side_by_side:
        peer.print_peer_table(side_by_side)
    return {"results": results, "load": load, "floor_load": floor_load, "peer": side_by_side}


def measure_peer(peer_url: str, targets: dict, timers: dict, log_path: Path, args) -> dict:
    """Ours and the peer's equivalents taking turns in the same rounds."""
    server = peer.PeerServer(peer_url, log_path)
    try:
        both = {ours: timers[ours] for ours, _ in peer.PEER_PAIRS}
        both.update(peer.peer_timers(server.port, targets, HOT_EMAIL, PASSWORD))
        rounds = argparse.Namespace(requests=args.peer_requests, warmup=2, budget=90)
        return timed_rounds(both, rounds)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "10000,1000000"))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 10_000)))
    parser.add_argument("--hot", type=int, default=int(os.environ.get("BENCH_HOT", 1_200)))
    parser.add_argument("--groups", type=int, default=int(os.environ.get("BENCH_GROUPS", 2_000)))
    parser.add_argument(
        "--hot-groups", type=int, default=int(os.environ.get("BENCH_HOT_GROUPS", 100))
    )
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", 200)))
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--load-seconds", type=int, default=int(os.environ.get("BENCH_LOAD_SECONDS", 30))
    )
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--peer",
        action="store_true",
        default=bool(os.environ.get("BENCH_PEER")),
        help="also measure django-postman 4.6 on the same data (bench/peer.py)",
    )
    parser.add_argument("--peer-requests", type=int, default=50)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    args.vendor = "MariaDB/MySQL" if base.startswith("mysql") else "SQLite"
    sizes = [int(size) for size in args.sizes.split(",")]
    print(
        f"Benchmark on {args.vendor}: {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}, a pure-Python loop of 2M additions in "
        f"{machine.python_loop_ms():.0f} ms, sizes {', '.join(map(label, sizes))}"
    )
    measured = {size: measure_size(size, base, args) for size in sizes}
    # The newest run, and every run under its time for bench/tables.py's medians.
    database = "mysql" if base.startswith("mysql") else "sqlite"
    results = json.dumps({label(size): row for size, row in measured.items()}, indent=1)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for name in (f"results-{database}.json", f"results-{database}-{stamp}.json"):
        (ROOT / "bench" / "data" / name).write_text(results)
    if len(sizes) > 1:
        small, large = measured[sizes[0]]["results"], measured[sizes[-1]]["results"]
        print(f"\n{args.vendor}: p50 at {label(sizes[-1])} / p50 at {label(sizes[0])}")
        for name in large:
            if name in small:
                print(f"  {name:<30}{large[name]['p50'] / small[name]['p50']:>8.2f}x")


if __name__ == "__main__":
    main()
