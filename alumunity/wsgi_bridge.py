"""HTTP requests of the ASGI server through Django's WSGI handler, on a fixed pool of
threads that keep their database connections.

Django's ASGI handler runs every synchronous middleware and view of a request through
`sync_to_async`, in a thread (and so with a database connection) new for each request,
and hops between the event loop and that thread for each middleware that is not
declared sync-only. Here a request makes one hop: the loop reads the body (already
bounded to 1 MB by AsgiBodySizeLimit), one pool thread runs the whole Django request
as WSGI does and returns the whole response, and the loop sends it. Pool threads live
as long as the process, so with CONN_MAX_AGE each keeps its connection; at most
`threads` connections exist, and CONN_HEALTH_CHECKS replaces one that the database
dropped (a restart) at its next request instead of failing it. Work the request leaves
for the loop (events to the channel layer) is done there once the request is over.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

from asgiref.sync import sync_to_async

# Work a request's thread leaves for the server's loop (events to the channel layer).
_loop_work: ContextVar[list[Callable[[], None]] | None] = ContextVar("loop_work", default=None)


def on_loop_after_request(callback: Callable[[], None]) -> bool:
    """In a request's thread: have the server's loop call `callback` when the request
    is done, before its response is sent, without waking the loop now; callbacks keep
    their order. False elsewhere (tests, commands), where the caller does the work."""
    pending = _loop_work.get()
    if pending is None:
        return False
    pending.append(callback)
    return True


class WsgiOverAsgi:
    """An ASGI app for the "http" scope serving a WSGI app (Django's WSGIHandler)."""

    def __init__(self, wsgi_app: Callable, *, threads: int):
        self.wsgi_app = wsgi_app
        self.executor = ThreadPoolExecutor(threads, thread_name_prefix="http")
        # sync_to_async (not a bare run_in_executor) so that code in the thread that calls
        # async_to_sync (events to the channel layer) runs it on the server's loop.
        self._in_thread = sync_to_async(self._run, thread_sensitive=False, executor=self.executor)

    async def __call__(self, scope, receive, send):
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before its request was whole
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        environ = wsgi_environ(scope, b"".join(chunks))
        status, headers, body, pending = await self._in_thread(environ)
        for callback in pending:
            callback()
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _run(self, environ: dict) -> tuple[int, list, bytes, list]:
        pending: list = []
        _loop_work.set(pending)  # in this request's copy of the context only
        started: dict[str, Any] = {}

        def start_response(status, response_headers, exc_info=None):
            started["status"] = int(status.split(" ", 1)[0])
            started["headers"] = [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in response_headers
            ]

        result = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            # Ends the request for Django: request_finished, which closes a connection
            # only when it is too old or broke.
            if hasattr(result, "close"):
                result.close()
        return started["status"], started["headers"], body, pending


def wsgi_environ(scope: dict, body: bytes) -> dict:
    """The PEP 3333 environ for an ASGI HTTP scope whose body has been read whole."""
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", "").encode().decode("latin-1"),
        "PATH_INFO": scope["path"].encode().decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] or 80),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        # The body is whole, chunked or not: its length is known.
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if name == "CONTENT_TYPE":
                environ[name] = value
            continue
        key = f"HTTP_{name}"
        if key in environ:
            # Repeated headers are one comma-separated value; cookies are joined by "; ".
            value = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") + value
        environ[key] = value
    return environ
