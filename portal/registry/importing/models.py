"""An import batch: one uploaded file, from preview to confirmation (or discarding).

The file itself waits in instance/uploads/ (never under static/) under a random
token until the operator confirms or discards it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal import status_tags
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import UTCDateTime, utcnow

BATCH_STATUSES = {
    "previewed": _l("Waiting for confirmation"),
    "confirmed": _l("Imported"),
    "discarded": _l("Discarded"),
    "failed": _l("Failed"),
}
status_tags.register(
    "registry.import_batch",
    BATCH_STATUSES,
    {"confirmed": "ok", "previewed": "warn", "discarded": "muted", "failed": "muted"},
)
# What the import does with one row of the file.
ROW_STATUSES = {
    "new": _l("New record"),
    "updated": _l("Changed"),
    "unchanged": _l("Unchanged"),
    "rejected": _l("Rejected"),
}
status_tags.register(
    "registry.import_row",
    ROW_STATUSES,
    {"new": "ok", "updated": "warn", "unchanged": "muted", "rejected": "danger"},
)


class ImportBatch(db.Model):
    __tablename__ = "import_batch"
    __table_args__ = (
        CheckConstraint(
            "status IN ('previewed', 'confirmed', 'discarded', 'failed')", name="status_known"
        ),
        CheckConstraint("rows_done >= 0", name="rows_done_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    # Random name of the kept upload and its preview files in instance/uploads/.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    layout: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(12), default="previewed", index=True)
    # Counts of the preview, replaced by those of the import when it is confirmed.
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the operator chose on upload (the national programme of an aid list).
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    error: Mapped[str | None] = mapped_column(String(300))
    # Rows of the file written so far by an import in steps (`confirm_import(...,
    # commit_every=N)`): it resumes after them. 0 for an import in one transaction.
    rows_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    created_by = relationship("User", foreign_keys=[created_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])

    @property
    def status_label(self):
        return BATCH_STATUSES.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.layout} {self.status}>"
