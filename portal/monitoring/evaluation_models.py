"""The evaluation of a distribution round or of a year for the village meeting: what
went well, what did not and what changes (texts by staff in both languages), and the
residents' post-distribution survey. One row per (kind, ref): a unique key."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import TimestampMixin, sql_in

EVALUATION_KINDS = {"round": _l("Distribution round"), "year": _l("Year")}
EVALUATION_TEXTS = ("went_well", "went_badly", "changes")


class Evaluation(TimestampMixin, db.Model):
    __tablename__ = "monitoring_evaluation"
    __table_args__ = (
        UniqueConstraint("kind", "ref"),
        CheckConstraint(sql_in("kind", EVALUATION_KINDS), name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    # the round's id, or the year
    ref: Mapped[int] = mapped_column(Integer)
    went_well_id: Mapped[str] = mapped_column(Text, default="")
    went_well_en: Mapped[str | None] = mapped_column(Text)
    went_badly_id: Mapped[str] = mapped_column(Text, default="")
    went_badly_en: Mapped[str | None] = mapped_column(Text)
    changes_id: Mapped[str] = mapped_column(Text, default="")
    changes_en: Mapped[str | None] = mapped_column(Text)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    def text(self, name: str, lang: str) -> str:
        english = getattr(self, f"{name}_en")
        return (english if lang == "en" and english else getattr(self, f"{name}_id")) or ""
