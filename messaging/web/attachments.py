"""The page script's upload: the same service as POST /api/attachments, answered in the
JSON the composer reads ({"attachment": ...} or {"message", "errors"})."""

from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from alumunity.ratelimit import count_hit, retry_after
from messaging import services
from messaging.exceptions import MessagingError
from messaging.payloads import attachment_payload

from .views import _json_error, member_view


@require_POST
@member_view
def upload(request):
    file = request.FILES.get("file")
    wait = count_hit(scope="upload", identity=str(request.user.pk), rate=settings.UPLOAD_RATE)
    if wait is not None:
        seconds = retry_after(wait)
        error = MessagingError(f"You are uploading too fast. Try again in {seconds} seconds.")
        response = _json_error(error, HTTPStatus.TOO_MANY_REQUESTS)
        response["Retry-After"] = str(seconds)
        return response
    try:
        attachment = services.upload_attachment(
            uploader=request.user,
            file=file,
            name=getattr(file, "name", ""),
            size=getattr(file, "size", 0),
        )
    except MessagingError as error:
        return _json_error(error)
    return JsonResponse({"attachment": attachment_payload(attachment)}, status=HTTPStatus.CREATED)
