"""Request id, request log line and body-size limit: what every request passes through."""

import asyncio
import contextvars
import json
import logging
import re
import time
import uuid

from django.conf import settings
from django.http import JsonResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
request_logger = logging.getLogger("alumunity.request")

# An id sent by a proxy is kept only if it is short and harmless to log.
_ACCEPTED_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id == "-":
            # django.request logs a response's error after the middleware has finished;
            # the record carries the request itself, and the request its id.
            request_id = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = request_id
        return True


def current_request_id() -> str:
    return request_id_var.get()


def error_body(message: str, *, errors: dict | None = None) -> dict:
    """The error envelope ({"success": false, "data": null, "message", "errors"?,
    "request_id"}), for errors raised before a view runs."""
    body: dict[str, object] = {"success": False, "data": None, "message": message}
    if errors:
        body["errors"] = errors
    body["request_id"] = current_request_id()
    return body


class RequestIdMiddleware:
    """Gives each request an id (or keeps a proxy's), logs one line when it ends, and
    returns the id in `X-Request-ID`. The line never holds bodies, tokens or query strings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers: that builds a dict of every header to read one.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _ACCEPTED_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # Asked first: the member's id would load a lazy request.user (the session)
            # for a line that LOG_LEVEL=WARNING drops.
            if request_logger.isEnabledFor(logging.INFO):
                user = getattr(request, "user", None)
                request_logger.info(
                    "%s %s %s %.1fms user=%s",
                    request.method,
                    request.path,
                    response.status_code,
                    (time.perf_counter() - started) * 1000,
                    getattr(user, "pk", None) or "-",
                )
            return response
        finally:
            request_id_var.reset(token)


def body_limit(path: str) -> tuple[int, str]:
    """The most bytes a request to `path` may send, and the 413's reason: the upload
    paths take a file of MAX_UPLOAD_MB, every other path 1 MB."""
    if path.rstrip("/") in settings.UPLOAD_PATHS:
        return settings.UPLOAD_BODY_BYTES, f"Files may be at most {settings.MAX_UPLOAD_MB} MB."
    return settings.MAX_REQUEST_BODY_BYTES, "Request body is larger than 1 MB."


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413 before anything reads them (DRF's parsers
    read the stream directly and would not apply Django's own limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit, reason = body_limit(request.path)
        if length > limit:
            return JsonResponse(error_body(reason), status=413)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds `Content-Security-Policy` (settings.CONTENT_SECURITY_POLICY) to every response
    that has none. Paths in CONTENT_SECURITY_POLICY_RELAXED (the Swagger UI, whose bundle
    needs inline styles and data: images) get the relaxed policy instead."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.relaxed = settings.CONTENT_SECURITY_POLICY_RELAXED

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = self.policy
            for prefix, relaxed_policy in self.relaxed.items():
                if request.path.startswith(prefix):
                    policy = relaxed_policy
                    break
            response["Content-Security-Policy"] = policy
        return response


class AsgiBodySizeLimit:
    """The body limits (body_limit) for ASGI servers, applied while the body streams in.
    Django's ASGI handler reads a whole body (to disk if large) before any middleware
    runs, and a chunked upload has no Content-Length for BodySizeLimitMiddleware to
    check; this refuses it with the same 413 as soon as it passes the limit."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit, reason = body_limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(send, reason)
        received, size = [], 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break  # the client went away; let Django see it
            size += len(message.get("body", b""))
            if size > limit:
                return await self._refuse(send, reason)
            if not message.get("more_body", False):
                break
        pending = iter(received)

        async def replay():
            for message in pending:
                return message
            return await receive()

        return await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send, reason: str):
        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            body = json.dumps(error_body(reason)).encode()
        finally:
            request_id_var.reset(token)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-request-id", request_id.encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class AsgiConcurrencyLimit:
    """At most `settings.MAX_CONCURRENT_REQUESTS` HTTP requests of this process inside
    Django at once; the others wait for a free slot. Django runs each ASGI request in a
    thread of its own with its own database connection, so without a bound a burst of
    clients opens one connection per request in flight until the database refuses them
    (MySQL error 1040, a 503 for the member)."""

    def __init__(self, app, limit: int | None = None):
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.limit or settings.MAX_CONCURRENT_REQUESTS)
        async with self._slots:
            return await self.app(scope, receive, send)
