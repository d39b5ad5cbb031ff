"""Which uploaded files a member may use and download."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from alumunity.users.models import User

from ..exceptions import NotFound
from ..models import Attachment, Message
from .history import access_message

ATTACHMENT_NOT_FOUND = "Attachment not found."


def download_path(attachment_id: int) -> str:
    """Where a member downloads an upload: a message's `attachment_url` for it."""
    return reverse("attachment-file", kwargs={"attachment_id": attachment_id})


def thumbnail_path(attachment_id: int) -> str:
    return reverse("attachment-thumbnail", kwargs={"attachment_id": attachment_id})


def unsent_uploads() -> QuerySet[Attachment]:
    """Uploads no message carries yet (looked up through Message's unique index)."""
    return Attachment.objects.filter(~Exists(Message.objects.filter(attachment=OuterRef("pk"))))


def unsent_upload(*, user: User, attachment_id: object, lock: bool = False) -> Attachment:
    """`user`'s own upload that no message carries yet. Someone else's upload, one
    already sent and a missing id are the same 404. `lock` takes its row lock, so two
    sends of one upload queue and only the first carries it."""
    if isinstance(attachment_id, bool) or not isinstance(attachment_id, int):
        raise NotFound(ATTACHMENT_NOT_FOUND)
    uploads = unsent_uploads().filter(pk=attachment_id, uploader=user)
    if lock:
        uploads = uploads.select_for_update()
    attachment = uploads.first()
    if attachment is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return attachment


def downloadable_attachment(*, user: User, attachment_id: int) -> Attachment:
    """The upload `attachment_id` if `user` may download it, checked on every request:
    before it is sent, only its uploader; once sent, whoever may see the message that
    carries it (the one access rule for messages), as long as that message is neither
    hidden nor deleted. Anything else is the same 404 as a missing id."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    message_id = Message.objects.filter(attachment=attachment).values_list("pk", flat=True).first()
    if message_id is None:
        if attachment.uploader_id != user.pk:
            raise NotFound(ATTACHMENT_NOT_FOUND)
        return attachment
    try:
        message = access_message(user=user, message_id=message_id)
    except NotFound:
        raise NotFound(ATTACHMENT_NOT_FOUND) from None
    if not message.shows_attachment:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return attachment
