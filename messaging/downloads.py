"""How a stored upload is served, to a member (api/) or to staff (admin): streamed from
the storage, never sniffed into another type, never run as a page of this site, and
saved rather than shown unless it is an image."""

from django.core.files.storage import storages
from django.http import FileResponse

from .exceptions import NotFound
from .models import Attachment

# A file response must never run as a page of this site, whatever a browser makes of it.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"


def file_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """The stored file (or its thumbnail) as a streamed response; 404 if it is gone."""
    name = attachment.thumbnail_name if thumbnail else attachment.storage_name
    content_type = attachment.content_type
    if thumbnail:
        content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    elif content_type == "text/plain":
        content_type = "text/plain; charset=utf-8"
    try:
        stored = storages["default"].open(name, "rb")
    except FileNotFoundError:
        raise NotFound("Attachment not found.") from None
    response = FileResponse(
        stored,
        content_type=content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cache-Control"] = "private, no-store"
    return response
