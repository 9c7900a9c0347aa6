"""Export a filtered list of households or of people as .xlsx or .csv.

The filters are the staff search's own (`portal.registry.services.Filters`, the same
query-string names as the registry list: q, tingkat, bantuan, rt, rw, program), so
"export what I see" gives exactly the households of that search. Every export is
written to the audit log with its filters and how many rows left the portal.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import spreadsheet
from portal.audit.services import record
from portal.extensions import db
from portal.models_base import village_today
from portal.registry import services as registry
from portal.registry.models import (
    CIVIL_STATUSES,
    MARITAL_STATUSES,
    NEED_LEVELS,
    RELATIONS,
    SEXES,
    Household,
    Person,
)

KINDS = ("households", "people")
FORMATS = ("xlsx", "csv")
YIELD = 500


HOUSEHOLD_COLUMNS = (
    Household.id,
    Household.kk_number,
    Household.rt,
    Household.rw,
    Household.dusun,
    Household.address,
    Household.need_level,
    Household.score,
    Household.desil,
    Household.aid_types,
    Household.national_id,
)
MEMBER_COLUMNS = (
    Person.household_id,
    Person.nik,
    Person.name,
    Person.sex,
    Person.birth_place,
    Person.birth_date,
    Person.relation,
    Person.marital_status,
    Person.status,
    Person.occupation,
    Person.education,
    Person.disability,
)


def _households(filters: registry.Filters) -> Iterator[list]:
    """The search's households, YIELD at a time (`yield_per`), each with its members
    (one query per chunk): plain rows, no ORM object, for a district's million people."""
    statement = registry.search_query(filters).with_only_columns(*HOUSEHOLD_COLUMNS)
    result = db.session.execute(statement.execution_options(yield_per=YIELD))
    for chunk in result.partitions():
        members: dict[int, list] = {row.id: [] for row in chunk}
        for person in db.session.execute(
            select(*MEMBER_COLUMNS)
            .where(Person.household_id.in_(list(members)), Person.merged_into_id.is_(None))
            .order_by(Person.id)
        ):
            members[person.household_id].append(person)
        for row in chunk:
            yield row, members[row.id]


def _labels(table: dict) -> dict:
    """A label table translated once per export, not once per cell."""
    return {key: str(label) for key, label in table.items()}


def _label(table: dict, value) -> str:
    return table.get(value, value or "")


def _household_rows(filters):
    need = _labels(NEED_LEVELS)
    for household, members in _households(filters):
        head = next((p for p in members if p.relation == "head"), None)
        yield [
            household.kk_number or "",
            household.rt,
            household.rw,
            household.dusun or "",
            household.address,
            head.name if head else "",
            head.nik or "" if head else "",
            sum(1 for p in members if p.status == "alive"),
            _label(need, household.need_level),
            household.score,
            household.desil if household.desil is not None else "",
            ", ".join((household.aid_types or "").split()),
            household.national_id or "",
        ]


def _people_rows(filters):
    sexes, relations, marital = _labels(SEXES), _labels(RELATIONS), _labels(MARITAL_STATUSES)
    civil, need = _labels(CIVIL_STATUSES), _labels(NEED_LEVELS)
    for household, members in _households(filters):
        for p in members:
            yield [
                p.nik or "",
                p.name,
                _label(sexes, p.sex),
                p.birth_place or "",
                p.birth_date.strftime("%d-%m-%Y") if p.birth_date else "",
                _label(relations, p.relation),
                _label(marital, p.marital_status),
                _label(civil, p.status),
                p.occupation or "",
                p.education or "",
                p.disability or "",
                household.kk_number or "",
                household.rt,
                household.rw,
                household.address,
                _label(need, household.need_level),
            ]


def _header(kind: str) -> list[str]:
    if kind == "people":
        return [
            _("NIK"),
            _("Name"),
            _("Sex"),
            _("Place of birth"),
            _("Date of birth"),
            _("Relation to the head"),
            _("Marital status"),
            _("Civil status"),
            _("Occupation"),
            _("Education"),
            _("Disability"),
            _("Family card (KK) number"),
            _("RT"),
            _("RW"),
            _("Address"),
            _("Need level"),
        ]
    return [
        _("Family card (KK) number"),
        _("RT"),
        _("RW"),
        _("Dusun"),
        _("Address"),
        _("Head of family"),
        _("NIK of the head"),
        _("Living members"),
        _("Need level"),
        _("Score"),
        _("Desil"),
        _("Fits aid types"),
        _("National welfare data id"),
    ]


def _count(filters: registry.Filters, kind: str) -> int:
    households = registry.search_query(filters).with_only_columns(Household.id).order_by(None)
    if kind == "households":
        return db.session.scalar(select(func.count()).select_from(households.subquery()))
    return db.session.scalar(
        select(func.count(Person.id)).where(
            Person.household_id.in_(households.scalar_subquery()), Person.merged_into_id.is_(None)
        )
    )


def _csv_chunks(kind: str, filters: registry.Filters, rows_per_chunk: int) -> Iterator[bytes]:
    source = _people_rows(filters) if kind == "people" else _household_rows(filters)
    yield spreadsheet.csv_text([_header(kind)], delimiter=";", bom=True).encode("utf-8")
    while chunk := list(islice(source, rows_per_chunk)):
        yield spreadsheet.csv_text(chunk, delimiter=";").encode("utf-8")


def export_list(
    filters: registry.Filters, kind: str, fmt: str, *, actor, ip: str | None = None
) -> tuple[bytes | Iterator[bytes], str, str]:
    """The households (or their members) matching `filters` as a file, audited.

    Returns (content, mimetype, file name). Numbers such as NIK and KK are written as
    text so that the spreadsheet keeps all 16 digits. A CSV is streamed: the content is
    an iterator of byte chunks, the households read YIELD at a time (`yield_per`) and
    written as they come, so a district's 1,000,000 people never sit in memory; its
    audit entry (with the number of rows, counted first) is committed before the first
    byte leaves. An .xlsx is written to a temporary file first (a ZIP archive is written
    at its end), its rows counted as they go, then audited and sent in chunks: memory
    stays flat for it too, only the wait before the first byte grows with the rows.
    """
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError("unknown export")
    if fmt == "csv":
        stem = _("households") if kind == "households" else _("people")
        name = stem + "-" + village_today().strftime("%Y%m%d") + ".csv"
        _audit(filters, kind, fmt, _count(filters, kind), actor, ip)
        db.session.commit()
        return _csv_chunks(kind, filters, YIELD), "text/csv; charset=utf-8", name
    counted = []

    def rows():
        source = _people_rows(filters) if kind == "people" else _household_rows(filters)
        for row in source:
            counted.append(1)
            yield row

    stem = _("households") if kind == "households" else _("people")
    name = stem + "-" + village_today().strftime("%Y%m%d") + ".xlsx"
    chunks = spreadsheet.xlsx_chunks([("Data", chain([_header(kind)], rows()))])
    _audit(filters, kind, fmt, len(counted), actor, ip)
    db.session.commit()
    return chunks, spreadsheet.XLSX_MIMETYPE, name


def _audit(filters, kind: str, fmt: str, rows: int, actor, ip) -> None:
    record(
        "export",
        "person" if kind == "people" else "household",
        None,
        actor=actor,
        ip=ip,
        summary=f"{kind}.{fmt}: {rows}",
        after={
            "kind": kind,
            "format": fmt,
            "rows": rows,
            "filters": {
                "q": filters.q,
                "need_level": filters.need_level,
                "aid_type": filters.aid_type,
                "rt": filters.rt,
                "rw": filters.rw,
                "programme_id": filters.programme_id,
            },
        },
    )
