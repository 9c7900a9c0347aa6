"""Registry rules: saving households and people, moves, KK history, search, warnings,
duplicates, overlaps and merging. Views call these; tests and importers call them too.

Every change and every read of a full record goes into the audit log in the same
transaction as the change (`portal.audit.services.record` masks NIK and KK numbers).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from portal.audit.models import AuditEntry
from portal.audit.services import record, snapshot
from portal.database import write_transaction
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.numbers import is_whole
from portal.programmes.models import AID_TYPES, Programme
from portal.registry import scoring
from portal.registry.models import (
    BPS_COLUMNS,
    CIVIL_STATUSES,
    DUPLICATE_DECISIONS,
    NATIONAL_PROGRAMMES,
    NEED_LEVELS,
    DuplicateDecision,
    Enrolment,
    ExternalEnrolment,
    Household,
    KKNumber,
    Membership,
    Person,
)
from portal.registry.validation import check_kk, check_nik, clean_number
from portal.service_errors import ServiceError

HOUSEHOLD_FIELDS = (
    "kk_number",
    "address",
    "rt",
    "rw",
    "dusun",
    "national_id",
    "desil",
    "notes",
    *BPS_COLUMNS,
)
PERSON_FIELDS = (
    "nik",
    "name",
    "sex",
    "birth_place",
    "birth_date",
    "mother_name",
    "relation",
    "marital_status",
    "disability",
    "occupation",
    "education",
    "status",
    "status_date",
)
AUDIT_PERSON_FIELDS = (*PERSON_FIELDS, "household_id", "merged_into_id")
AUDIT_HOUSEHOLD_FIELDS = (*HOUSEHOLD_FIELDS, "score", "need_level", "aid_types")
NOT_LIVING = tuple(s for s in CIVIL_STATUSES if s != "alive")

# ---------------------------------------------------------------------------- names

# Titles and forms of address dropped before comparing names (lower case, no dots).
_TITLE_WORDS = """
    h hj haji hajah hajjah kh dr drs dra ir prof st sh se spd spdi sag sip skm skom sked
    sp ssos sth stp ssi sm mm mpd msi mh mkes amd amk amkeb apt
    bapak bpk bp pak ibu bu ny nn nona tn tuan sdr sdri saudara saudari alm almh almarhum
    almarhumah
"""
TITLES = frozenset(_TITLE_WORDS.split())
# Old (pre-1972) spellings, replaced in this order: "dj" before "j", so that the
# old "Djoko" and the new "Joko" meet in one canonical form.
OLD_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("nj", "ny"), ("sj", "sy"), ("ch", "kh"))
_MUHAMMAD_WORDS = """
    m moh muh mhd moch much mochamad mochammad muchamad muchammad mohamad mohammad mohamed
    muhamad muhammad muhammed
"""
MUHAMMAD = frozenset(_MUHAMMAD_WORDS.split())
_NOT_LETTER = re.compile(r"[^a-z ]+")
_REPEATS = re.compile(r"(.)\1+")
# "Juariyah" and "Juariah", "Diyah" and "Diah": the glide is written either way.
_IY = re.compile(r"iy(?=[aeiou])")


def normalise_name(name: str) -> str:
    """A canonical spelling of an Indonesian name, for search and duplicate finding.

    Drops titles and forms of address (H., Hj., Drs., S.Pd., Bapak, Ibu), writes the
    variants of Muhammad one way, maps old spellings to one form (oe→u, dj→j, tj→c,
    nj→ny, sj→sy, ch→kh, then j→y; "iya" as "ia"), writes doubled letters once and
    collapses spaces:
    "Hj. Siti Djoeariah, S.Pd." and "Siti Juariyah" get the same key.
    """
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = []
    for raw in re.split(r"[\s,]+", text):
        word = raw.replace(".", "").replace("'", "")
        if not word or word in TITLES:
            continue
        words.append("muhammad" if word in MUHAMMAD else word)
    text = _NOT_LETTER.sub(" ", " ".join(words))
    for old, new in OLD_SPELLINGS:
        text = text.replace(old, new)
    text = _IY.sub("i", text.replace("j", "y"))
    return " ".join(_REPEATS.sub(r"\1", word) for word in text.split())[:120]


# --------------------------------------------------------------------------- scores


def refresh_assessment(household: Household, today: date | None = None) -> scoring.Assessment:
    """Recompute a household's score, need level and aid types and store them."""
    db.session.flush()
    db.session.expire(household, ["members"])
    result = scoring.assess_household(household, today)
    household.score = result.score
    household.need_level = result.need_level
    household.aid_types = " " + " ".join(result.aid_types) + " " if result.aid_types else " "
    household.scored_at = utcnow()
    return result


# ------------------------------------------------------------------------ households


def get_household(household_id: int) -> Household | None:
    return db.session.get(Household, household_id)


def _record_views(object_type: str, ids, actor, ip: str | None) -> None:
    # A write transaction of its own: on SQLite a request's read transaction cannot take
    # the write lock once another request has written ("database is locked" at once,
    # whatever the busy timeout), so the read is ended and the write begins with the lock.
    session = db.session()
    # Nothing read is changed here, so what the request loaded stays loaded (the
    # commit would otherwise expire it, and the page would read it all again).
    keep_loaded, session.expire_on_commit = session.expire_on_commit, False
    # One INSERT through the Core (a view entry has no free text to mask): no ORM object
    # and no flush, the cheapest write there is.
    rows = [
        {
            "at": utcnow(),
            "actor_id": getattr(actor, "id", None),
            "actor_name": getattr(actor, "name", None),
            "action": "view",
            "object_type": object_type,
            "object_id": str(object_id),
            "summary": None,
            "before": None,  # stored as record() stores them (JSON null)
            "after": None,
            "ip": ip,
        }
        for object_id in ids
    ]
    try:
        with write_transaction(session):
            session.execute(insert(AuditEntry.__table__), rows)
    finally:
        session.expire_on_commit = keep_loaded


def view_household(household: Household, *, actor, ip: str | None = None) -> None:
    """Record that a staff member opened the full record of a household."""
    _record_views("household", [household.id], actor, ip)


def view_person(person: Person, *, actor, ip: str | None = None) -> None:
    """Record that a staff member opened the full record of a person."""
    _record_views("person", [person.id], actor, ip)


def _kk_errors(kk: str | None, household: Household | None) -> dict:
    if not kk:
        return {}
    errors = check_kk(kk)
    if errors:
        return {"kk_number": " ".join(str(e) for e in errors)}
    stmt = select(Household.id).where(Household.kk_number == kk)
    if household is not None:
        stmt = stmt.where(Household.id != household.id)
    if db.session.scalar(stmt) is not None:
        return {"kk_number": _l("Another household already has this family card number.")}
    return {}


def save_household(
    household: Household | None,
    data: dict,
    *,
    actor,
    kk_reason: str = "first",
    on: date | None = None,
    ip: str | None = None,
) -> tuple[Household, dict]:
    """Create or update a household from plain values. Returns (household, field errors).

    A new family-card number closes the old one in the KK history (with `kk_reason`)
    rather than overwriting it.
    """
    on = on or village_today()
    creating = household is None
    values = {f: data.get(f) for f in HOUSEHOLD_FIELDS if f in data}
    if "kk_number" in values:
        values["kk_number"] = clean_number(values["kk_number"]) or None
    for name in ("address", "dusun", "national_id", "notes"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip() or (None if name != "address" else "")
    errors = _kk_errors(values.get("kk_number"), household)
    if errors:
        return household, errors
    if creating:
        household = Household(address="")
        db.session.add(household)
        before = None
    else:
        before = snapshot(household, AUDIT_HOUSEHOLD_FIELDS)
    old_kk = household.kk_number
    for name, value in values.items():
        setattr(household, name, value)
    if household.kk_number != old_kk:
        _record_kk_change(
            household, old_kk, household.kk_number, kk_reason if old_kk else "first", on, actor
        )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return household, {
            "kk_number": _l("Another household already has this family card number.")
        }
    refresh_assessment(household)
    record(
        "create" if creating else "update",
        "household",
        household.id,
        actor=actor,
        before=before,
        after=snapshot(household, AUDIT_HOUSEHOLD_FIELDS),
        ip=ip,
    )
    db.session.commit()
    return household, {}


def _record_kk_change(household, old_kk, new_kk, reason, on, actor) -> None:
    for row in household.kk_history:
        if row.valid_to is None:
            row.valid_to = max(on, row.valid_from)
    if new_kk:
        household.kk_history.append(
            KKNumber(
                kk_number=new_kk,
                valid_from=on,
                reason=reason,
                recorded_by_id=getattr(actor, "id", None),
            )
        )


# --------------------------------------------------------------------------- people


def _clean_person_values(data: dict) -> dict:
    values = {f: data.get(f) for f in PERSON_FIELDS if f in data}
    if "nik" in values:
        values["nik"] = clean_number(values["nik"]) or None
    for name in ("name", "birth_place", "mother_name", "disability", "occupation", "education"):
        if isinstance(values.get(name), str):
            values[name] = " ".join(values[name].split()) or None
    if not values.get("marital_status"):
        values["marital_status"] = None
    return values


def save_person(
    person: Person | None,
    data: dict,
    *,
    actor,
    household: Household | None = None,
    reason: str = "registered",
    on: date | None = None,
    ip: str | None = None,
) -> tuple[Person | None, dict, list]:
    """Create (in `household`) or update a person. Returns (person, errors, warnings).

    A malformed NIK is an error; a NIK that disagrees with the birth date or sex is
    saved with a warning, for an operator to check against the family card.
    """
    on = on or village_today()
    creating = person is None
    values = _clean_person_values(data)
    errors: dict = {}
    if not values.get("name") and (creating or "name" in values):
        errors["name"] = _l("Please fill in this field.")
    nik = values.get("nik") if "nik" in values else getattr(person, "nik", None)
    birth_date = values.get("birth_date", getattr(person, "birth_date", None))
    sex = values.get("sex", getattr(person, "sex", None))
    warnings: list = []
    nik_warning = None
    if nik:
        check = check_nik(nik, birth_date, sex)
        if check.errors:
            errors["nik"] = " ".join(str(e) for e in check.errors)
        else:
            warnings = check.warnings
            nik_warning = ",".join(check.warning_codes) or None
            other = db.session.scalar(
                select(Person.id).where(Person.nik == nik, Person.id != getattr(person, "id", 0))
            )
            if other:
                errors["nik"] = _l("Another person already has this NIK.")
    if errors:
        return person, errors, []
    if creating:
        if household is None:
            raise ValueError("a new person needs a household")
        person = Person(household_id=household.id)
        db.session.add(person)
        before = None
    else:
        before = snapshot(person, AUDIT_PERSON_FIELDS)
    for name, value in values.items():
        setattr(person, name, value)
    person.name_norm = normalise_name(person.name)
    person.nik_warning = nik_warning
    if creating:
        person.memberships.append(
            Membership(
                household_id=household.id,
                relation=person.relation,
                start_date=on,
                start_reason=reason,
            )
        )
    else:
        current = _open_membership(person)
        if current is not None:
            current.relation = person.relation
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return person, {"nik": _l("Another person already has this NIK.")}, []
    if person.household is not None:
        refresh_assessment(person.household)
    record(
        "create" if creating else "update",
        "person",
        person.id,
        actor=actor,
        before=before,
        after=snapshot(person, AUDIT_PERSON_FIELDS),
        ip=ip,
    )
    db.session.commit()
    if person.status != "alive":
        # Flag at once: a dead or moved person must not stay on a list.
        warnings = [*warnings, *_still_enrolled_messages(person)]
    return person, {}, warnings


def _still_enrolled_messages(person: Person) -> list:
    return [
        _l(
            "%(name)s is still enrolled in %(programme)s: end that enrolment.",
            name=flag.person_name,
            programme=flag.programme,
        )
        for flag in stale_enrolments(person.household_id)
        if flag.person_id == person.id
    ]


def _open_membership(person: Person) -> Membership | None:
    for membership in person.memberships:
        if membership.end_date is None:
            return membership
    return None


def move_person(
    person: Person,
    target: Household,
    *,
    actor,
    relation: str | None = None,
    reason: str = "moved_in",
    on: date | None = None,
    ip: str | None = None,
) -> Person:
    """Move a person to another household: the old membership is closed, not overwritten."""
    on = on or village_today()
    if person.household_id == target.id:
        return person
    with write_transaction(db.session()):
        before = snapshot(person, AUDIT_PERSON_FIELDS)
        old = person.household
        current = _open_membership(person)
        if current is not None:
            # A stay cannot end before it began; the new one starts when the old one ends.
            on = max(on, current.start_date)
            current.end_date = on
            current.end_reason = "moved_out"
            db.session.flush()  # the open-membership index allows one open row per person
        person.household_id = target.id
        if relation:
            person.relation = relation
        person.memberships.append(
            Membership(
                household_id=target.id, relation=person.relation, start_date=on, start_reason=reason
            )
        )
        db.session.flush()
        db.session.expire(person, ["household"])
        for household in (old, target):
            if household is not None:
                refresh_assessment(household)
        record(
            "move",
            "person",
            person.id,
            actor=actor,
            before=before,
            after=snapshot(person, AUDIT_PERSON_FIELDS),
            ip=ip,
        )
    return person


# ----------------------------------------------------------------------- enrolments


def enrol(
    household: Household,
    programme_id: int,
    period_start: date,
    period_end: date | None = None,
    *,
    actor,
    person: Person | None = None,
    ip: str | None = None,
) -> tuple[Enrolment | None, dict]:
    """Enrol a household (or one member) in a village programme. Returns (enrolment, errors)."""
    if db.session.get(Programme, programme_id) is None:
        return None, {"programme": _l("Choose a programme from the list.")}
    enrolment = Enrolment(
        household_id=household.id,
        programme_id=programme_id,
        person_id=getattr(person, "id", None),
        period_start=period_start,
        period_end=period_end,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None, {
            "period_start": _l(
                "This household is already enrolled in this programme from that date."
            )
        }
    record(
        "create", "enrolment", enrolment.id, actor=actor, after=_enrolment_facts(enrolment), ip=ip
    )
    db.session.commit()
    return enrolment, {}


def add_external(
    household: Household | None,
    code: str,
    period_start: date,
    period_end: date | None = None,
    *,
    actor,
    person: Person | None = None,
    source: str | None = None,
    ip: str | None = None,
) -> ExternalEnrolment:
    """Record that a household or person receives a national programme (PKH, BPNT...)."""
    if code not in NATIONAL_PROGRAMMES:
        raise ValueError(f"unknown national programme {code!r}")
    item = ExternalEnrolment(
        household_id=getattr(household, "id", None),
        person_id=getattr(person, "id", None),
        programme_code=code,
        period_start=period_start,
        period_end=period_end,
        source=source,
    )
    db.session.add(item)
    db.session.flush()
    record(
        "create", "external_enrolment", item.id, actor=actor, after=_enrolment_facts(item), ip=ip
    )
    db.session.commit()
    return item


def end_enrolment(item: Enrolment | ExternalEnrolment, *, actor, ip: str | None = None) -> None:
    """End a village or national enrolment: its last day is yesterday (or its first day).

    Nothing is deleted; the enrolment keeps its history with an end date.
    """
    yesterday = village_today() - timedelta(days=1)
    end = max(yesterday, item.period_start)
    if item.period_end is not None and item.period_end <= end:
        return
    before = _enrolment_facts(item)
    item.period_end = end
    record(
        "end",
        item.__tablename__,
        item.id,
        actor=actor,
        before=before,
        after=_enrolment_facts(item),
        ip=ip,
    )
    db.session.commit()


def _enrolment_facts(item) -> dict:
    facts = {
        "household_id": item.household_id,
        "person_id": item.person_id,
        "period_start": item.period_start,
        "period_end": item.period_end,
    }
    if isinstance(item, Enrolment):
        facts["programme_id"] = item.programme_id
    else:
        facts["programme_code"] = item.programme_code
    return facts


def _active(model, today: date):
    return or_(model.period_end.is_(None), model.period_end >= today)


# ------------------------------------------------------------------------- warnings


@dataclass(frozen=True)
class StaleEnrolment:
    """A person who is dead, moved away or missing and still enrolled (directly or as head)."""

    person_id: int
    person_name: str
    status: str
    household_id: int | None
    programme: str
    as_head: bool


def stale_enrolments(household_id: int | None = None, today: date | None = None) -> list:
    """Dead, moved or missing people who are still enrolled somewhere.

    A person counts as enrolled when an active enrolment names them, or when it is
    their household's and they are its head (the aid is handed to the head).
    """
    today = today or village_today()
    out: list[StaleEnrolment] = []
    not_alive = and_(Person.status.in_(NOT_LIVING), Person.merged_into_id.is_(None))
    village = (
        select(
            Person.id,
            Person.name,
            Person.status,
            Person.household_id,
            Programme.name_id,
            Enrolment.person_id,
        )
        .select_from(Person)
        .join(
            Enrolment,
            or_(
                Enrolment.person_id == Person.id,
                and_(
                    Enrolment.person_id.is_(None),
                    Enrolment.household_id == Person.household_id,
                    Person.relation == "head",
                ),
            ),
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(not_alive, _active(Enrolment, today))
    )
    national = (
        select(
            Person.id,
            Person.name,
            Person.status,
            Person.household_id,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
        )
        .select_from(Person)
        .join(
            ExternalEnrolment,
            or_(
                ExternalEnrolment.person_id == Person.id,
                and_(
                    ExternalEnrolment.person_id.is_(None),
                    ExternalEnrolment.household_id == Person.household_id,
                    Person.relation == "head",
                ),
            ),
        )
        .where(not_alive, _active(ExternalEnrolment, today))
    )
    if household_id is not None:
        village = village.where(Person.household_id == household_id)
        national = national.where(Person.household_id == household_id)
    for pid, name, status, hid, programme, named in db.session.execute(village.order_by(Person.id)):
        out.append(StaleEnrolment(pid, name, status, hid, programme, named is None))
    for pid, name, status, hid, code, named in db.session.execute(national.order_by(Person.id)):
        out.append(StaleEnrolment(pid, name, status, hid, code, named is None))
    return out


@dataclass(frozen=True)
class Overlap:
    """Two enrolments of one household giving the same kind of aid in overlapping periods."""

    household_id: int
    aid_type: str
    first: str
    second: str
    start: date
    end: date | None


def overlaps(household_id: int | None = None, today: date | None = None) -> list[Overlap]:
    """Households enrolled twice for the same kind of aid in the same period.

    Village programmes count by their aid type; national ones by the kind of aid each
    gives (BPNT food, PKH and BLT cash, PBI health, PIP education). An enrolment of a
    person counts for the household they belong to; two enrolments for two different
    members (health insurance for each) are not an overlap. Only periods still
    running (or not yet started) are compared.
    """
    today = today or village_today()
    # (household, aid type) -> [(start, end, beneficiary person or None, label)]
    entries: dict[tuple[int, str], list] = defaultdict(list)
    village = (
        select(
            Enrolment.household_id,
            Programme.aid_type,
            Programme.name_id,
            Enrolment.person_id,
            Enrolment.period_start,
            Enrolment.period_end,
        )
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(_active(Enrolment, today))
    )
    hh = func.coalesce(ExternalEnrolment.household_id, Person.household_id)
    national = (
        select(
            hh,
            ExternalEnrolment.programme_code,
            ExternalEnrolment.person_id,
            ExternalEnrolment.period_start,
            ExternalEnrolment.period_end,
        )
        .select_from(ExternalEnrolment)
        .outerjoin(Person, Person.id == ExternalEnrolment.person_id)
        .where(_active(ExternalEnrolment, today))
    )
    if household_id is not None:
        village = village.where(Enrolment.household_id == household_id)
        # The OR lets the indexes on household_id and person_id find the candidates
        # (the coalesce alone reads every national enrolment); the coalesce decides.
        national = national.where(
            or_(
                ExternalEnrolment.household_id == household_id,
                ExternalEnrolment.person_id.in_(
                    select(Person.id).where(Person.household_id == household_id)
                ),
            ),
            hh == household_id,
        )
    for hid, aid_type, name, person_id, start, end in db.session.execute(village):
        entries[(hid, aid_type)].append((start, end, person_id, name))
    for hid, code, person_id, start, end in db.session.execute(national):
        if hid is not None:
            entries[(hid, NATIONAL_PROGRAMMES[code][0])].append((start, end, person_id, code))
    return _overlaps_in(entries)


def _overlaps_in(entries: dict[tuple[int, str], list]) -> list[Overlap]:
    """The overlaps among active enrolments grouped by (household, aid type), each entry
    (start, end, beneficiary person or None, label): the rule of `overlaps()`."""
    found = []
    for (hid, aid_type), items in sorted(entries.items()):
        items.sort(key=lambda item: (item[0], item[3]))
        for i, (_start_a, end_a, person_a, name_a) in enumerate(items):
            for start_b, end_b, person_b, name_b in items[i + 1 :]:
                if end_a is not None and start_b > end_a:
                    continue
                if person_a is not None and person_b is not None and person_a != person_b:
                    continue
                end = min((e for e in (end_a, end_b) if e is not None), default=None)
                found.append(Overlap(hid, aid_type, name_a, name_b, start_b, end))
    return found


def covered_households(
    aid_type: str, start: date, end: date, *, ignore_enrolments: Collection[int] = ()
) -> set[int]:
    """Households already receiving `aid_type` at some time between `start` and `end`.

    The same rules as `overlaps()`: village programmes count by their aid type,
    national ones by the kind of aid each gives (NATIONAL_PROGRAMMES), and an
    enrolment of a person counts for the household they belong to now. Used by the
    recipient lists so that a draft list leaves out households covered twice; a list
    passes the enrolments its own approval made as `ignore_enrolments` (being on this
    list is not being covered by another).
    """
    codes = [code for code, (kind, _label) in NATIONAL_PROGRAMMES.items() if kind == aid_type]
    covered = set(
        db.session.scalars(
            select(Enrolment.household_id)
            .join(Programme, Programme.id == Enrolment.programme_id)
            .where(
                Programme.aid_type == aid_type,
                Enrolment.period_start <= end,
                or_(Enrolment.period_end.is_(None), Enrolment.period_end >= start),
                Enrolment.id.not_in(list(ignore_enrolments)),
            )
        )
    )
    if codes:
        hh = func.coalesce(ExternalEnrolment.household_id, Person.household_id)
        covered.update(
            hid
            for hid in db.session.scalars(
                select(hh)
                .select_from(ExternalEnrolment)
                .outerjoin(Person, Person.id == ExternalEnrolment.person_id)
                .where(
                    ExternalEnrolment.programme_code.in_(codes),
                    ExternalEnrolment.period_start <= end,
                    or_(
                        ExternalEnrolment.period_end.is_(None),
                        ExternalEnrolment.period_end >= start,
                    ),
                )
            )
            if hid is not None
        )
    return covered


def nik_mismatches(limit: int = 200) -> list[Person]:
    """People whose NIK disagrees with their birth date or sex (warnings, not errors)."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.nik_warning.is_not(None), Person.merged_into_id.is_(None))
            .order_by(Person.household_id, Person.id)
            .limit(limit)
        )
    )


# ----------------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class DuplicatePair:
    """Two person records that are probably the same person."""

    a: Person
    b: Person

    @property
    def same_household(self) -> bool:
        return self.a.household_id == self.b.household_id


def _decided_pairs(ids: set[int]) -> set[tuple[int, int]]:
    if not ids:
        return set()
    rows = db.session.execute(
        select(DuplicateDecision.person_a_id, DuplicateDecision.person_b_id).where(
            DuplicateDecision.person_a_id.in_(ids)
        )
    )
    return {(a, b) for a, b in rows}


def _pairs(people: list[Person], limit: int) -> list[DuplicatePair]:
    groups: dict[tuple, list[Person]] = defaultdict(list)
    for person in people:
        groups[(person.name_norm, person.birth_date)].append(person)
    if all(len(group) < 2 for group in groups.values()):
        return []  # the usual case on a household page: no need to ask for decisions
    decided = _decided_pairs({p.id for p in people})
    pairs = []
    for group in groups.values():
        group.sort(key=lambda p: p.id)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a.id, b.id) not in decided:
                    pairs.append(DuplicatePair(a, b))
                    if len(pairs) >= limit:
                        return pairs
    return pairs


def likely_duplicates(limit: int = 500) -> list[DuplicatePair]:
    """Pairs of people with the same name (after normalising spelling and titles) and the
    same birth date, in one household or in two, that nobody has decided on yet.

    The same NIK twice cannot happen: the database refuses it (unique constraint).
    """
    key = (
        select(Person.name_norm, Person.birth_date)
        .where(Person.merged_into_id.is_(None), Person.birth_date.is_not(None))
        .group_by(Person.name_norm, Person.birth_date)
        .having(func.count() > 1)
        .subquery()
    )
    people = db.session.scalars(
        select(Person)
        .join(key, and_(Person.name_norm == key.c.name_norm, Person.birth_date == key.c.birth_date))
        .where(Person.merged_into_id.is_(None))
        .order_by(Person.name_norm, Person.id)
    )
    return _pairs(list(people), limit)


def duplicates_of(household: Household) -> list[DuplicatePair]:
    """Likely duplicates that involve a member of this household."""
    keys = {
        (p.name_norm, p.birth_date)
        for p in household.members
        if p.birth_date and p.merged_into_id is None
    }
    if not keys:
        return []
    # Every name with every birth date (one index search on both columns, and the same
    # statement each time), then only the exact pairs.
    people = db.session.scalars(
        _statements()["namesakes"],
        {"names": sorted({n for n, _b in keys}), "births": sorted({b for _n, b in keys})},
    )
    return _pairs([p for p in people if (p.name_norm, p.birth_date) in keys], 100)


def _ordered(a: Person, b: Person) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


class DuplicateDecisionError(ServiceError, ValueError):
    """A duplicate decision that cannot be made.

    `message` says why, in the reader's language (a lazy string); `field` names the
    form field it belongs beside ("reason"), or is None for the pair as a whole.
    """


def decision_for(a: Person, b: Person) -> DuplicateDecision | None:
    """The decision already made on this pair of records, if any."""
    first, second = _ordered(a, b)
    return db.session.scalar(
        select(DuplicateDecision).where(
            DuplicateDecision.person_a_id == first, DuplicateDecision.person_b_id == second
        )
    )


def pair_problem(a: Person, b: Person):
    """Why nobody can decide on this pair now (a message for the reader), or None."""
    if a.id == b.id:
        return _l("Both sides are the same record: there is nothing to decide.")
    decision = decision_for(a, b)
    if decision is not None:
        return _l(
            "This pair has already been decided: %(decision)s.",
            decision=DUPLICATE_DECISIONS[decision.decision],
        )
    if a.merged_into_id is not None or b.merged_into_id is not None:
        return _l("One of these records has already been merged into another record.")
    return None


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DuplicateDecisionError(_l("Please give a reason."), "reason")
    return reason


def _lock_pair(a: Person, b: Person) -> None:
    """Read both records again inside the write transaction, locked where the engine can
    (PostgreSQL: FOR UPDATE; SQLite holds its write lock since BEGIN IMMEDIATE), so that
    two staff members deciding on the same records at once cannot both go ahead."""
    db.session.execute(
        select(Person)
        .where(Person.id.in_({a.id, b.id}))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()


def _check_pair(a: Person, b: Person) -> None:
    problem = pair_problem(a, b)
    if problem is not None:
        raise DuplicateDecisionError(problem)


# Another request decided the same pair a moment earlier: the pair's row is unique.
_DECIDED_MEANWHILE = _l("Someone else has just decided on this pair. Check the list again.")


def view_pair(a: Person, b: Person, *, actor, ip: str | None = None) -> None:
    """Record that a staff member opened two person records side by side."""
    _record_views("person", dict.fromkeys((a.id, b.id)), actor, ip)


def person_enrolments(person: Person) -> dict[str, list]:
    """The village and national enrolments that name this person, and those of their
    household as a whole, oldest first (for comparing two records)."""
    village = [Enrolment.person_id == person.id]
    national = [ExternalEnrolment.person_id == person.id]
    if person.household_id is not None:
        village.append(
            and_(Enrolment.person_id.is_(None), Enrolment.household_id == person.household_id)
        )
        national.append(
            and_(
                ExternalEnrolment.person_id.is_(None),
                ExternalEnrolment.household_id == person.household_id,
            )
        )
    return {
        "village": list(
            db.session.scalars(
                select(Enrolment)
                .where(or_(*village))
                .options(selectinload(Enrolment.programme))
                .order_by(Enrolment.period_start, Enrolment.id)
            )
        ),
        "national": list(
            db.session.scalars(
                select(ExternalEnrolment)
                .where(or_(*national))
                .order_by(ExternalEnrolment.period_start, ExternalEnrolment.id)
            )
        ),
    }


def decide_not_duplicate(
    a: Person, b: Person, *, actor, reason: str, ip: str | None = None
) -> DuplicateDecision:
    """Record that two similar records are different people; they stop being listed.

    Raises DuplicateDecisionError without a reason, for a record paired with itself,
    for a merged record and for a pair already decided. Both records get an audit entry.
    """
    reason = _clean_reason(reason)
    first, second = _ordered(a, b)
    try:
        with write_transaction(db.session()):
            _lock_pair(a, b)
            _check_pair(a, b)
            decision = DuplicateDecision(
                person_a_id=first,
                person_b_id=second,
                decision="not_duplicate",
                reason=reason,
                decided_by_id=getattr(actor, "id", None),
                decided_at=utcnow(),
            )
            db.session.add(decision)
            db.session.flush()
            for person_id in (first, second):
                record(
                    "not_duplicate",
                    "person",
                    person_id,
                    actor=actor,
                    summary=reason,
                    after={"person_a_id": first, "person_b_id": second},
                    ip=ip,
                )
    except IntegrityError:
        raise DuplicateDecisionError(_DECIDED_MEANWHILE) from None
    return decision


def merge_persons(
    keep: Person, drop: Person, actor, reason: str, *, ip: str | None = None
) -> Person:
    """Merge a duplicate record into the one that stays.

    Every village and national enrolment and every membership of `drop` moves to
    `keep`; empty fields of `keep` are filled from `drop`; `drop` stays as a record
    marked merged (for the audit trail) and leaves its household. The decision and
    audit entries are written in the same transaction. When both records are enrolled
    in the same village programme from the same day (the one-per-period rule cannot
    hold both on one person), the kept record's enrolment stays and the duplicate's
    ends and stays on the merged record: nothing is deleted.

    Raises DuplicateDecisionError (a ValueError) without a reason, for a record merged
    into itself, for a record already merged and for a pair already decided.
    """
    if keep.id == drop.id:
        raise DuplicateDecisionError(
            _l("Both sides are the same record: there is nothing to decide.")
        )
    reason = _clean_reason(reason)
    try:
        with write_transaction(db.session()):
            _lock_pair(keep, drop)
            _check_pair(keep, drop)
            _merge(keep, drop, actor, reason, ip)
    except IntegrityError:
        raise DuplicateDecisionError(_DECIDED_MEANWHILE) from None
    return keep


def _merge(keep: Person, drop: Person, actor, reason: str, ip: str | None) -> None:
    before = {
        "keep": snapshot(keep, AUDIT_PERSON_FIELDS),
        "drop": snapshot(drop, AUDIT_PERSON_FIELDS),
    }
    households = {h for h in (keep.household, drop.household) if h is not None}

    taken = {
        (programme_id, start)
        for programme_id, start in db.session.execute(
            select(Enrolment.programme_id, Enrolment.period_start).where(
                Enrolment.person_id == keep.id
            )
        )
    }
    moved_village, ended_village = [], []
    last_day = village_today() - timedelta(days=1)
    for enrolment in db.session.scalars(
        select(Enrolment).where(Enrolment.person_id == drop.id).order_by(Enrolment.id)
    ):
        key = (enrolment.programme_id, enrolment.period_start)
        if key in taken:
            end = max(last_day, enrolment.period_start)
            if enrolment.period_end is None or enrolment.period_end > end:
                enrolment.period_end = end
            ended_village.append(enrolment)
            continue
        taken.add(key)
        enrolment.person_id = keep.id
        moved_village.append(enrolment)
    moved_national = list(
        db.session.scalars(select(ExternalEnrolment).where(ExternalEnrolment.person_id == drop.id))
    )
    for enrolment in moved_national:
        enrolment.person_id = keep.id

    keep_open = _open_membership(keep)
    moved_memberships = []
    for membership in list(drop.memberships):
        if membership.end_date is None and keep_open is not None:
            # One household at a time: the duplicate's stay ends with the merge.
            membership.end_date = max(village_today(), membership.start_date)
            membership.end_reason = "merged"
        membership.person = keep
        moved_memberships.append(membership.id)
    if keep.household_id is None:
        keep.household_id = drop.household_id

    filled = {}
    for name in (
        "birth_place",
        "birth_date",
        "mother_name",
        "marital_status",
        "disability",
        "occupation",
        "education",
    ):
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
            filled[name] = getattr(drop, name)
    nik = drop.nik if not keep.nik else None
    drop.household_id = None
    drop.merged_into_id = keep.id
    if nik:
        drop.nik = None
        db.session.flush()  # free the NIK before the kept record takes it
        keep.nik = nik
        filled["nik"] = nik
    if keep.nik and ("nik" in filled or "birth_date" in filled):
        check = check_nik(keep.nik, keep.birth_date, keep.sex)
        keep.nik_warning = ",".join(check.warning_codes) or None

    first, second = _ordered(keep, drop)
    db.session.add(
        DuplicateDecision(
            person_a_id=first,
            person_b_id=second,
            decision="merge",
            reason=reason,
            decided_by_id=getattr(actor, "id", None),
            decided_at=utcnow(),
        )
    )
    db.session.flush()
    db.session.expire(keep, ["memberships", "household"])
    db.session.expire(drop, ["memberships", "household"])
    for household in households:
        refresh_assessment(household)
    record(
        "merge",
        "person",
        keep.id,
        actor=actor,
        summary=reason,
        before=before,
        after={
            "keep": snapshot(keep, AUDIT_PERSON_FIELDS),
            "merged_person_id": drop.id,
            "filled": filled,
            "enrolments_moved": [e.id for e in moved_village],
            "enrolments_ended_as_duplicates": [e.id for e in ended_village],
            "external_enrolments_moved": [e.id for e in moved_national],
            "memberships_moved": moved_memberships,
        },
        ip=ip,
    )
    record(
        "merged_into",
        "person",
        drop.id,
        actor=actor,
        summary=reason,
        before=before["drop"],
        after=snapshot(drop, AUDIT_PERSON_FIELDS),
        ip=ip,
    )


# --------------------------------------------------------------------------- search

# "RT 3 RW 2", "rt03/rw02", "RT 3", "RW 2" and "3/2".
_RT_RW_LABELLED = re.compile(r"(?:rt\.?\s*(\d{1,3}))?\s*[/,]?\s*(?:rw\.?\s*(\d{1,3}))?")
_RT_RW_SHORT = re.compile(r"(\d{1,3})\s*/\s*(\d{1,3})")
MAX_QUERY = 100
# The first six digits of a NIK or KK number are the region, the same for nearly the whole
# village: a shorter prefix would list everyone (and sort them all on every keystroke).
MIN_NUMBER_PREFIX = 8


@dataclass
class Filters:
    """What the staff search asks for; every part is optional."""

    q: str = ""
    need_level: str | None = None
    aid_type: str | None = None
    rt: int | None = None
    rw: int | None = None
    programme_id: int | None = None


def filters_from_args(args) -> Filters:
    """The search filters from a query string (the list page and the export page share
    them, so an export is exactly the list the operator was looking at). Unknown or
    out-of-range values are ignored."""

    def number(name: str, high: int = 999) -> int | None:
        raw = (args.get(name) or "").strip()
        return int(raw) if is_whole(raw) and 1 <= int(raw) <= high else None

    level, aid = args.get("tingkat"), args.get("bantuan")
    return Filters(
        q=(args.get("q") or "").strip()[:MAX_QUERY],
        need_level=level if level in NEED_LEVELS else None,
        aid_type=aid if aid in AID_TYPES else None,
        rt=number("rt"),
        rw=number("rw"),
        programme_id=number("program", high=10**9),
    )


def filters_query(filters: Filters) -> dict[str, str | int]:
    """The query-string arguments that give `filters` back (for links)."""
    pairs = {
        "q": filters.q,
        "tingkat": filters.need_level,
        "bantuan": filters.aid_type,
        "rt": filters.rt,
        "rw": filters.rw,
        "program": filters.programme_id,
    }
    return {key: value for key, value in pairs.items() if value}


def parse_rt_rw(q: str) -> tuple[int | None, int | None] | None:
    """(rt, rw) when the search words are an RT/RW, else None."""
    q = q.strip().lower()
    match = _RT_RW_SHORT.fullmatch(q) or _RT_RW_LABELLED.fullmatch(q)
    if match is None or not any(match.groups()):
        return None
    rt, rw = match.groups()
    return (int(rt) if rt else None, int(rw) if rw else None)


# How many words of a canonical name the search looks at: each has an index of its own.
NAME_WORDS_SEARCHED = 4


def name_word_starts(dialect: str) -> list:
    """The canonical name from its first, second, third and fourth word on.

    A word typed in the search matches when one of these starts with it, so "amin"
    finds "siti aminah" through an index (see the migration registry_search, which
    indexes exactly these expressions) instead of reading every person; words from the
    fifth on are not searched. The expressions are literal SQL because an index on an
    expression serves only a query that spells it the same way, without parameters.
    """
    find = "strpos" if dialect == "postgresql" else "instr"
    texts = ["name_norm"]
    for _ in range(NAME_WORDS_SEARCHED - 1):
        texts.append(f"substr({texts[-1]}, {find}({texts[-1]}, ' ') + 1)")
    return [Person.name_norm, *(literal_column(t, String) for t in texts[1:])]


def _prefix(column, value: str):
    # A range, not LIKE: it uses the index on every engine ('~' sorts after a-z and digits).
    return and_(column >= value, column < value + "~")


def search_query(filters: Filters, today: date | None = None) -> Select:
    """The households matching a staff search, in RW/RT order.

    `q` may be a NIK or KK number (exact, or at least 8 leading digits), "RT 3 RW 2"
    or "3/2", or words of a name (each word must start one of the first four words of a
    member's name, compared in the canonical spelling).
    """
    today = today or village_today()
    stmt = select(Household)
    q = (filters.q or "").strip()[:MAX_QUERY]
    rt, rw = filters.rt, filters.rw
    digits = clean_number(q)
    rt_rw = parse_rt_rw(q)
    if rt_rw is not None:
        rt = rt_rw[0] if rt_rw[0] is not None else rt
        rw = rt_rw[1] if rt_rw[1] is not None else rw
    elif is_whole(digits) and len(digits) >= MIN_NUMBER_PREFIX:
        if len(digits) == 16:
            person_hit = select(Person.household_id).where(Person.nik == digits)
            kk_hit = select(KKNumber.household_id).where(KKNumber.kk_number == digits)
            stmt = stmt.where(
                or_(
                    Household.kk_number == digits,
                    Household.id.in_(person_hit),
                    Household.id.in_(kk_hit),
                )
            )
        else:
            person_hit = select(Person.household_id).where(_prefix(Person.nik, digits))
            stmt = stmt.where(
                or_(_prefix(Household.kk_number, digits), Household.id.in_(person_hit))
            )
    elif q:
        words = normalise_name(q).split()[:6]
        if not words:
            # Only titles or symbols: nothing sensible to look for.
            return stmt.where(Household.id.is_(None))
        starts = name_word_starts(db.session.get_bind().dialect.name)
        conds = [or_(*[_prefix(start, w) for start in starts]) for w in words]
        stmt = stmt.where(
            Household.id.in_(
                select(Person.household_id).where(Person.merged_into_id.is_(None), *conds)
            )
        )
    if rt is not None:
        stmt = stmt.where(Household.rt == rt)
    if rw is not None:
        stmt = stmt.where(Household.rw == rw)
    if filters.need_level:
        stmt = stmt.where(Household.need_level == filters.need_level)
    if filters.aid_type:
        stmt = stmt.where(Household.aid_types.contains(f" {filters.aid_type} ", autoescape=True))
    if filters.programme_id:
        stmt = stmt.where(
            Household.id.in_(
                select(Enrolment.household_id).where(
                    Enrolment.programme_id == filters.programme_id, _active(Enrolment, today)
                )
            )
        )
    return stmt.options(selectinload(Household.members)).order_by(
        Household.rw, Household.rt, Household.id
    )


def search_households(filters: Filters, page: int = 1, per_page: int = 25):
    """A page of households for the staff search (Flask-SQLAlchemy Pagination)."""
    stmt = search_query(filters)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=False)
    if page == 1 and len(pagination.items) < per_page:
        # Everything found fits on the first page: its length is the count. Saves the
        # second query on most searches as the operator types a name.
        pagination.total = len(pagination.items)
    else:
        found = stmt.options(lazyload("*")).order_by(None).subquery()
        pagination.total = db.session.scalar(select(func.count()).select_from(found))
    return pagination


def programmes_for_filter() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.name_id)))


def household_by_kk(kk: str) -> Household | None:
    """The household that now carries a family card number (for moving a person there)."""
    kk = clean_number(kk)
    if not kk:
        return None
    return db.session.scalar(select(Household).where(Household.kk_number == kk))


def warnings_overview(limit: int = 200) -> dict[str, list]:
    """Everything the warnings page lists: stale enrolments and overlaps (all of them),
    NIK mismatches and likely duplicates (the first `limit`)."""
    return {
        "stale": stale_enrolments(),
        "overlaps": overlaps(),
        "nik": nik_mismatches(limit),
        "duplicates": likely_duplicates(limit),
        "limit": limit,
    }


# ------------------------------------------------------------------ household page


@dataclass
class HouseholdRecord:
    """Everything the staff household page shows, read in a handful of queries."""

    household: Household
    assessment: scoring.Assessment
    enrolments: dict[str, list]
    warnings: dict[str, list]
    history: list[Membership]


def household_record(household_id: int, today: date | None = None) -> HouseholdRecord | None:
    """The full record of one household for its staff page, or None when there is none.

    Read once: the household with its members and KK history, the
    village enrolments of the household and of its members (with their programmes),
    the national ones, the likely duplicates and the membership history. The stale
    enrolments and overlaps of this one household are then worked out from those rows
    by the rules of `stale_enrolments()` and `overlaps()` (which answer the same in SQL
    for the whole village; a test holds the two together).
    """
    today = today or village_today()
    statements = _statements()
    household = (
        db.session.scalars(statements["household"], {"household_id": household_id})
        .unique()
        .one_or_none()
    )
    if household is None:
        return None
    members = list(household.members)
    member_ids = [p.id for p in members]
    ids = {"household_id": household.id, "member_ids": member_ids}
    # Village enrolments of the household, and those naming a member wherever they are
    # booked (a member still enrolled elsewhere is a stale enrolment here too).
    village_rows = list(db.session.scalars(statements["village"], ids))
    national = list(db.session.scalars(statements["national"], ids))
    village = [e for e in village_rows if e.household_id == household.id]
    history = list(db.session.scalars(statements["history"], ids))
    warnings = {
        "stale": _household_stale(household, village_rows, national, today),
        "overlaps": _household_overlaps(household, member_ids, village, national, today),
        "nik": [p for p in members if p.nik_warning and p.merged_into_id is None],
        "duplicates": duplicates_of(household),
        "no_head": [] if household.head else [household],
    }
    return HouseholdRecord(
        household=household,
        assessment=scoring.assess_household(household, today),
        enrolments={"village": village, "national": national},
        warnings=warnings,
        history=history,
    )


@functools.cache
def _statements() -> dict[str, Select]:
    """The household page's queries, built once (building a statement costs more than
    running it here); the values come as parameters."""
    household_id = bindparam("household_id")
    member_ids = bindparam("member_ids", expanding=True)
    return {
        "household": select(Household)
        .where(Household.id == household_id)
        .options(joinedload(Household.members), selectinload(Household.kk_history)),
        "village": select(Enrolment)
        .where(or_(Enrolment.household_id == household_id, Enrolment.person_id.in_(member_ids)))
        .options(joinedload(Enrolment.programme))
        .order_by(Enrolment.period_start.desc(), Enrolment.id),
        "national": select(ExternalEnrolment)
        .where(
            or_(
                ExternalEnrolment.household_id == household_id,
                ExternalEnrolment.person_id.in_(member_ids),
            )
        )
        .order_by(ExternalEnrolment.period_start.desc(), ExternalEnrolment.id),
        "history": select(Membership)
        .where(Membership.household_id == household_id)
        .options(joinedload(Membership.person))
        .order_by(Membership.start_date.desc(), Membership.id.desc()),
        "namesakes": select(Person)
        .where(
            Person.merged_into_id.is_(None),
            Person.name_norm.in_(bindparam("names", expanding=True)),
            Person.birth_date.in_(bindparam("births", expanding=True)),
        )
        .order_by(Person.name_norm, Person.birth_date, Person.id),
    }


def _is_active(item, today: date) -> bool:
    return item.period_end is None or item.period_end >= today


def _household_stale(household, village, national, today) -> list[StaleEnrolment]:
    """`stale_enrolments(household.id)` from rows already read: `village` and `national`
    hold every enrolment of the household and every one naming a member."""
    out: list[StaleEnrolment] = []
    for rows, label in (
        (village, lambda e: e.programme.name_id),
        (national, lambda e: e.programme_code),
    ):
        # A person's own enrolments first, then the household's (the order SQLite gave).
        active = sorted(
            (e for e in rows if _is_active(e, today)), key=lambda e: (e.person_id is None, e.id)
        )
        for person in household.members:
            if person.status not in NOT_LIVING or person.merged_into_id is not None:
                continue
            for e in active:
                named = e.person_id == person.id
                as_head = (
                    e.person_id is None
                    and e.household_id == household.id
                    and person.relation == "head"
                )
                if named or as_head:
                    out.append(
                        StaleEnrolment(
                            person.id,
                            person.name,
                            person.status,
                            person.household_id,
                            label(e),
                            e.person_id is None,
                        )
                    )
    return out


def _household_overlaps(household, member_ids, village, national, today) -> list[Overlap]:
    """`overlaps(household.id)` from rows already read: the household's village
    enrolments, and the national ones of the household or of a member."""
    members = set(member_ids)
    entries: dict[tuple[int, str], list] = defaultdict(list)
    for e in sorted(village, key=lambda e: e.id):
        if _is_active(e, today):
            entries[(household.id, e.programme.aid_type)].append(
                (e.period_start, e.period_end, e.person_id, e.programme.name_id)
            )
    for e in sorted(national, key=lambda e: e.id):
        # A national enrolment counts for its own household, else for its person's.
        ours = e.household_id == household.id or (e.household_id is None and e.person_id in members)
        if ours and _is_active(e, today):
            entries[(household.id, e.aid_type)].append(
                (e.period_start, e.period_end, e.person_id, e.programme_code)
            )
    return _overlaps_in(entries)
