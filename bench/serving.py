"""The ASGI server the benchmarks start: uvicorn on loopback, as `make serve` runs it
(no lifespan), without the access log so that logging does not weigh on the figures."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def uvicorn_command(port: int, *options: str) -> list[str]:
    """The command line serving the project on 127.0.0.1:`port`; `options` are added
    as they are (e.g. "--workers", "2")."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "alumunity.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--lifespan",
        "off",
        "--no-access-log",
        *options,
    ]


class ServerProcess:
    """A server started on a free port, ready once `ready_path` answers 200; its output
    goes to `log_path`. Stopped with `stop_signal`."""

    def __init__(self, command, *, cwd, env: dict, log_path, ready_path: str, stop_signal):
        self.port = free_port()
        self.stop_signal = stop_signal
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command(self.port), cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url(ready_path), timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start; see {log_path}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
