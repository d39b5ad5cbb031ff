"""`make serve` / `make run`: uvicorn on 127.0.0.1:PORT, with two courtesies.

    python -m alumunity.serve --check PORT   # exit 1, saying what to do, if PORT is taken
    python -m alumunity.serve PORT           # serve; say "Serving on ..." once it answers

The check runs before migrating and seeding, so a taken port is said at once and not
after a minute of setup; the address is printed only when the server answers it. Then
the notifications worker starts beside the server (its emails print on the same output
with the console backend) and stops with it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

HOST = "127.0.0.1"
# How long the server may take to answer its first request before we give up waiting
# (it keeps running; only the message is skipped).
READY_SECONDS = 60
POLL_SECONDS = 0.1
# A worker in the middle of sending a batch gets this long to finish it.
WORKER_STOP_SECONDS = 30
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As uvicorn binds: a closed connection lingering in TIME_WAIT does not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def refuse_taken_port(port: int) -> None:
    if port_is_free(port):
        return
    sys.stderr.write(
        f"Port {port} on {HOST} is already in use (another server is running there?).\n"
        f"Stop it, or serve on another port:  make run PORT={port + 1}\n"
    )
    sys.exit(1)


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1) as response:
            return response.status < 500
    except OSError:
        return False


def uvicorn_command(port: int, environ: Mapping[str, str] = os.environ) -> list[str]:
    """The one server command: HTTP and WebSocket on one port. X-Forwarded-For is believed
    only from the NUM_PROXIES proxies at FORWARDED_ALLOW_IPS; with none, a client's
    made-up header is ignored."""
    if int(environ.get("NUM_PROXIES") or 0) == 0:
        proxy_options = ["--no-proxy-headers"]
    else:
        allowed = environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"
        proxy_options = ["--proxy-headers", "--forwarded-allow-ips", allowed]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "alumunity.asgi:application",
        "--host",
        HOST,
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--ws-max-size",
        "65536",
        *proxy_options,
    ]


def worker_command() -> list[str]:
    """The notifications worker (missed-message emails, unsent-upload cleanup)."""
    return [sys.executable, "manage.py", "notifications_worker"]


def serve(port: int) -> int:
    """uvicorn, and once it answers the notifications worker beside it; both stop
    together (Ctrl+C reaches both, being one process group; SIGTERM is passed on)."""
    refuse_taken_port(port)
    server = subprocess.Popen(uvicorn_command(port))
    worker: subprocess.Popen | None = None

    def stop(*_) -> None:
        server.terminate()
        if worker is not None:
            worker.terminate()

    # Ctrl+C reaches uvicorn too (same process group); here it only ends the wait.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)
    deadline = time.monotonic() + READY_SECONDS
    while server.poll() is None and time.monotonic() < deadline:
        if answers(port):
            print(f"Serving on http://{HOST}:{port}/messages  (API docs: /api/docs/)", flush=True)
            break
        time.sleep(POLL_SECONDS)
    if server.poll() is None:
        worker = subprocess.Popen(worker_command(), cwd=PROJECT_ROOT)
    status = server.wait()
    if worker is not None:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return status


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        refuse_taken_port(int(argv[1]))
        return 0
    if len(argv) == 1:
        return serve(int(argv[0]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
