"""Images sent by companies and staff (logos, delivery receipts and photos).

A file is judged by its content, never by its name or the browser's content type:
Pillow must recognise it as PNG, JPEG or WebP, decode it completely, and it must stay
within a size in bytes and in pixels. It is then re-encoded (which drops metadata such
as GPS positions and anything hidden after the image data) and stored under a random
name in instance/uploads/csr/, outside static/, to be served by a route that checks
who is asking.
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_PIXELS = 40_000_000  # far above any phone photo, far below a decompression bomb
LOGO_SIZE = 512
PHOTO_SIZE = 1600


class UploadError(ValueError):
    """A file that is refused; the message is for the person who sent it."""

    def __init__(self, message):
        # Kept lazy: it is put into words in the reader's language, inside a request.
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    mimetype: str


def max_bytes() -> int:
    return int(current_app.config.get("CSR_UPLOAD_MAX_BYTES", 2 * 1024 * 1024))


def upload_dir(*parts: str) -> str:
    base = current_app.config.get("CSR_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "csr"
    )
    path = os.path.join(base, *parts)
    os.makedirs(path, exist_ok=True)
    return path


def clean_image(raw: bytes, *, max_side: int, as_logo: bool) -> CleanImage:
    """Check an uploaded image by its content and re-encode it.

    Raises UploadError with a message for the reader when the file is too large,
    is not a PNG/JPEG/WebP image (a renamed program, a PDF...) or is damaged.
    """
    limit = max_bytes()
    if len(raw) > limit:
        raise UploadError(
            _l(
                "The image is larger than %(limit)s MB. Please send a smaller image.",
                limit=f"{limit / 1048576:g}",
            )
        )
    if not raw:
        raise UploadError(_l("The file is empty."))
    try:
        with warnings.catch_warnings():
            # A huge image is refused below with a clear message, not as a warning.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(raw))
            fmt = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise UploadError(
            _l("This file is not a PNG, JPEG or WebP image. Please choose a picture file.")
        ) from None
    if fmt not in ALLOWED_FORMATS:
        raise UploadError(
            _l("This file is not a PNG, JPEG or WebP image. Please choose a picture file.")
        )
    if width * height > MAX_PIXELS:
        raise UploadError(_l("The image has too many pixels. Please send a smaller picture."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # verify() checks the structure; load() decodes every pixel (a truncated
            # file fails here). verify() leaves the image unusable, hence two opens.
            Image.open(io.BytesIO(raw)).verify()
            image = Image.open(io.BytesIO(raw))
            image.load()
    except Exception:  # Pillow raises many kinds for damaged files; all mean "broken"
        raise UploadError(
            _l("The image is damaged or incomplete. Please save it again and send it once more.")
        ) from None

    image = ImageOps.exif_transpose(image)
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if as_logo:
        # Logos keep transparency: PNG.
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
        return CleanImage(out.getvalue(), "png", "image/png")
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.save(out, format="JPEG", quality=82, optimize=True)
    return CleanImage(out.getvalue(), "jpg", "image/jpeg")


def store(clean: CleanImage, folder: str) -> str:
    """Write a cleaned image under a random name; returns the file name."""
    name = f"{secrets.token_hex(16)}.{clean.extension}"
    path = os.path.join(upload_dir(folder), name)
    # O_EXCL: never overwrite (the name is random, this is only a guard).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(clean.data)
    return name


def remove(folder: str, name: str | None) -> None:
    """Delete a stored file (used when the record that named it was not written)."""
    if not name:
        return
    path = stored_path(folder, name)
    if path and os.path.exists(path):
        os.remove(path)


def stored_path(folder: str, name: str) -> str | None:
    """The path of a stored file, or None for a name that is not one of ours."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = os.path.join(upload_dir(folder), name)
    return path if os.path.isfile(path) else None


MIMETYPES = {"png": "image/png", "jpg": "image/jpeg"}
