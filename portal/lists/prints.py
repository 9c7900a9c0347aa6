"""The notice-board print with full names: a staff download, audited.

The village may decide that the list pinned on the village office's notice board
carries full names (LISTS_PRINT_FULL_NAMES). That print is never a public download:
the public PDF, CSV and board always show masked names. Staff who read the working
list (operator, admin, and the auditor role: the village head and the BPD, who sign
and check the list) may download it; every download is written to the audit log. It is
made afresh each time (no copy with full names is kept on disk), within the process's
render slots (`portal.filecache.render_slot`).
"""

from __future__ import annotations

from flask import current_app

from portal import filecache
from portal.audit.services import record
from portal.extensions import db
from portal.lists import export
from portal.lists.models import ListPeriod, ListVersion

PRINTERS = ("operator", "admin", "auditor")


def allowed() -> bool:
    """Whether the village decided that its notice-board print carries full names."""
    return export.full_names_allowed()


def full_name_print(
    period: ListPeriod, version: ListVersion, lang: str, *, actor, ip: str | None = None
) -> bytes:
    """The notice-board PDF with full names; the download is audited (and committed)."""
    with filecache.render_slot():
        data = export.version_pdf(
            period,
            version,
            lang,
            compress=current_app.config.get("LISTS_PDF_COMPRESS", True),
            full=True,
        )
    record(
        "print_list_full_names",
        "recipient_version",
        version.id,
        actor=actor,
        after={"period_id": period.id, "number": version.number, "lang": lang},
        ip=ip,
    )
    db.session.commit()
    return data
