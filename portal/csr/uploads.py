"""Images sent by companies and staff (logos, delivery receipts and photos).

The checks and the storing are shared with other features (portal/uploads.py); this
module keeps the CSR's own folder (instance/uploads/csr/, or CSR_UPLOAD_DIR) and byte
limit (CSR_UPLOAD_MAX_BYTES) and the sizes of logos and photos.
"""

from __future__ import annotations

import os

from flask import current_app

from portal import uploads as shared
from portal.uploads import (  # noqa: F401  (the CSR's callers use these names from here)
    ALLOWED_FORMATS,
    MAX_PIXELS,
    MIMETYPES,
    CleanImage,
    UploadError,
    mimetype_of,
)

LOGO_SIZE = 512
PHOTO_SIZE = shared.PHOTO_SIZE


def max_bytes() -> int:
    return int(current_app.config.get("CSR_UPLOAD_MAX_BYTES", shared.DEFAULT_MAX_BYTES))


def upload_dir(*parts: str) -> str:
    base = current_app.config.get("CSR_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "csr"
    )
    return shared.folder(base, *parts)


def clean_image(raw: bytes, *, max_side: int, as_logo: bool) -> CleanImage:
    """Check an uploaded image by its content and re-encode it (see portal/uploads.py)."""
    return shared.clean_image(raw, max_side=max_side, as_logo=as_logo, limit=max_bytes())


def store(clean: CleanImage, folder: str) -> str:
    """Write a cleaned image under a random name; returns the file name."""
    return shared.store(clean, upload_dir(folder))


def remove(folder: str, name: str | None) -> None:
    """Delete a stored file (used when the record that named it was not written)."""
    shared.remove(upload_dir(folder), name)


def stored_path(folder: str, name: str) -> str | None:
    """The path of a stored file, or None for a name that is not one of ours."""
    return shared.stored_path(upload_dir(folder), name)
