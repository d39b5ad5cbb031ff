"""Real ASGI server processes (uvicorn) on the test database, for the tests that need
several processes sharing one database and one Redis."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def shared_backends_missing() -> str | None:
    """Why several processes cannot share this run's state, or None when they can."""
    if not settings.REDIS_URL:
        return "needs REDIS_URL: without Redis each process has its own channel layer"
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return "needs a database server (DATABASE_URL=mysql://...) that several processes share"
    return None


def database_url() -> str:
    """A DATABASE_URL naming the database this test run uses (test_<name>)."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"mysql://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(
        self,
        *,
        port: int | None = None,
        settings_module: str = "alumunity.test_settings",
        extra_env: dict | None = None,
        command: list[str] | None = None,
    ):
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws/messages/"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.process = subprocess.Popen(
            command
            or [
                sys.executable,
                "-m",
                "uvicorn",
                "alumunity.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env=env,
        )

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on port {self.port} exited: {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server on port {self.port} did not answer /healthz in {timeout}s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_servers(count: int, **options) -> list[Server]:
    servers = [Server(**options) for _ in range(count)]
    try:
        for server in servers:
            server.wait_until_ready()
    except Exception:
        for server in servers:
            server.stop()
        raise
    return servers


# --- talking to them as a mobile app does ----------------------------------------------

WAIT = 10


def call(server, method: str, path: str, token: str, body: dict | None = None):
    """(status, JSON body) of a REST call with an access token."""
    request = urllib.request.Request(
        server.base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        return response.status, json.loads(response.read() or b"null")


def next_event(socket, kind: str) -> dict:
    """The next event of this kind on a websockets client; others on the way are passed."""
    while True:
        event = json.loads(socket.recv(timeout=WAIT))
        if event["type"] == kind:
            return event


def socket_on(server, token: str):
    from websockets.sync.client import connect

    socket = connect(
        server.ws_url, additional_headers={"Authorization": f"Bearer {token}"}, legacy=True
    )
    socket.send(json.dumps({"type": "ping"}))
    next_event(socket, "pong")
    return socket
