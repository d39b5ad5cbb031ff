"""Request id, request log line and body-size limit: what every request passes through."""

import contextvars
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
        record.request_id = request_id_var.get()
        return True


def current_request_id() -> str:
    return request_id_var.get()


def error_body(message: str, *, errors: dict | None = None) -> dict:
    """The SPEC §3.1 error envelope, for errors raised before a view runs."""
    body = {"success": False, "data": None, "message": message}
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
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _ACCEPTED_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.request_id = request_id
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
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
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return JsonResponse(error_body("Request body is larger than 1 MB."), status=413)
        return self.get_response(request)
