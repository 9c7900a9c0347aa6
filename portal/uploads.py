"""Uploaded images, shared by the features that take them (CSR logos and receipts,
complaint photos).

A file is judged by its content, never by its name or the browser's content type:
Pillow must recognise it as PNG, JPEG or WebP, decode it completely, and it must stay
within a size in bytes and in pixels. It is then re-encoded (which drops metadata such
as GPS positions and anything hidden after the image data) and stored under a random
name in a folder under instance/uploads/, outside static/, to be served by a route that
checks who is asking. Each feature picks its folder and byte limit (see
portal/csr/uploads.py and portal/complaints/services.py).
"""

from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass

from flask_wtf.file import FileField
from PIL import Image, ImageOps, UnidentifiedImageError
from wtforms.validators import StopValidation

from portal.files import private_dir
from portal.i18n import lazy_gettext as _l
from portal.service_errors import ServiceError

# The only formats Pillow is asked to recognise (its other decoders never see a file).
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
# 16 megapixels: a phone photo (12 MP) fits. A decoded pixel takes up to 4 bytes and
# the clean-up copies the image a few times, so this bounds one upload to ~250 MB of
# memory; 40 MP let a 100 KB PNG of one colour take half a gigabyte. Checked from the
# header, before a single pixel is decoded.
MAX_PIXELS = 16_000_000
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
PHOTO_SIZE = 1600
MIMETYPES = {"png": "image/png", "jpg": "image/jpeg"}


class UploadError(ServiceError, ValueError):
    """A file that is refused; the message is for the person who sent it."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    extension: str
    mimetype: str


def too_many_pixels():
    return _l("The image has too many pixels. Please send a smaller picture.")


def clean_image(
    raw: bytes, *, max_side: int, as_logo: bool, limit: int = DEFAULT_MAX_BYTES
) -> CleanImage:
    """Check an uploaded image by its content and re-encode it.

    Raises UploadError with a message for the reader when the file is larger than
    `limit` bytes, is not a PNG/JPEG/WebP image (a renamed program, a PDF...) or is
    damaged. Logos stay PNG (transparency); everything else becomes a JPEG.
    """
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
            probe = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
            fmt = probe.format
            width, height = probe.size
    except Image.DecompressionBombError:
        raise UploadError(too_many_pixels()) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise UploadError(
            _l("This file is not a PNG, JPEG or WebP image. Please choose a picture file.")
        ) from None
    if fmt not in ALLOWED_FORMATS:
        raise UploadError(
            _l("This file is not a PNG, JPEG or WebP image. Please choose a picture file.")
        )
    if width * height > MAX_PIXELS:
        raise UploadError(too_many_pixels())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # verify() checks the structure; load() decodes every pixel (a truncated
            # file fails here). verify() leaves the image unusable, hence two opens.
            Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS).verify()
            image = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
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


PDF_MIMETYPE = "application/pdf"
IMAGE_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff")


def clean_document(raw: bytes, *, max_side: int, limit: int) -> CleanImage:
    """A receipt or a scan: a PDF, kept as sent once its signature comes first and its
    end-of-file marker last (a renamed program or web page is refused), or a picture,
    checked and re-encoded by `clean_image`. UploadError with a message otherwise."""
    if not raw:
        raise UploadError(_l("The file is empty."))
    if len(raw) > limit:
        raise UploadError(
            _l(
                "The file is larger than %(limit)s MB. Please send a smaller file.",
                limit=f"{limit / 1048576:g}",
            )
        )
    if raw.startswith(b"%PDF-"):
        if b"%%EOF" not in raw[-2048:]:
            raise UploadError(_l("The PDF is damaged or incomplete. Please save it again."))
        return CleanImage(raw, "pdf", PDF_MIMETYPE)
    if not (raw.startswith(IMAGE_SIGNATURES) or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP")):
        raise UploadError(_l("This file is not a PDF or a picture (PNG, JPEG or WebP)."))
    return clean_image(raw, max_side=max_side, as_logo=False, limit=limit)


def mimetype_of(name: str) -> str:
    """The type a stored file is served with, from the extension this module gave it."""
    return {"pdf": PDF_MIMETYPE, "png": "image/png"}.get(name.rsplit(".", 1)[-1], "image/jpeg")


def folder(base: str, *parts: str) -> str:
    """A folder under `base`, created if needed (0700, as its files are 0600)."""
    return private_dir(os.path.join(base, *parts))


def store(clean: CleanImage, directory: str) -> str:
    """Write a cleaned image under a random name into `directory`; returns the name."""
    name = f"{secrets.token_hex(16)}.{clean.extension}"
    path = os.path.join(directory, name)
    # O_EXCL: never overwrite (the name is random, this is only a guard).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(clean.data)
    return name


def stored_path(directory: str, name: str | None) -> str | None:
    """The path of a stored file, or None for a name that is not one of ours."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = os.path.join(directory, name)
    return path if os.path.isfile(path) else None


def remove(directory: str, name: str | None) -> None:
    """Delete a stored file (used when the record that named it was not written)."""
    path = stored_path(directory, name)
    if path:
        os.remove(path)


class ImageField(FileField):
    """An uploaded image, checked by content and re-encoded when the form validates;
    the clean image is then in `.image`. `limit` is a callable (read inside the
    request, so a setting can change it)."""

    def __init__(self, *args, limit=lambda: DEFAULT_MAX_BYTES, max_side=PHOTO_SIZE, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.max_side = max_side
        self.image: CleanImage | None = None

    def has_file(self) -> bool:
        return bool(self.data and getattr(self.data, "filename", None))

    def pre_validate(self, form):
        self.image = None
        if not self.has_file():
            return
        limit = self.limit()
        raw = self.data.read(limit + 1)
        try:
            self.image = self.clean(raw, limit)
        except UploadError as error:
            raise StopValidation(str(error.message)) from None

    def clean(self, raw: bytes, limit: int) -> CleanImage:
        return clean_image(raw, max_side=self.max_side, as_logo=False, limit=limit)


class DocumentField(ImageField):
    """A receipt or scan: a PDF checked by its structure, or a picture as ImageField
    takes it; the clean file is then in `.image`."""

    def clean(self, raw: bytes, limit: int) -> CleanImage:
        return clean_document(raw, max_side=self.max_side, limit=limit)
