"""One place turns every API failure into the error envelope ({"success": false,
"message", "errors"?, "request_id"}) or, for a missing or bad credential, the bare
{"detail"} standard clients expect."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from alumunity.middleware import error_body
from alumunity.ratelimit import retry_after

from ..exceptions import MessagingError

logger = logging.getLogger(__name__)


def _first_reason(detail) -> str:
    """The first human reason in a DRF error detail, prefixed with its field."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            reason = _first_reason(value)
            return reason if field == "non_field_errors" else f"{field}: {reason}"
    if isinstance(detail, list) and detail:
        return _first_reason(detail[0])
    return str(detail)


def _as_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            field: [str(reason) for reason in (value if isinstance(value, list) else [value])]
            for field, value in detail.items()
        }
    reasons = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(reason) for reason in reasons]}


def exception_handler(exc, context):
    if isinstance(exc, MessagingError):
        set_rollback()
        response = Response(error_body(exc.message, errors=exc.errors), status=exc.status)
        wait = getattr(exc, "wait", None)  # a limit that ends at a known time
        if wait is not None:
            response["Retry-After"] = str(retry_after(wait))
        return response

    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf.PermissionDenied()

    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        # Left bare, as standard clients expect: {"detail": "..."}.
        detail = (
            exc.detail.get("detail", exc.detail) if isinstance(exc.detail, dict) else exc.detail
        )
        response = Response({"detail": str(detail)}, status=exc.status_code)
        request = context["request"]
        if request.authenticators:
            response["WWW-Authenticate"] = request.authenticators[0].authenticate_header(request)
        return response

    if isinstance(exc, drf.APIException):
        set_rollback()
        if isinstance(exc, drf.ValidationError):
            body = error_body(_first_reason(exc.detail), errors=_as_errors(exc.detail))
        elif isinstance(exc, drf.ParseError):
            body = error_body(f"Malformed request body: {exc.detail}")
        else:
            body = error_body(_first_reason(exc.detail))
        response = Response(body, status=exc.status_code)
        wait = getattr(exc, "wait", None)  # set by DRF on a Throttled, not in its stubs
        if isinstance(exc, drf.Throttled) and wait is not None:
            response["Retry-After"] = str(retry_after(wait))
        return response

    if isinstance(exc, (OperationalError, InterfaceError)):
        set_rollback()
        # The driver's error code only (1040 too many connections, 1213 deadlock, 2003
        # refused...): its text may quote SQL, and SQL may quote a member's message.
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else "-"
        logger.error("database unavailable: %s code=%s", type(exc).__name__, code)
        return Response(
            error_body("The service is temporarily unavailable. Please retry shortly."), status=503
        )

    set_rollback()
    logger.error("unexpected error", exc_info=exc)
    return Response(error_body("Something went wrong on our side. Please retry."), status=500)
