"""Uploading a file to send, and removing uploads nobody sent.

Files go through Django's storage API (STORAGES["default"]: local files or an
S3-compatible bucket). A file is written before its row, and every file written is
deleted again if anything after it fails, so a failed upload leaves nothing behind."""

from __future__ import annotations

import logging
import os
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from alumunity.users.models import User

from .. import filetypes
from ..exceptions import InvalidInput, TooLarge
from ..models import Attachment, Message
from ..selectors import unsent_uploads

logger = logging.getLogger(__name__)

UNSENT_UPLOAD_LIFETIME = timedelta(hours=24)
MAX_NAME_LENGTH = 200


def upload_attachment(
    *, uploader: User, file: IO[bytes] | None, name: str, size: int
) -> Attachment:
    """Store one upload for `uploader` to send: its type read from the content (400 when
    not allowed, damaged or disguised), images cleaned and given a thumbnail, at most
    MAX_UPLOAD_MB (413)."""
    if file is None:
        raise InvalidInput.for_field("file", "Choose a file to send.")
    if size > settings.MAX_UPLOAD_BYTES:
        raise TooLarge(f"Files may be at most {settings.MAX_UPLOAD_MB} MB.")
    name = clean_file_name(name)
    inspected = filetypes.inspect(file, name=name, max_pixels=settings.MAX_IMAGE_PIXELS)
    stem = f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    with _removed_on_failure() as save:
        if inspected.content is None:
            storage_name = save(stem + filetypes.EXTENSIONS[inspected.content_type], File(file))
        else:
            content = ContentFile(inspected.content)
            storage_name = save(stem + filetypes.EXTENSIONS[inspected.content_type], content)
            size = len(inspected.content)
        thumbnail_name = ""
        if inspected.thumbnail is not None:
            thumbnail = ContentFile(inspected.thumbnail)
            thumbnail_name = save(f"{stem}-thumbnail{inspected.thumbnail_extension}", thumbnail)
        return Attachment.objects.create(
            uploader=uploader,
            storage_name=storage_name,
            original_name=name,
            content_type=inspected.content_type,
            size=size,
            width=inspected.width,
            height=inspected.height,
            thumbnail_name=thumbnail_name,
        )


def clean_file_name(name: str | None) -> str:
    """The name shown to members: no folders, no control characters, at most 200 long."""
    base = os.path.basename((name or "").replace("\\", "/"))
    printable = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    stem, extension = os.path.splitext(printable)
    if len(printable) > MAX_NAME_LENGTH:
        printable = stem[: MAX_NAME_LENGTH - len(extension[:20])] + extension[:20]
    return printable or "file"


@contextmanager
def _removed_on_failure() -> Iterator:
    """A `save(name, content)` whose files are all deleted if the block fails."""
    storage = storages["default"]
    written: list[str] = []

    def save(name: str, content: File) -> str:
        written.append(name)  # a write that fails half-way may leave this name behind
        stored = storage.save(name, content)
        if stored != name:
            written.append(stored)
        return stored

    try:
        with transaction.atomic():
            yield save
    except BaseException:
        for name in written:
            with suppress(Exception):
                storage.delete(name)
        raise


def remove_unsent_uploads(
    *, older_than: timedelta = UNSENT_UPLOAD_LIFETIME, batch_size: int = 500
) -> int:
    """Delete uploads no message carried within `older_than`, rows then files, a batch
    at a time; returns how many. A send that takes one at the same moment holds its row
    lock, so an upload is either sent or removed, never both."""
    cutoff = timezone.now() - older_than
    removed = 0
    while True:
        with transaction.atomic():
            candidates = list(
                unsent_uploads()
                .filter(created_at__lt=cutoff)
                .order_by("created_at", "pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            rows = list(
                Attachment.objects.select_for_update()
                .filter(pk__in=candidates)
                .values_list("pk", "storage_name", "thumbnail_name")
            )
            # Asked again under the row locks, with a locking read (which sees what
            # committed meanwhile): an upload a send took a moment ago stays.
            sent = set(
                Message.objects.select_for_update()
                .filter(attachment__in=candidates)
                .values_list("attachment_id", flat=True)
            )
            batch = [row for row in rows if row[0] not in sent]
            Attachment.objects.filter(pk__in=[pk for pk, _, _ in batch]).delete()
        _delete_files(name for _, *names in batch for name in names if name)
        removed += len(batch)
        if len(candidates) < batch_size:
            return removed


def _delete_files(names: Iterator[str]) -> None:
    storage = storages["default"]
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            # The row is gone, so nothing serves the file; an operator may sweep it.
            logger.exception("Could not delete the stored file %s", name)
