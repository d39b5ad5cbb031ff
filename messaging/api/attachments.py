"""REST doors for uploads: store a file to send, and download one (or its thumbnail),
with the member's right to it checked on every request."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import MultiPartParser

from alumunity.ratelimit import UploadThrottle

from .. import selectors, services
from ..downloads import file_response
from ..exceptions import NotFound
from ..payloads import attachment_payload
from . import serializers as io
from .envelope import ERROR_ENVELOPE, enveloped, ok
from .views import ERRORS, MemberApiView, parse


class AnyAccept(BaseContentNegotiation):
    """A file is served as what it is, whatever the client's Accept header says (errors
    are still the JSON envelope)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class AttachmentUploadApi(MemberApiView):
    parser_classes = (MultiPartParser,)
    throttle_classes = (UploadThrottle,)

    @extend_schema(
        request={"multipart/form-data": io.AttachmentInput},
        responses={201: enveloped(io.AttachmentOutput), 413: ERROR_ENVELOPE, **ERRORS},
    )
    def post(self, request):
        upload = parse(io.AttachmentInput, request.data)["file"]
        attachment = services.upload_attachment(
            uploader=request.user, file=upload, name=upload.name, size=upload.size
        )
        return ok(
            attachment_payload(attachment), "File uploaded.", status_code=status.HTTP_201_CREATED
        )


FILE_RESPONSES = {
    (200, "application/octet-stream"): OpenApiResponse(
        OpenApiTypes.BINARY, description="The file, with its own content type."
    ),
    404: ERROR_ENVELOPE,
}


class AttachmentFileApi(MemberApiView):
    content_negotiation_class = AnyAccept
    thumbnail = False

    @extend_schema(responses=FILE_RESPONSES)
    def get(self, request, attachment_id: int):
        attachment = selectors.downloadable_attachment(
            user=request.user, attachment_id=attachment_id
        )
        if self.thumbnail and not attachment.thumbnail_name:
            raise NotFound("This file has no thumbnail.")
        return file_response(attachment, thumbnail=self.thumbnail)


class AttachmentThumbnailApi(AttachmentFileApi):
    thumbnail = True
