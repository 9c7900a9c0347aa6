"""The scanned minutes of the village meeting: a PDF or an image, checked by content.

Checked by `portal.uploads.clean_document` (a PDF must start with the PDF signature and
end with its end-of-file marker; an image is decoded completely and re-encoded).
Both must stay within LISTS_SCAN_MAX_BYTES. Files are stored under a random name in
instance/uploads/lists/, outside static/, and served only to staff.
"""

from __future__ import annotations

import os

from flask import current_app

from portal import uploads as images

SCAN_SIDE = 2400
MIMETYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}


def max_bytes() -> int:
    return int(current_app.config.get("LISTS_SCAN_MAX_BYTES", 5 * 1024 * 1024))


def upload_dir() -> str:
    path = current_app.config.get("LISTS_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "lists"
    )
    return images.folder(path)


def clean_scan(raw: bytes) -> tuple[bytes, str]:
    """(data, extension) of an acceptable scan; UploadError with a message otherwise."""
    clean = images.clean_document(raw, max_side=SCAN_SIDE, limit=max_bytes())
    return clean.data, clean.extension


def store(data: bytes, extension: str) -> str:
    return images.store(images.CleanImage(data, extension, ""), upload_dir())


def stored_path(name: str | None) -> str | None:
    return images.stored_path(upload_dir(), name)


def remove(name: str | None) -> None:
    images.remove(upload_dir(), name)
