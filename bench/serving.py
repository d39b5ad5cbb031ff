"""The ASGI server the benchmarks start: uvicorn on loopback, as `make serve` runs it
(no lifespan), without the access log so that logging does not weigh on the figures."""

from __future__ import annotations

import socket
import sys


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
