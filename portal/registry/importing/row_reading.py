"""Walking a sheet's data rows, and reading the rows of OpenSID's aid lists and poor
households and of the national welfare data (the person rows' reader stays beside the
roster layouts in `layouts`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from portal.i18n import lazy_gettext as _l
from portal.registry.importing import welfare
from portal.registry.importing.layouts import (
    END_MARK,
    PROGRAMME_CODES,
    Detected,
    Row,
    _read_kk,
    _read_nik,
    _Reader,
    cells_text,
    read_person,
)
from portal.registry.importing.readers import Workbook
from portal.registry.importing.values import (
    ValueProblem,
    clean_name,
    number_text,
    parse_date,
    parse_number,
    text,
    yes_no,
)
from portal.registry.validation import check_nik, decode_nik


def _blank(cell) -> bool:
    return cell is None or (type(cell) is str and not cell.strip())


def data_rows(workbook: Workbook, detected: Detected, *, today: date) -> Iterator[Row]:
    """Every data row after the header, read into a Row (blank rows skipped)."""
    reader = READERS[detected.layout.kind]
    width = len(detected.header)
    for number, cells in workbook.rows(detected.sheet):
        if number <= detected.header_row:
            continue
        if all(_blank(c) for c in cells):
            continue
        first = text(cells[0]) if cells else None
        if first == END_MARK:
            break
        cells = list(cells[:width]) + [None] * (width - len(cells))
        yield reader(number, cells, detected, today)


def read_participant(number: int, cells: list, detected: Detected, today: date) -> Row:
    """A participant of OpenSID's aid-programme file."""
    row = Row(number, "participant", {}, cells_text(cells))
    r = _Reader(row, cells, detected)
    nik = _read_nik(r)
    try:
        participant, _n = number_text(r.raw("participant"), _l("participant"))
    except ValueProblem as exc:
        row.error(exc.message, r.column("participant"))
        participant = None
    row.values["participant"] = participant
    if not participant:
        row.values["participant"] = nik
    row.values["card_number"] = (text(r.raw("card_number")) or "")[:40] or None
    r.read("name", clean_name)
    birth_date = r.read("birth_date", lambda v: parse_date(v, today=today), warn=True)
    if nik:
        check = decode_nik(nik)
        for message in check.errors:
            row.error(message, r.column("nik"))
        if not check.errors and birth_date is not None:
            for message in check_nik(nik, birth_date).warnings:
                row.warn(message, r.column("nik"))
    return row


def read_rtm(number: int, cells: list, detected: Detected, today: date) -> Row:
    """A member of a poor household (OpenSID's RTM file)."""
    row = Row(number, "rtm", {}, cells_text(cells))
    r = _Reader(row, cells, detected)
    nik = _read_nik(r)
    if nik:
        for message in decode_nik(nik).errors:
            row.error(message, r.column("nik"))
    # text() writes a whole-number cell (7.0) as "7".
    rtm = text(r.raw("rtm_number"))
    if not rtm:
        row.error(_l("The household number is empty."), r.column("rtm_number"))
    row.values["rtm_number"] = (rtm or "")[:40] or None
    level = text(r.raw("rtm_level"))
    row.values["rtm_level"] = int(level) if level in ("1", "2") else None
    if level is not None and level not in ("1", "2"):
        row.warn(
            _l("The relation in the household is 1 (head) or 2 (member)."), r.column("rtm_level")
        )
    return row


def read_welfare(number: int, cells: list, detected: Detected, today: date) -> Row:
    """A household (or household member) row of the national welfare data."""
    row = Row(number, "welfare", {}, cells_text(cells))
    r = _Reader(row, cells, detected)
    national_id = text(r.raw("national_id"))
    row.values["national_id"] = (national_id or "")[:40] or None
    kk = _read_kk(r, required=False) if "kk_number" in detected.columns else None
    nik = _read_nik(r, required=False) if "nik" in detected.columns else None
    if nik:
        for message in decode_nik(nik).errors:
            row.error(message, r.column("nik"))
    if not (row.values["national_id"] or kk or nik) and not row.errors:
        row.error(_l("The row has no household id, family card number or NIK."))
    r.read("name", clean_name)

    def desil(value):
        number_ = parse_number(value, "desil")
        if number_ is None:
            return None
        if not number_.is_integer() or not 1 <= number_ <= 10:
            raise ValueProblem(_l("The desil is a whole number from 1 to 10."))
        return int(number_)

    r.read("desil", desil, warn=True)
    r.read("members", lambda v: _whole(parse_number(v, _l("household size"))), warn=True)
    r.read("floor_area", lambda v: parse_number(v, _l("floor area")), warn=True)
    criteria = {}
    for name, parse in (
        ("floor", welfare.floor),
        ("water", welfare.water),
        ("lighting", welfare.lighting),
        ("cooking_fuel", welfare.cooking_fuel),
        ("toilet", welfare.toilet),
    ):
        if name in detected.columns:
            criteria[name] = r.read(name, parse, warn=True)
    if "wall" in detected.columns:
        try:
            criteria["wall"] = welfare.wall(r.raw("wall"), r.raw("wall_condition"))
        except ValueProblem as exc:
            row.warn(exc.message, r.column("wall"))
            criteria["wall"] = None
    criteria = {k: v for k, v in criteria.items() if v is not None}
    # The "electricity" criterion is "no electricity": it is what the lighting says.
    if "lighting" in criteria:
        criteria["electricity"] = criteria.pop("lighting")
    row.values["criteria"] = criteria
    programmes = {}
    for code in PROGRAMME_CODES:
        name = f"programme_{code}"
        if name in detected.columns:
            value = r.read(name, yes_no, warn=True)
            if value is not None:
                programmes[code] = value
    row.values["programmes"] = programmes
    return row


def _whole(value: float | None) -> int | None:
    if value is None:
        return None
    if not value.is_integer() or value < 0:
        raise ValueProblem(_l("This is not a whole number."))
    return int(value)


READERS = {
    "person": read_person,
    "participant": read_participant,
    "rtm": read_rtm,
    "welfare": read_welfare,
}
