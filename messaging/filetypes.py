"""What an uploaded file is, read from its bytes alone, and the clean copies kept of it.

The name and the Content-Type a client sends are never trusted: a file is a PNG, JPEG,
GIF or WebP image if Pillow decodes it as one, a PDF if it starts with the PDF header,
plain text if it is UTF-8 without NUL characters and does not open like markup.
Anything else is refused. Images are decoded in full (a truncated or corrupt one is
refused), turned upright by their EXIF orientation, and saved again without any
metadata; each gets a thumbnail whose longest side is THUMBNAIL_SIZE."""

from __future__ import annotations

import codecs
import io
import os
import re
import warnings
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image, ImageOps

from .exceptions import InvalidInput

THUMBNAIL_SIZE = 480
# Animated images are decoded frame by frame; more than this is refused.
MAX_FRAMES = 200
_CHUNK = 64 * 1024

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
PDF = "application/pdf"
TEXT = "text/plain"
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    PDF: ".pdf",
    TEXT: ".txt",
}
# A name ending in one of these claims a type; the content must then be that type.
_CLAIMED = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": PDF,
    ".txt": TEXT,
}
# How PNG, JPEG, GIF and WebP files begin; one that begins so must decode as that image.
_IMAGE_MAGIC = re.compile(rb"\x89PNG\r\n\x1a\n|\xff\xd8\xff|GIF8[79]a|RIFF....WEBP", re.S)
# Text a browser could take for a page or a script, whatever it is served as.
_MARKUP = re.compile(rb"^\s*<\s*(!doctype|html|head|body|script|svg|\?xml|iframe|object)", re.I)

NOT_ALLOWED = "Only PNG, JPEG, GIF and WebP images, PDF documents and plain text can be sent."
CORRUPT_IMAGE = "This image is damaged or incomplete."
TOO_MANY_PIXELS = "This image is too large to open."


def refuse(reason: str) -> InvalidInput:
    return InvalidInput.for_field("file", reason)


@dataclass(frozen=True)
class Inspected:
    """An accepted upload: its type and the bytes to store. `content` is None when the
    upload itself is stored unchanged (PDF, text), else the cleaned image."""

    content_type: str
    content: bytes | None = None
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    thumbnail_extension: str = ""


def inspect(upload: IO[bytes], *, name: str, max_pixels: int) -> Inspected:
    """The type of `upload` from its content, and its clean copy; a 400 for anything not
    allowed, damaged, or disguised as another type by its name."""
    upload.seek(0)
    head = upload.read(_CHUNK)
    upload.seek(0)
    if not head:
        raise refuse("The file is empty.")
    if head.startswith(b"%PDF-"):
        inspected = Inspected(PDF)
    elif _IMAGE_MAGIC.match(head):
        inspected = _clean_image(upload, max_pixels=max_pixels)
    elif _is_plain_text(upload, head):
        inspected = Inspected(TEXT)
    else:
        raise refuse(NOT_ALLOWED)
    claimed = _CLAIMED.get(os.path.splitext(name)[1].lower())
    if claimed is not None and claimed != inspected.content_type:
        raise refuse(f"The file's name says {claimed} but its content is {inspected.content_type}.")
    upload.seek(0)
    return inspected


def _clean_image(upload: IO[bytes], *, max_pixels: int) -> Inspected:
    # Pillow reads its bomb limit from this module attribute; every call sets the same
    # value (MAX_IMAGE_PIXELS), so concurrent uploads never see another limit.
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Over MAX_IMAGE_PIXELS Pillow only warns (it raises at twice that): both refuse.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(IMAGE_TYPES)) as image:
                if image.width * image.height > max_pixels:
                    raise refuse(TOO_MANY_PIXELS)
                return _resave(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(TOO_MANY_PIXELS) from None
    except (OSError, ValueError, SyntaxError, EOFError, Image.UnidentifiedImageError):
        raise refuse(CORRUPT_IMAGE) from None


def _resave(image: Image.Image) -> Inspected:
    """Decode every frame, turn the picture upright and write it again with no metadata."""
    image_format = str(image.format)
    content_type = IMAGE_TYPES[image_format]
    frames = getattr(image, "n_frames", 1)
    if frames > MAX_FRAMES:
        raise refuse(TOO_MANY_PIXELS)
    output = io.BytesIO()
    if frames > 1:
        # Animated GIF/WebP: keep the animation; these formats carry no orientation.
        frames_list = []
        for index in range(frames):
            image.seek(index)
            frames_list.append(_without_metadata(image.copy()))
        first = frames_list[0]
        first.save(
            output,
            format=image_format,
            save_all=True,
            append_images=frames_list[1:],
            duration=image.info.get("duration", 100),
            loop=image.info.get("loop", 0),
        )
    else:
        image.load()
        first = _without_metadata(ImageOps.exif_transpose(image))
        _save(first, output, image_format)
    thumbnail_image, thumbnail_format = _thumbnail(first)
    thumbnail = io.BytesIO()
    _save(thumbnail_image, thumbnail, thumbnail_format)
    return Inspected(
        content_type=content_type,
        content=output.getvalue(),
        width=first.width,
        height=first.height,
        thumbnail=thumbnail.getvalue(),
        thumbnail_extension=".jpg" if thumbnail_format == "JPEG" else ".png",
    )


def _without_metadata(image: Image.Image) -> Image.Image:
    """The same pixels with no EXIF, XMP or comments; only what drawing needs stays."""
    kept: dict[str | tuple[int, int], Any] = {
        key: image.info[key] for key in ("transparency", "duration") if key in image.info
    }
    image.info = kept
    image.getexif().clear()
    return image


def _save(image: Image.Image, output: io.BytesIO, image_format: str) -> None:
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, format="JPEG", quality=88, optimize=True)
    else:
        image.save(output, format=image_format)


def _thumbnail(image: Image.Image) -> tuple[Image.Image, str]:
    """A copy whose longest side is THUMBNAIL_SIZE (smaller pictures keep their size):
    JPEG when the picture has no transparency, PNG when it has."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    thumbnail = image.convert("RGBA" if has_alpha else "RGB")
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    return thumbnail, "PNG" if has_alpha else "JPEG"


def _is_plain_text(upload: IO[bytes], head: bytes) -> bool:
    if _MARKUP.match(head.removeprefix(codecs.BOM_UTF8)):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        while chunk := upload.read(_CHUNK):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True
