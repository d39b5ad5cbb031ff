"""Project-level views: health check and the JSON-or-HTML error pages."""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found, server_error

from .middleware import error_body

logger = logging.getLogger(__name__)


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")  # Uses index: none; it reads no table
    except DatabaseError:
        logger.error("health check: database unavailable")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("Not found."), status=404)
    return page_not_found(request, exception)


def server_failure(request):
    if _wants_json(request):
        return JsonResponse(
            error_body("Something went wrong on our side. Please retry."), status=500
        )
    return server_error(request)
