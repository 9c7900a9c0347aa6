"""The recipient registry: households, their members, and what they are enrolled in.

A household has a stable id of its own; its family-card (KK) number is an attribute
with history, because the number changes when a family moves, splits or loses its
head. A person belongs to one household at a time, and moves are kept as closed
membership rows rather than overwritten. Scores are derived by
`portal.registry.scoring` and stored only so that lists can filter on them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import TimestampMixin, UTCDateTime, sql_in, utcnow

# The 14 BPS poverty criteria, in the order of the official list. The column of each
# on Household is `bps_<key>`; True means the household meets the criterion.
BPS_CRITERIA = {
    "floor_area": _l("Floor area under 8 m² per person"),
    "floor": _l("Earth, bamboo or cheap wooden floor"),
    "wall": _l("Walls of bamboo, thatch or unplastered brick"),
    "toilet": _l("No toilet, or one shared with other households"),
    "electricity": _l("No electricity"),
    "water": _l("Water from an unprotected well, spring or river, or rain"),
    "cooking_fuel": _l("Cooks with firewood, charcoal or kerosene"),
    "protein": _l("Eats meat, milk or chicken at most once a week"),
    "clothing": _l("Buys at most one set of new clothes a year"),
    "meals": _l("Eats only one or two meals a day"),
    "clinic": _l("Cannot afford treatment at a clinic (puskesmas)"),
    "income": _l("Head works a farm under 500 m² or earns under Rp600,000 a month"),
    "education": _l("Head schooled to primary level or less"),
    "assets": _l("No saleable asset worth Rp500,000 or more"),
}
BPS_COLUMNS = tuple(f"bps_{key}" for key in BPS_CRITERIA)

NEED_LEVELS = {
    "sangat_miskin": _l("Very poor (sangat miskin)"),
    "miskin": _l("Poor (miskin)"),
    "rentan": _l("Vulnerable (rentan)"),
    "tidak_prioritas": _l("Not a priority (tidak prioritas)"),
}
SEXES = {"male": _l("Male"), "female": _l("Female")}
# Relation to the head, in the order of OpenSID's kk_level codes 1-11.
RELATIONS = {
    "head": _l("Head of family"),
    "husband": _l("Husband"),
    "wife": _l("Wife"),
    "child": _l("Child"),
    "child_in_law": _l("Child-in-law"),
    "grandchild": _l("Grandchild"),
    "parent": _l("Parent"),
    "parent_in_law": _l("Parent-in-law"),
    "other_family": _l("Other family"),
    "household_help": _l("Household help"),
    "other": _l("Other"),
}
MARITAL_STATUSES = {
    "single": _l("Not married"),
    "married": _l("Married"),
    "divorced": _l("Divorced"),
    "widowed": _l("Widowed"),
}
# Civil status: only a living resident can be eligible for anything.
CIVIL_STATUSES = {
    "alive": _l("Living here"),
    "dead": _l("Dead"),
    "moved": _l("Moved away"),
    "missing": _l("Missing"),
}
KK_CHANGE_REASONS = {
    "first": _l("First recorded"),
    "moved": _l("Family moved"),
    "split": _l("Family split"),
    "head_changed": _l("Head of family changed"),
    "correction": _l("Correction of a wrong number"),
    "import": _l("Imported"),
}
MEMBERSHIP_REASONS = {
    "registered": _l("Registered"),
    "birth": _l("Born"),
    "moved_in": _l("Moved in"),
    "moved_out": _l("Moved to another household"),
    "split": _l("Family split"),
    "marriage": _l("Marriage"),
    "merged": _l("Duplicate record merged"),
    "import": _l("Imported"),
}
# National social-protection programmes recorded as external enrolments, with the
# kind of aid each gives (two enrolments of the same kind in one period overlap).
NATIONAL_PROGRAMMES = {
    "PKH": ("cash", _l("PKH (Family Hope Programme)")),
    "BPNT": ("food", _l("BPNT (non-cash food assistance)")),
    "BLT": ("cash", _l("BLT (direct cash assistance)")),
    "PBI": ("health", _l("PBI (state-paid health insurance)")),
    "PIP": ("education", _l("PIP (Smart Indonesia school aid)")),
}
DUPLICATE_DECISIONS = {
    "merge": _l("Same person: merged"),
    "not_duplicate": _l("Different people"),
}


class Household(TimestampMixin, db.Model):
    __tablename__ = "household"
    __table_args__ = (
        CheckConstraint("desil IS NULL OR (desil BETWEEN 1 AND 10)", name="desil_range"),
        CheckConstraint("rt BETWEEN 1 AND 999 AND rw BETWEEN 1 AND 999", name="rt_rw_range"),
        CheckConstraint(sql_in("need_level", NEED_LEVELS), name="need_level_known"),
        Index("ix_household_rw_rt", "rw", "rt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The current family-card number; earlier ones live in KKNumber (history).
    kk_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    rt: Mapped[int] = mapped_column(Integer)
    # None where the village has no RW (OpenSID exports "-").
    rw: Mapped[int | None] = mapped_column(Integer)
    dusun: Mapped[str | None] = mapped_column(String(80))
    # Household id in the national welfare data (DTKS / Regsosek), when known.
    national_id: Mapped[str | None] = mapped_column(String(40), index=True)
    desil: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    # The 14 BPS criteria: True met, False not met, None not surveyed.
    bps_floor_area: Mapped[bool | None] = mapped_column(Boolean)
    bps_floor: Mapped[bool | None] = mapped_column(Boolean)
    bps_wall: Mapped[bool | None] = mapped_column(Boolean)
    bps_toilet: Mapped[bool | None] = mapped_column(Boolean)
    bps_electricity: Mapped[bool | None] = mapped_column(Boolean)
    bps_water: Mapped[bool | None] = mapped_column(Boolean)
    bps_cooking_fuel: Mapped[bool | None] = mapped_column(Boolean)
    bps_protein: Mapped[bool | None] = mapped_column(Boolean)
    bps_clothing: Mapped[bool | None] = mapped_column(Boolean)
    bps_meals: Mapped[bool | None] = mapped_column(Boolean)
    bps_clinic: Mapped[bool | None] = mapped_column(Boolean)
    bps_income: Mapped[bool | None] = mapped_column(Boolean)
    bps_education: Mapped[bool | None] = mapped_column(Boolean)
    bps_assets: Mapped[bool | None] = mapped_column(Boolean)

    # Derived by scoring.assess() whenever the household or a member changes; stored
    # only so that lists can filter and sort without recomputing every household.
    score: Mapped[int] = mapped_column(Integer, default=0)
    need_level: Mapped[str] = mapped_column(String(16), default="tidak_prioritas", index=True)
    # Space-separated aid types the household fits, padded (" food cash ") so that a
    # filter is a plain LIKE '% food %'.
    aid_types: Mapped[str] = mapped_column(String(80), default=" ")
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[Person]] = relationship(
        back_populates="household",
        foreign_keys="Person.household_id",
        order_by="Person.id",
    )
    kk_history: Mapped[list[KKNumber]] = relationship(
        back_populates="household", order_by="KKNumber.valid_from.desc(), KKNumber.id.desc()"
    )

    @property
    def criteria(self) -> dict[str, bool | None]:
        return {key: getattr(self, f"bps_{key}") for key in BPS_CRITERIA}

    @property
    def aid_type_list(self) -> list[str]:
        return self.aid_types.split()

    @property
    def head(self) -> Person | None:
        for person in self.members:
            if person.relation == "head" and person.merged_into_id is None:
                return person
        return None

    @property
    def rt_rw(self) -> str:
        if self.rw is None:
            return f"{self.rt:03d}/–"
        return f"{self.rt:03d}/{self.rw:03d}"

    def __repr__(self) -> str:
        return f"<Household {self.id} RT {self.rt} RW {self.rw}>"


class KKNumber(db.Model):
    """One family-card number a household has carried, from when to when."""

    __tablename__ = "household_kk_number"
    __table_args__ = (
        CheckConstraint(sql_in("reason", KK_CHANGE_REASONS), name="reason_known"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(16), default="first")
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    household: Mapped[Household] = relationship(back_populates="kk_history")


class Person(TimestampMixin, db.Model):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(sql_in("sex", SEXES), name="sex_known"),
        CheckConstraint(sql_in("relation", RELATIONS), name="relation_known"),
        CheckConstraint(sql_in("status", CIVIL_STATUSES), name="status_known"),
        CheckConstraint(
            "marital_status IS NULL OR " + sql_in("marital_status", MARITAL_STATUSES),
            name="marital_status_known",
        ),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_self"),
        # merged_into_id too: the likely-duplicate pairs test it on both people without
        # reading their rows (migration 0037).
        Index("ix_person_name_birth", "name_norm", "birth_date", "merged_into_id"),
        # The people whose NIK disagrees with their birth date or sex, in the warnings
        # page's order (a few in a thousand: the list read every person before).
        Index(
            "ix_person_nik_warning",
            "household_id",
            "id",
            sqlite_where=text("nik_warning IS NOT NULL"),
            postgresql_where=text("nik_warning IS NOT NULL"),
        ),
        # Only merged records: nearly every record has none, and an index over all those
        # NULLs tempts SQLite into reading every person for "merged_into_id IS NULL".
        Index(
            "ix_person_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
        # The migration registry_search also indexes the name from its second, third and
        # fourth word on (expressions that differ per database: services.name_word_starts).
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One NIK, one person: a second record with the same NIK is refused by the database.
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The name in a canonical spelling (services.normalise_name), for search and duplicates.
    # Indexed through ix_person_name_birth (name first): prefix search and duplicates.
    name_norm: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(6))
    birth_place: Mapped[str | None] = mapped_column(String(80))
    birth_date: Mapped[date | None] = mapped_column(Date)
    # The mother's name as the civil registry (SIAK "Ibu", OpenSID "nama_ibu") records
    # it. Staff only: it is part of the proof a resident gives to verify an account
    # (portal/registry/verification.py), so no public page, list or export shows it.
    mother_name: Mapped[str | None] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(16), default="other")
    marital_status: Mapped[str | None] = mapped_column(String(10))
    # Empty when none; otherwise a description as in SIAK ("Cacat Rungu/Wicara").
    disability: Mapped[str | None] = mapped_column(String(120))
    occupation: Mapped[str | None] = mapped_column(String(80))
    education: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(8), default="alive", index=True)
    status_date: Mapped[date | None] = mapped_column(Date)
    # The household the person belongs to now (a dead or moved-away person stays on
    # their last household's card until the card is renewed). History: Membership.
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    # Codes of what the NIK disagrees with ("birth_date,sex"): a warning, not an error.
    nik_warning: Mapped[str | None] = mapped_column(String(40))
    # Set when this record was found to be a duplicate and merged into another.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))

    household: Mapped[Household | None] = relationship(
        back_populates="members", foreign_keys=[household_id]
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", order_by="Membership.start_date.desc(), Membership.id.desc()"
    )

    @property
    def is_alive_resident(self) -> bool:
        return self.status == "alive" and self.merged_into_id is None

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def __repr__(self) -> str:
        return f"<Person {self.id}>"


class Membership(db.Model):
    """A person's stay in a household. The open row (end_date NULL) is the current one."""

    __tablename__ = "household_membership"
    __table_args__ = (
        CheckConstraint(sql_in("relation", RELATIONS), name="relation_known"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period_order"),
        # One household at a time: at most one open membership per person.
        Index(
            "uq_household_membership_open",
            "person_id",
            unique=True,
            sqlite_where=text("end_date IS NULL"),
            postgresql_where=text("end_date IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16), default="other")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    start_reason: Mapped[str] = mapped_column(String(16), default="registered")
    end_reason: Mapped[str | None] = mapped_column(String(16))

    person: Mapped[Person] = relationship(back_populates="memberships")
    household: Mapped[Household] = relationship()


class Enrolment(TimestampMixin, db.Model):
    """A household (optionally one named member) enrolled in one of the village's programmes."""

    __tablename__ = "enrolment"
    __table_args__ = (
        CheckConstraint("period_end IS NULL OR period_end >= period_start", name="period_order"),
        # Once per period: a household once per programme, a named member once too.
        Index(
            "uq_enrolment_household_period",
            "household_id",
            "programme_id",
            "period_start",
            unique=True,
            sqlite_where=text("person_id IS NULL"),
            postgresql_where=text("person_id IS NULL"),
        ),
        Index(
            "uq_enrolment_person_period",
            "person_id",
            "programme_id",
            "period_start",
            unique=True,
            sqlite_where=text("person_id IS NOT NULL"),
            postgresql_where=text("person_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    # The member the aid is for, when the programme targets persons (elderly care).
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programme.id", ondelete="RESTRICT"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    household: Mapped[Household] = relationship()
    person: Mapped[Person | None] = relationship()
    programme = relationship("Programme")


class ExternalEnrolment(TimestampMixin, db.Model):
    """Enrolment in a national programme (PKH, BPNT, BLT, PBI...), of a household or a person."""

    __tablename__ = "external_enrolment"
    __table_args__ = (
        CheckConstraint(
            "household_id IS NOT NULL OR person_id IS NOT NULL", name="household_or_person"
        ),
        CheckConstraint(sql_in("programme_code", NATIONAL_PROGRAMMES), name="programme_known"),
        CheckConstraint("period_end IS NULL OR period_end >= period_start", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    programme_code: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    # Where the fact came from: "DTKS 2024", "import", "operator".
    source: Mapped[str | None] = mapped_column(String(80))

    household: Mapped[Household | None] = relationship()
    person: Mapped[Person | None] = relationship()

    @property
    def aid_type(self) -> str:
        return NATIONAL_PROGRAMMES[self.programme_code][0]


class DuplicateDecision(db.Model):
    """A staff decision on a pair of person records: the same person (merged) or not.

    The pair is stored in id order, so a pair has one decision row at most.
    """

    __tablename__ = "duplicate_decision"
    __table_args__ = (
        UniqueConstraint("person_a_id", "person_b_id"),
        CheckConstraint("person_a_id < person_b_id", name="pair_ordered"),
        CheckConstraint(sql_in("decision", DUPLICATE_DECISIONS), name="decision_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    person_b_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person_a: Mapped[Person] = relationship(foreign_keys=[person_a_id])
    person_b: Mapped[Person] = relationship(foreign_keys=[person_b_id])
