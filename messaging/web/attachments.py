"""The page script's upload: the same service as POST /api/attachments, answered in the
JSON the composer reads ({"attachment": ...} or {"message", "errors"})."""

from http import HTTPStatus

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from messaging import services
from messaging.exceptions import MessagingError
from messaging.payloads import attachment_payload

from .views import _json_error, member_view


@require_POST
@member_view
def upload(request):
    file = request.FILES.get("file")
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
