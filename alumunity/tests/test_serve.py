"""`make run` / `make serve`: a taken port is said at once with the way out, and
"Serving on ..." appears only once the server answers."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from alumunity import serve
from conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_a_taken_port_is_refused_with_the_way_out(capsys):
    with socket.socket() as taken:
        taken.bind((serve.HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(SystemExit) as exit_:
            serve.main(["--check", str(port)])

    assert exit_.value.code == 1
    error = capsys.readouterr().err
    assert f"Port {port} on 127.0.0.1 is already in use" in error
    assert f"make run PORT={port + 1}" in error


def test_a_free_port_passes_the_check():
    assert serve.main(["--check", str(free_port())]) == 0


def test_serving_on_is_printed_once_the_server_answers(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "alumunity.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = server.stdout.readline()
        assert line.startswith(f"Serving on http://127.0.0.1:{port}/messages"), line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_the_notifications_worker_runs_beside_the_server_and_stops_with_it(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "alumunity.serve", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout.readline().startswith("Serving on")
        deadline = time.monotonic() + 10
        workers: list[int] = []
        while not workers and time.monotonic() < deadline:
            workers = [
                pid for pid in _children(server.pid) if "notifications_worker" in _command_line(pid)
            ]
            time.sleep(0.1)
        assert len(workers) == 1
    finally:
        server.terminate()
        server.wait(timeout=40)
    assert "notifications_worker" not in _command_line(workers[0])
