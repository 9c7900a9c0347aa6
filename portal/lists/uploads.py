"""The scanned minutes of the village meeting: a PDF or an image, checked by content.

A PDF must start with the PDF signature and end with its end-of-file marker (a renamed
program or a web page is refused); an image goes through the CSR board's checks
(`portal.uploads.clean_image`: decoded completely, re-encoded, metadata dropped).
Both must stay within LISTS_SCAN_MAX_BYTES. Files are stored under a random name in
instance/uploads/lists/, outside static/, and served only to staff.
"""

from __future__ import annotations

import os
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal import uploads as images
from portal.uploads import UploadError

SCAN_SIDE = 2400
MIMETYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}


def max_bytes() -> int:
    return int(current_app.config.get("LISTS_SCAN_MAX_BYTES", 5 * 1024 * 1024))


def upload_dir() -> str:
    path = current_app.config.get("LISTS_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "lists"
    )
    os.makedirs(path, exist_ok=True)
    return path


def clean_scan(raw: bytes) -> tuple[bytes, str]:
    """(data, extension) of an acceptable scan; UploadError with a message otherwise."""
    limit = max_bytes()
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
        return raw, "pdf"
    is_image = raw.startswith((b"\x89PNG", b"\xff\xd8\xff")) or (
        raw[:4] == b"RIFF" and raw[8:12] == b"WEBP"
    )
    if not is_image:
        raise UploadError(_l("This file is not a PDF or a picture (PNG, JPEG or WebP)."))
    image = images.clean_image(raw, max_side=SCAN_SIDE, as_logo=False, limit=limit)
    return image.data, image.extension


def store(data: bytes, extension: str) -> str:
    name = f"{secrets.token_hex(16)}.{extension}"
    fd = os.open(os.path.join(upload_dir(), name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return name


def stored_path(name: str | None) -> str | None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = os.path.join(upload_dir(), name)
    return path if os.path.isfile(path) else None


def remove(name: str | None) -> None:
    path = stored_path(name)
    if path:
        os.remove(path)
