"""Files for the upload tests, made in memory: real images (with EXIF when asked), a
PDF, text, and the hostile kinds (markup in disguise, a damaged image, a bomb)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# EXIF tags: Orientation, camera Make, and a GPS block (the tag of its IFD pointer).
ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825
ROTATED_90 = 6  # "rotate 90° clockwise to display"


def image_bytes(size=(640, 320), image_format="PNG", color=(200, 30, 30), exif=None) -> bytes:
    image = Image.new("RGB", size, color)
    output = io.BytesIO()
    options = {}
    if exif is not None:
        tags = Image.Exif()
        for tag, value in exif.items():
            tags[tag] = value
        options["exif"] = tags.tobytes()
    image.save(output, format=image_format, **options)
    return output.getvalue()


def photo_with_exif(size=(800, 400)) -> bytes:
    """A JPEG as a phone writes it: sideways pixels, an Orientation tag, a camera make
    and a GPS position."""
    return image_bytes(
        size,
        "JPEG",
        exif={ORIENTATION: ROTATED_90, MAKE: "PhoneMaker", GPS_IFD: {2: (48.0, 51.0, 30.0)}},
    )


def animated_gif(frames=3, size=(60, 40)) -> bytes:
    colors = [(255, 0, 0), (0, 160, 0), (0, 0, 255), (240, 200, 0)]
    images = [Image.new("RGB", size, colors[index % len(colors)]) for index in range(frames)]
    output = io.BytesIO()
    images[0].save(output, format="GIF", save_all=True, append_images=images[1:], duration=80)
    return output.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def bomb_png(side=10_000) -> bytes:
    """A small PNG file that decodes into side x side pixels."""
    output = io.BytesIO()
    Image.new("1", (side, side)).save(output, format="PNG", optimize=True)
    return output.getvalue()


def upload(content: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)
