"""Files for the upload tests, made in memory: real images (with EXIF when asked), a
PDF, text, and the hostile kinds (markup in disguise, a damaged image, a bomb)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

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


def scenic_jpeg(size=(1200, 800)) -> bytes:
    """A picture worth showing in a screenshot: an evening sky, a sun and hills."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = y / height
        draw.line([(0, y), (width, y)], fill=(int(40 + 200 * shade), int(60 + 90 * shade), 150))
    draw.ellipse([width * 0.6, height * 0.35, width * 0.75, height * 0.57], fill=(255, 210, 90))
    draw.polygon(
        [
            (0, height),
            (0, height * 0.7),
            (width * 0.4, height * 0.6),
            (width, height * 0.8),
            (width, height),
        ],
        fill=(30, 70, 50),
    )
    output = io.BytesIO()
    image.save(output, format="JPEG", quality=90)
    return output.getvalue()
