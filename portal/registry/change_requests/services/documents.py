"""The documents sent with a change request: photos and PDFs, judged by content.

A photo goes through portal/uploads.py (Pillow opens and decodes it, it is re-encoded
without metadata, so a GPS position in its EXIF is gone). A PDF must start with
`%PDF-`, and pypdf must parse it and find at least one page; it is then written anew
from its pages only, which leaves the document information and the XMP metadata
(author, software, and any location a scanner app put there) behind. Files are stored
0600 under random names in instance/uploads/change_requests/ and served only to staff
(services are called by the staff page that checks the role).
"""

from __future__ import annotations

import io
import logging
import os

from flask import current_app
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from portal import uploads
from portal.i18n import lazy_gettext as _l
from portal.registry.change_requests.models import MAX_DOCUMENT_BYTES, MAX_DOCUMENTS
from portal.uploads import CleanImage, UploadError

FIELD = "documents"
# Page-level keys that carry metadata rather than what the page shows.
PAGE_METADATA = ("/Metadata", "/PieceInfo")


def folder() -> str:
    return uploads.folder(current_app.instance_path, "uploads", "change_requests")


def clean_pdf(raw: bytes) -> CleanImage:
    """A PDF parsed by pypdf and rewritten from its pages; UploadError otherwise."""
    damaged = _l("The PDF is damaged or incomplete. Please save it again.")
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise UploadError(_l("The PDF is locked with a password. Please send it unlocked."))
        if len(reader.pages) == 0:
            raise UploadError(damaged)
        writer = PdfWriter()
        for page in reader.pages:
            added = writer.add_page(page)
            for key in PAGE_METADATA:
                added.pop(key, None)
        out = io.BytesIO()
        writer.write(out)
    except UploadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        # pypdf raises many kinds for broken files; all of them mean "damaged".
        logging.getLogger(__name__).info("a PDF was refused", exc_info=True)
        raise UploadError(damaged) from None
    return CleanImage(out.getvalue(), "pdf", uploads.PDF_MIMETYPE)


def clean_document(raw: bytes) -> CleanImage:
    """One document: a PDF (parsed and rewritten) or a picture (re-encoded)."""
    if not raw:
        raise UploadError(_l("The file is empty."))
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise UploadError(
            _l(
                "The file is larger than %(limit)s MB. Please send a smaller file.",
                limit=f"{MAX_DOCUMENT_BYTES / 1048576:g}",
            )
        )
    if raw.startswith(b"%PDF-"):
        return clean_pdf(raw)
    if not (
        raw.startswith(uploads.IMAGE_SIGNATURES) or (raw[:4] == b"RIFF" and raw[8:12] == b"WEBP")
    ):
        raise UploadError(_l("This file is not a PDF or a picture (PNG, JPEG or WebP)."))
    return uploads.clean_image(
        raw, max_side=uploads.PHOTO_SIZE, as_logo=False, limit=MAX_DOCUMENT_BYTES
    )


def clean_all(files: list[bytes]) -> list[CleanImage]:
    """Every document checked before anything is stored; UploadError(field) otherwise."""
    if len(files) > MAX_DOCUMENTS:
        raise UploadError(_l("Send at most %(n)d files.", n=MAX_DOCUMENTS), FIELD)
    cleaned = []
    for raw in files:
        try:
            cleaned.append(clean_document(raw))
        except UploadError as error:
            raise UploadError(error.message, FIELD) from None
    return cleaned


def store_all(cleaned: list[CleanImage]) -> list[str]:
    """Write the documents; the caller removes them (`remove_all`) if its write fails."""
    directory = folder()
    return [uploads.store(clean, directory) for clean in cleaned]


def remove_all(names: list[str]) -> None:
    directory = folder()
    for name in names:
        uploads.remove(directory, name)


def path_of(name: str) -> str | None:
    return uploads.stored_path(folder(), name)


def size_of(name: str) -> int:
    path = path_of(name)
    return os.path.getsize(path) if path else 0
