"""django-postman 4.6, the peer a Django developer would otherwise pick, measured beside
the project in the same run (bench/run.py --peer, `make bench-peer`).

It lives in a virtual environment of its own (bench/data/peer-venv, from
bench/peer/requirements.txt), in a database of its own holding a copy of the project's
benchmark data (bench/peer/seed_peer.py), served by gunicorn (one process, one thread,
keep-alive) as such a WSGI project is deployed. A member logs in through the login form
and then, like a browser, sends the session cookie and the CSRF token.
"""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from serving import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "bench" / "peer"
VENV = ROOT / "bench" / "data" / "peer-venv"
PYTHON = VENV / "bin" / "python"


def ensure_venv() -> None:
    stamp = VENV / ".installed"
    requirements = PEER / "requirements.txt"
    if stamp.exists() and stamp.read_text() == requirements.read_text():
        return
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
    stamp.write_text(requirements.read_text())


def peer_database_url(source_url: str) -> str:
    """Beside the project's database: <file>-postman.sqlite3, or <name>_postman."""
    parts = urlsplit(source_url)
    if parts.scheme == "sqlite":
        return source_url.replace(".sqlite3", "-postman.sqlite3")
    return urlunsplit(parts._replace(path=parts.path + "_postman"))


def source_name(source_url: str) -> str:
    parts = urlsplit(source_url)
    return parts.path[1:] if parts.scheme == "sqlite" else parts.path.lstrip("/")


def peer_env(peer_url: str) -> dict:
    return {
        "PEER_DATABASE_URL": peer_url,
        "DJANGO_SETTINGS_MODULE": "peer_site.settings",
        "PATH": str(VENV / "bin"),
        "PYTHONPATH": str(PEER),
    }


def prepare(source_url: str) -> tuple[str, dict]:
    """Installs, migrates and seeds the peer; returns its database URL and the ids of the
    thread and of the message the benchmark replies to."""
    ensure_venv()
    peer_url = peer_database_url(source_url)
    if peer_url.startswith("mysql"):
        from run import create_mysql_database

        create_mysql_database(peer_url)
    env = peer_env(peer_url)
    migrate = [str(PYTHON), "-m", "django", "migrate", "-v", "0"]
    subprocess.run(migrate, cwd=PEER, env=env, check=True)
    output = subprocess.run(
        [str(PYTHON), "seed_peer.py"],
        cwd=PEER,
        env={**env, "SOURCE": source_name(source_url)},
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return peer_url, json.loads(output.strip().splitlines()[-1])


class PeerServer(ServerProcess):
    def __init__(self, peer_url: str, log_path: Path):
        super().__init__(
            gunicorn_command,
            cwd=PEER,
            env=peer_env(peer_url),
            log_path=log_path,
            ready_path="/floor",
            stop_signal=signal.SIGTERM,
        )


def gunicorn_command(port: int) -> list[str]:
    return [
        str(VENV / "bin" / "gunicorn"),
        "peer_site.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--worker-class",
        "gthread",
        "--threads",
        "1",
        "--keep-alive",
        "60",
    ]


class FormClient:
    """A browser in miniature: one keep-alive connection, cookies, CSRF token."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def form_token(self, path: str) -> str:
        _, page = self.request("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    def login(self, email: str, password: str) -> None:
        token = self.form_token("/accounts/login/")
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        if status != 302:
            raise RuntimeError(f"the peer refused the login of {email}: {status}")

    def timed(self, method: str, path: str, form: dict | None = None, expect: int = 200) -> float:
        started = time.perf_counter()
        status, text = self.request(method, path, form)
        elapsed = time.perf_counter() - started
        if status != expect:
            raise RuntimeError(f"peer {method} {path} -> {status}: {text[:300]}")
        return elapsed


def peer_timers(port: int, targets: dict, email: str, password: str) -> dict:
    """Name -> a function timing one request of the peer's equivalent of our endpoint."""
    member = FormClient(port)
    member.login(email, password)
    reply_path = f"/messages/reply/{targets['reply_to']}/"
    token = member.form_token(reply_path)
    sequence = iter(range(10**9))
    inbox = "/messages/inbox/"
    if "page=2" not in member.request("GET", inbox)[1]:
        raise SystemExit("the peer's inbox is not paginated: is dj-pagination wired in?")
    return {
        "postman: one-query view": lambda: member.timed("GET", "/floor"),
        "postman: inbox": lambda: member.timed("GET", inbox),
        "postman: thread": lambda: member.timed("GET", f"/messages/view/t/{targets['thread']}/"),
        "postman: unread count": lambda: member.timed("GET", "/unread-count"),
        "postman: reply": lambda: member.timed(
            "POST",
            reply_path,
            {
                "csrfmiddlewaretoken": token,
                "subject": "Re: benchmark",
                "body": f"benchmark reply {next(sequence)}",
            },
            expect=302,
        ),
    }


# Our endpoint and django-postman's equivalent.
PEER_PAIRS = [
    ("bare view", "postman: one-query view"),
    ("inbox", "postman: inbox"),
    ("conversation", "postman: thread"),
    ("unread-count", "postman: unread count"),
    ("send", "postman: reply"),
]


def print_peer_table(results: dict) -> None:
    rounds = results["bare view"]["n"]
    title = f"side by side, p50 ms ({rounds} rounds)"
    print(f"  {title:<30}{'ours':>8}{'postman':>9}{'postman/ours':>14}")
    for ours, theirs in PEER_PAIRS:
        mine, other = results[ours]["p50"], results[theirs]["p50"]
        print(f"  {ours:<30}{mine:>8.2f}{other:>9.2f}{other / mine:>13.1f}x")
