"""The aid programmes themselves: what kind of aid, who may get it, what is given.

Read by every feature (registry scoring, recipient lists, CSR needs, training
priorities) and shown on the public programme pages. The text a reader sees has an
Indonesian column (required) and an English one (optional), as in portal.public.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import PublishableMixin, TimestampMixin, sql_in

AID_TYPES = {
    "food": _l("Food"),
    "cash": _l("Cash"),
    "education": _l("Education"),
    "health": _l("Health"),
    "housing": _l("Housing"),
    "other": _l("Other"),
}


class Programme(PublishableMixin, TimestampMixin, db.Model):
    __tablename__ = "programme"
    __table_args__ = (CheckConstraint(sql_in("aid_type", AID_TYPES), name="aid_type_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    aid_type: Mapped[str] = mapped_column(String(16), default="food")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    name_id: Mapped[str] = mapped_column(String(160))
    name_en: Mapped[str | None] = mapped_column(String(160))
    summary_id: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str | None] = mapped_column(Text)
    eligibility_id: Mapped[str] = mapped_column(Text, default="")
    eligibility_en: Mapped[str | None] = mapped_column(Text)
    benefits_id: Mapped[str] = mapped_column(Text, default="")
    benefits_en: Mapped[str | None] = mapped_column(Text)
    collection_id: Mapped[str] = mapped_column(Text, default="")
    collection_en: Mapped[str | None] = mapped_column(Text)
    benefit_value: Mapped[int | None] = mapped_column(BigInteger)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
