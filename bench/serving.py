"""The ASGI server the benchmarks start: uvicorn on loopback, as `make serve` runs it
(no lifespan), without the access log so that logging does not weigh on the figures."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

# The benchmarks run as scripts from bench/: the project is one folder up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alumunity import serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def uvicorn_command(port: int, *options: str) -> list[str]:
    """The command line `make serve` runs (alumunity.serve), on 127.0.0.1:`port` with no
    proxy in front; `options` are added as they are (e.g. "--workers", "2")."""
    return [*serve.uvicorn_command(port, {}), "--no-access-log", *options]
