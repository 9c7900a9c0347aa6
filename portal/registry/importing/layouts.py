"""The layouts villages' files come in, recognised by their header row, and the reading
of each row into a canonical record (the aid-list, poor-household and welfare rows in
`row_reading`, which also walks a sheet's data rows).

| layout | file | one row is |
| --- | --- | --- |
| `siak` | SIAK export from the civil registry (Dukcapil) | a person |
| `opensid_penduduk` | OpenSID resident import (contoh_penduduk.xlsx) | a person |
| `opensid_bantuan` | OpenSID aid participants (sheets Program and Peserta) | a participant |
| `opensid_rtm` | OpenSID poor households (FormatImporRTM.xlsx) | a household member |
| `welfare` | national welfare data (BDT 2015, DTKS, Regsosek) | a household or member |

The header row is looked for in the first rows of each sheet (files often carry a
title above it), and columns are found by name, so extra or reordered columns do no
harm. A row's `errors` reject it; its `warnings` keep it and are shown to the operator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.i18n import lazy_gettext as _l
from portal.numbers import is_whole
from portal.registry.importing import vocab
from portal.registry.importing.problems import Problem, problem
from portal.registry.importing.readers import ImportFileError, Workbook
from portal.registry.importing.values import (
    ValueProblem,
    clean_name,
    key,
    lookup,
    number_text,
    parse_date,
    parse_rt_rw,
    text,
)
from portal.registry.services import normalise_name
from portal.registry.validation import check_kk, check_nik

HEADER_SEARCH_ROWS = 15
END_MARK = "###"
PROGRAMME_CODES = ("PKH", "BPNT", "BLT", "PBI", "PIP")
SEX_LABEL = _l("Sex")
RELATION_LABEL = _l("Relation to the head")
MARITAL_LABEL = _l("Marital status")
STATUS_LABEL = _l("Civil status")


def header_key(value) -> str:
    """A column title reduced for matching: "Gol. Darah" -> "gol darah", "no_kk" -> "no kk"."""
    raw = text(value) or ""
    return re.sub(r"[^a-z0-9]+", " ", raw.lower()).strip()


@dataclass
class Row:
    """One data row of the file, read into canonical values."""

    number: int
    kind: str  # "person", "participant", "rtm", "welfare"
    values: dict
    cells: list[str]
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message, column: str | None = None) -> None:
        self.errors.append(problem(message, column))

    def warn(self, message, column: str | None = None) -> None:
        self.warnings.append(problem(message, column))

    def errors_for(self, column: str | None) -> bool:
        return any(p.column == column for p in self.errors)


@dataclass
class Layout:
    code: str
    label: object
    kind: str
    # canonical field -> the header keys it may appear under
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]

    def find_columns(self, keys: list[str]) -> dict[str, int]:
        found = {}
        for name, aliases in self.columns.items():
            for alias in aliases:
                if alias in keys:
                    found[name] = keys.index(alias)
                    break
        return found

    def matches(self, keys: list[str]) -> bool:
        found = self.find_columns(keys)
        return all(name in found for name in self.required)


SIAK = Layout(
    "siak",
    _l("SIAK export (civil registry)"),
    "person",
    {
        "kk_number": ("nomor kk", "no kk", "nkk"),
        "nik": ("nik",),
        "name": ("nama penduduk", "nama lengkap"),
        "status": ("status", "status penduduk"),
        "birth_place": ("tempat lahir",),
        "birth_date": ("tanggal lahir", "tgl lahir"),
        "mother_name": ("ibu", "nama ibu", "nama ibu kandung"),
        "sex": ("kelamin", "jenis kelamin"),
        "marital_status": ("status kawin", "status perkawinan"),
        "relation": ("shdk", "status hubungan dalam keluarga"),
        "address": ("alamat",),
        "dusun": ("dusun",),
        "rw": ("rw", "no rw"),
        "rt": ("rt", "no rt"),
        "education": ("pendidikan", "pendidikan terakhir"),
        "occupation": ("pekerjaan", "jenis pekerjaan"),
        "disability": ("cacat", "penyandang cacat", "disabilitas"),
    },
    ("kk_number", "nik", "name", "relation"),
)

OPENSID_PENDUDUK = Layout(
    "opensid_penduduk",
    _l("OpenSID resident import"),
    "person",
    {
        "address": ("alamat",),
        "dusun": ("dusun",),
        "rw": ("rw",),
        "rt": ("rt",),
        "name": ("nama",),
        "kk_number": ("no kk",),
        "nik": ("nik",),
        "sex": ("sex",),
        "birth_place": ("tempatlahir",),
        "birth_date": ("tanggallahir",),
        "mother_name": ("nama ibu",),
        "education": ("pendidikan kk id",),
        "occupation": ("pekerjaan id",),
        "marital_status": ("status kawin",),
        "relation": ("kk level",),
        "disability": ("cacat id",),
        "status": ("status dasar",),
    },
    ("name", "kk_number", "nik", "relation"),
)

OPENSID_BANTUAN = Layout(
    "opensid_bantuan",
    _l("OpenSID aid-programme participants"),
    "participant",
    {
        "participant": ("peserta",),
        "card_number": ("no peserta", "nomor peserta", "no kartu peserta"),
        "nik": ("nik",),
        "name": ("nama",),
        "birth_place": ("tempat lahir",),
        "birth_date": ("tanggal lahir",),
        "address": ("alamat",),
    },
    ("participant", "nik", "card_number"),
)

OPENSID_RTM = Layout(
    "opensid_rtm",
    _l("OpenSID poor-household membership"),
    "rtm",
    {
        "nik": ("nik",),
        "rtm_number": ("nomor rumah tangga", "no rumah tangga", "id rtm", "no rtm"),
        "rtm_level": ("status hubungan dalam rumah tangga", "rtm level", "hubungan rtm"),
    },
    ("nik", "rtm_number"),
)

_PROGRAMME_ALIASES = {
    "PKH": ("pkh", "penerima pkh", "status pkh", "bansos pkh", "kpm pkh"),
    "BPNT": ("bpnt", "sembako", "penerima bpnt", "status bpnt", "bansos bpnt", "kpm bpnt",
             "bansos sembako"),
    "PBI": ("pbi", "pbi jkn", "pbi nas", "kis", "penerima pbi", "status pbi", "bansos pbi"),
    "BLT": ("blt", "penerima blt", "blt dd", "blt dana desa"),
    "PIP": ("pip", "kip", "penerima pip"),
}  # fmt: skip

WELFARE = Layout(
    "welfare",
    _l("National welfare data (BDT / DTKS / Regsosek)"),
    "welfare",
    {
        "national_id": ("id rumah tangga", "idbdt", "id bdt", "id dtks", "iddtks", "id rt",
                        "idrt", "id keluarga", "id semesta", "idsemesta", "id keluarga p3ke"),
        "kk_number": ("no kartu keluarga", "nomor kartu keluarga", "no kk", "nomor kk", "nokk",
                      "nkk"),
        "nik": ("nik", "nik art", "nik anggota"),
        "name": ("nama", "nama art", "nama anggota keluarga", "nama krt",
                 "nama kepala rumah tangga", "nama kepala keluarga"),
        "desil": ("desil", "desil nasional", "desil nasional keluarga", "status kesejahteraan",
                  "peringkat kesejahteraan", "desil kesejahteraan"),
        "members": ("jumlah art", "jml art", "jumlah anggota rumah tangga",
                    "jumlah anggota keluarga"),
        "floor_area": ("luas lantai", "luas lantai bangunan", "luas lantai m2"),
        "floor": ("lantai", "jenis lantai", "jenis lantai terluas", "lantai terluas",
                  "id lantai terluas"),
        "wall": ("dinding", "jenis dinding", "jenis dinding terluas", "dinding terluas",
                 "id dinding terluas"),
        "wall_condition": ("kondisi dinding",),
        "water": ("sumber air minum", "sumber airminum", "id sumber airminum",
                  "sumber air minum utama"),
        "lighting": ("sumber penerangan", "penerangan", "sumber penerangan utama",
                     "id sumberpenerangan"),
        "cooking_fuel": ("bahan bakar memasak", "bb masak", "bahan bakar utama memasak",
                         "id bb utama", "energi memasak"),
        "toilet": ("fasilitas bab", "fasbab", "fasilitas buang air besar",
                   "id fasilitas bab"),
        **{f"programme_{code}": aliases for code, aliases in _PROGRAMME_ALIASES.items()},
    },
    (),
)  # fmt: skip
WELFARE_INDICATORS = ("desil", "floor_area", "floor", "wall", "water", "lighting",
                      "cooking_fuel", "toilet")  # fmt: skip

LAYOUTS = (SIAK, OPENSID_PENDUDUK, OPENSID_BANTUAN, OPENSID_RTM, WELFARE)
BY_CODE = {layout.code: layout for layout in LAYOUTS}


def _welfare_matches(keys: list[str]) -> bool:
    found = WELFARE.find_columns(keys)
    identified = any(name in found for name in ("national_id", "kk_number", "nik"))
    facts = any(name in found for name in WELFARE_INDICATORS) or any(
        name.startswith("programme_") for name in found
    )
    return identified and facts


@dataclass
class Detected:
    """What the file is: its layout, the sheet and header row, and where each column is."""

    layout: Layout
    sheet: str | int
    header_row: int
    header: list[str]
    columns: dict[str, int]
    programme: dict = field(default_factory=dict)


def detect(workbook: Workbook) -> Detected:
    """Find the layout from the header row of the first sheet that has a known one."""
    names = workbook.sheet_names
    # OpenSID's aid file: participants on the "Peserta" sheet, the programme on "Program".
    order = sorted(range(len(names)), key=lambda i: names[i].strip().lower() != "peserta")
    for index in order:
        sheet: str | int = index if workbook.kind != "csv" else 0
        for number, cells in workbook.rows(sheet):
            if number > HEADER_SEARCH_ROWS:
                break
            keys = [header_key(c) for c in cells]
            if not any(keys):
                continue
            for layout in LAYOUTS:
                ok = _welfare_matches(keys) if layout is WELFARE else layout.matches(keys)
                if ok:
                    detected = Detected(
                        layout,
                        sheet,
                        number,
                        [text(c) or "" for c in cells],
                        layout.find_columns(keys),
                    )
                    if layout is OPENSID_BANTUAN:
                        detected.programme = _programme_sheet(workbook)
                    return detected
    raise ImportFileError(
        _l(
            "The columns of this file were not recognised. The portal reads the SIAK "
            "export, OpenSID's resident, aid-participant and poor-household files and the "
            "national welfare data, with their header row unchanged."
        )
    )


_PROGRAMME_KEYS = {
    "id": "id",
    "idprogram": "id",
    "namaprogram": "name",
    "nama": "name",
    "sasaranprogram": "target",
    "sasaran": "target",
    "keterangan": "description",
    "asaldana": "source",
    "tanggalmulai": "start",
    "tanggalawal": "start",
    "tanggalselesai": "end",
    "tanggalakhir": "end",
}


def _programme_sheet(workbook: Workbook) -> dict:
    """The key/value rows of OpenSID's "Program" sheet (empty when there is none)."""
    names = [n.strip().lower() for n in workbook.sheet_names]
    if "program" not in names:
        return {}
    found: dict = {}
    for _number, cells in workbook.rows(names.index("program")):
        if not cells:
            continue
        title = text(cells[0])
        if title == END_MARK:
            break
        name = _PROGRAMME_KEYS.get(key(title or "").lower())
        if name and len(cells) > 1:
            found[name] = cells[1]
    return found


def _cell_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return cell.isoformat()
    return str(cell)


def cells_text(cells: list) -> list[str]:
    """The row as text, for the file of rejected rows."""
    return [cell if type(cell) is str else _cell_text(cell) for cell in cells]


def _get(cells: list, detected: Detected, name: str):
    index = detected.columns.get(name)
    return None if index is None else cells[index]


def _column(detected: Detected, name: str) -> str | None:
    index = detected.columns.get(name)
    return None if index is None else detected.header[index]


class _Reader:
    """Read values of one row into `row.values`, collecting problems instead of failing."""

    def __init__(self, row: Row, cells: list, detected: Detected):
        self.row, self.cells, self.detected = row, cells, detected

    def raw(self, name: str):
        return _get(self.cells, self.detected, name)

    def column(self, name: str) -> str | None:
        return _column(self.detected, name)

    def read(self, name: str, parse, *, warn: bool = False):
        """Parse a column; a problem becomes an error (or a warning, leaving it empty)."""
        try:
            value = parse(self.raw(name))
        except ValueProblem as exc:
            (self.row.warn if warn else self.row.error)(exc.message, self.column(name))
            value = None
        self.row.values[name] = value
        return value


def _read_nik(r: _Reader, required: bool = True) -> str | None:
    try:
        nik, as_number = number_text(r.raw("nik"), _l("NIK"))
    except ValueProblem as exc:
        r.row.error(exc.message, r.column("nik"))
        r.row.values["nik"] = None
        return None
    if nik in (None, "0"):
        if required:
            r.row.error(_l("The NIK is empty."), r.column("nik"))
        r.row.values["nik"] = None
        return None
    if as_number:
        r.row.warn(
            _l(
                "The NIK was stored as a number, and Excel keeps only 15 digits of a number: "
                "check its last digit against the family card."
            ),
            r.column("nik"),
        )
    r.row.values["nik"] = nik
    return nik


def _read_kk(r: _Reader, name: str = "kk_number", required: bool = True) -> str | None:
    try:
        kk, as_number = number_text(r.raw(name), _l("family card number"))
    except ValueProblem as exc:
        r.row.error(exc.message, r.column(name))
        r.row.values[name] = None
        return None
    if kk is None:
        if required:
            r.row.error(_l("The family card (KK) number is empty."), r.column(name))
        r.row.values[name] = None
        return None
    for message in check_kk(kk):
        r.row.error(message, r.column(name))
    if as_number:
        r.row.warn(
            _l(
                "The family card number was stored as a number, and Excel keeps only 15 "
                "digits of a number: check its last digit."
            ),
            r.column(name),
        )
    r.row.values[name] = kk
    return kk


def read_person(number: int, cells: list, detected: Detected, today: date) -> Row:
    """A person row of the SIAK export or OpenSID's resident import."""
    row = Row(number, "person", {}, cells_text(cells))
    r = _Reader(row, cells, detected)
    opensid = detected.layout is OPENSID_PENDUDUK
    _read_kk(r)
    nik = _read_nik(r, required=not opensid)
    name = r.read("name", clean_name)
    if not name:
        row.error(_l("The name is empty."), r.column("name"))
    row.values["name_norm"] = normalise_name(name or "")
    r.read("birth_place", lambda v: (text(v) or None) and text(v)[:80])
    birth_date = r.read("birth_date", lambda v: parse_date(v, today=today))
    r.read("mother_name", clean_name)
    sex = r.read("sex", lambda v: lookup(v, vocab.SEX, SEX_LABEL))
    relation = r.read("relation", lambda v: lookup(v, vocab.RELATION, RELATION_LABEL))
    r.read("marital_status", lambda v: lookup(v, vocab.MARITAL, MARITAL_LABEL), warn=True)
    status = r.read("status", lambda v: lookup(v, vocab.LIFE_STATUS, STATUS_LABEL))
    r.read("rt", lambda v: parse_rt_rw(v, "RT"))
    r.read("rw", lambda v: parse_rt_rw(v, "RW"))
    r.read("address", lambda v: (text(v) or "")[:200])
    r.read("dusun", lambda v: _dusun(text(v)))
    if opensid:
        r.read("education", lambda v: _code(v, vocab.EDUCATION_CODES, _l("education")),
               warn=True)  # fmt: skip
        r.read("occupation", lambda v: _code(v, vocab.OCCUPATION_CODES, _l("occupation")),
               warn=True)  # fmt: skip
        r.read("disability", lambda v: _code(v, vocab.DISABILITY_CODES, _l("disability")),
               warn=True)  # fmt: skip
    else:
        r.read("education", lambda v: (text(v) or None) and text(v)[:80])
        r.read("occupation", lambda v: (text(v) or None) and text(v)[:80])
        r.read("disability", _disability_text)

    if status is None and not row.errors_for(r.column("status")):
        # OpenSID leaves status_dasar empty for living residents.
        row.values["status"] = "alive"
    elif status == "invalid":
        row.error(
            _l("The civil registry marks this record as not valid; it is not imported."),
            r.column("status"),
        )
    elif status == "dead":
        row.warn(_l("Recorded as dead: this person cannot receive aid."), r.column("status"))
    elif status in ("moved", "missing"):
        row.warn(
            _l("Recorded as moved away or missing: this person cannot receive aid."),
            r.column("status"),
        )

    if relation is None and not row.errors_for(r.column("relation")):
        row.values["relation"] = "other"
        row.warn(_l("No relation to the head is given; recorded as other."), r.column("relation"))

    if nik:
        check = check_nik(nik, birth_date, sex)
        for message in check.errors:
            row.error(message, r.column("nik"))
        for message in check.warnings:
            row.warn(message, r.column("nik"))
        row.values["nik_warning"] = ",".join(check.warning_codes) or None
        if sex is None and not check.errors and not row.errors_for(r.column("sex")):
            row.values["sex"] = check.sex
            row.warn(_l("No sex is given; taken from the NIK."), r.column("sex"))
    else:
        row.values["nik_warning"] = None
        if not row.errors_for(r.column("nik")):
            row.warn(
                _l("No NIK: the person is matched by name and birth date in the household."),
                r.column("nik"),
            )
    if row.values.get("sex") is None and not row.errors_for(r.column("sex")):
        row.error(_l("The sex is not given."), r.column("sex"))
    return row


def _code(value, table: dict, what) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value)
    if raw is None:
        return None
    if is_whole(raw):
        if raw not in table:
            raise ValueProblem(_l("%(value)s is not a known code for %(what)s.", value=raw,
                                  what=what))  # fmt: skip
        return table[raw]
    # OpenSID also accepts the label itself instead of the code.
    if key(raw) in vocab.NO_DISABILITY:
        return None
    return raw[:80]


def _disability_text(value) -> str | None:
    raw = text(value)
    if raw is None or key(raw) in vocab.NO_DISABILITY:
        return None
    return raw[:120]


def _dusun(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.replace("_", " ")
    value = re.sub(r"^dusun\s+", "", value, flags=re.IGNORECASE)
    return value[:80] or None
