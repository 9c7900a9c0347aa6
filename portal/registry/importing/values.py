"""Parsers for the values villages' spreadsheets hold, each returning the registry's
canonical form or raising `ValueProblem` with a message for the operator.

Spreadsheets store the same thing in many ways: a date as an Excel serial number
(34703), as text "04-01-1995" or "1995-01-04"; an RT as 8.0, "008" or "'8"; a NIK as
text with a leading apostrophe, or as a number that Excel has already cut to 15
significant digits. `None` in, `None` out: every parser treats "", "-" and similar
placeholders as "no value".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.numbers import is_whole

# Excel's day 0 for the 1900 date system (the 1900 leap-year bug makes it 30 December).
EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST = date(1880, 1, 1)
# Placeholders that mean "nothing here" in the files villages hold.
EMPTY = frozenset({"", "-", "--", "_", ".", "0000-00-00", "00-00-0000", "null", "none", "n/a"})
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\xa0]")
_SPACES = re.compile(r"\s+")
_NOT_DIGIT = re.compile(r"\D")
MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "peb": 2, "februari": 2, "pebruari": 2, "february": 2,
    "mar": 3, "mrt": 3, "maret": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "agu": 8, "ags": 8, "agt": 8, "agustus": 8, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "nop": 11, "november": 11, "nopember": 11,
    "des": 12, "dec": 12, "desember": 12, "december": 12,
}  # fmt: skip
_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})[-/. ]+([a-z]+)[-/. ]+(\d{4})$")


class ValueProblem(ValueError):
    """A value that cannot be read; `message` is a lazy string for the operator."""

    def __init__(self, message):
        super().__init__(str(message._args[0]) if hasattr(message, "_args") else message)
        self.message = message


def text(value) -> str | None:
    """A cell as clean text: invisible characters, the leading apostrophe that marks
    "text" in spreadsheets and repeated spaces removed; placeholders become None."""
    if value is None:
        return None
    if type(value) is str and value.isascii() and "  " not in value and "\t" not in value:
        # The common case, kept cheap: a roster has millions of cells.
        result = value.strip().lstrip("'`").strip()
        if len(result) > 9:
            return result
        return None if result.lower() in EMPTY else result
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    result = _SPACES.sub(" ", _INVISIBLE.sub(" ", str(value))).strip().lstrip("'`").strip()
    return None if result.lower() in EMPTY else result


def key(value) -> str:
    """A label reduced for lookup: upper case, letters and digits only."""
    result = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "", result.upper())


def number_text(value, what) -> tuple[str | None, bool]:
    """A NIK or KK number as digits. Returns (digits, came_as_number).

    A number typed into Excel is kept to 15 significant digits, so a 16-digit NIK
    stored as a number has already lost its last digit: the caller warns about it.
    Scientific notation ("3.2e+15") has lost more than that and cannot be read.
    """
    if value is None:
        return None, False
    if isinstance(value, bool):
        raise ValueProblem(_l("This is not a number."))
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueProblem(_l("This is not a whole number."))
        return str(int(value)), True
    raw = text(value)
    if raw is None:
        return None, False
    if re.fullmatch(r"[\d.,]+[eE][+-]?\d+", raw):
        raise ValueProblem(
            _l(
                "The %(what)s was shortened by the spreadsheet to %(value)s. Format the "
                "column as text and type the number again.",
                what=what,
                value=raw,
            )
        )
    if raw.endswith(".0") and is_whole(raw[:-2]):
        raw = raw[:-2]
    return _NOT_DIGIT.sub("", raw) if re.fullmatch(r"[\d\s.\-]+", raw) else raw, False


def excel_serial(serial: float) -> date:
    """The date of an Excel serial day number (1900 date system): 34703 is 1995-01-04."""
    if not 1 <= serial < 2958466:
        raise ValueProblem(_l("%(value)s is not a date.", value=serial))
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value, *, today: date | None = None, allow_future: bool = False) -> date | None:
    """A date from a date cell, an Excel serial number or text (DD-MM-YYYY, YYYY-MM-DD,
    DD/MM/YYYY, "4 Januari 1995"). Dates before 1880 or in the future are refused."""
    today = today or village_today()
    if value is None:
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, bool):
        raise ValueProblem(_l("%(value)s is not a date.", value=str(value)))
    elif isinstance(value, int | float):
        result = excel_serial(value)
    else:
        raw = text(value)
        if raw is None:
            return None
        result = _date_from_text(raw)
    if result < EARLIEST:
        raise ValueProblem(_l("The date %(value)s is too far in the past.", value=_dmy(result)))
    if not allow_future and result > today:
        raise ValueProblem(_l("The date %(value)s is in the future.", value=_dmy(result)))
    return result


def _dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def _date_from_text(raw: str) -> date:
    low = raw.lower()
    try:
        if m := _DMY.match(low):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _YMD.match(low):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if (m := _D_MONTH_Y.match(low)) and m.group(2) in MONTHS:
            return date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        if re.fullmatch(r"\d{4,5}(\.0+)?", low):
            return excel_serial(float(low))
    except ValueError:
        raise ValueProblem(_l("The date %(value)s does not exist.", value=raw)) from None
    raise ValueProblem(
        _l("%(value)s is not a date; write it as DD-MM-YYYY or YYYY-MM-DD.", value=raw)
    )


def parse_rt_rw(value, what: str) -> int | None:
    """RT or RW as an integer 1-999: 8.0, "008", "'8" and "RT 008" are all 8; "-" is None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value)
    if raw is None:
        return None
    if is_whole(raw) and len(raw) <= 3:
        return int(raw) or None
    digits = re.sub(r"^(rt|rw)\.?\s*", "", raw.lower())
    if digits.endswith(".0"):
        digits = digits[:-2]
    if not is_whole(digits) or int(digits) > 999:
        raise ValueProblem(_l("%(what)s must be a number from 1 to 999.", what=what))
    return int(digits) or None


def lookup(value, table: dict[str, str], what) -> str | None:
    """The canonical value of a code or label (`table` keys are `key()`s); `what` names
    the column in the error for an unknown one."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value)
    if raw is None:
        return None
    found = table.get(raw)
    if found is None:
        # A roster repeats a handful of labels ("Kepala Keluarga", "Laki-Laki") a
        # hundred thousand times: remember each label's key once it is known.
        found = table.get(key(raw))
        if found is not None:
            table[raw] = found
    if found is None:
        raise ValueProblem(
            _l("%(what)s: “%(value)s” is not a value the portal knows.", what=what, value=raw)
        )
    return found


def clean_name(value) -> str | None:
    raw = text(value)
    return None if raw is None else raw[:120]


def yes_no(value) -> bool | None:
    """A yes/no cell: Ya/Y/1/V/✓/True/Penerima as yes; Tidak/T/0/False as no."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    raw = text(value)
    if raw is None:
        return None
    k = key(raw)
    if k in {"YA", "Y", "YES", "1", "V", "ADA", "PENERIMA", "TRUE", "BENAR"} or raw in "✓✔√":
        return True
    if k in {"TIDAK", "T", "TDK", "NO", "N", "0", "BUKAN", "FALSE", "SALAH", "BUKANPENERIMA"}:
        return False
    raise ValueProblem(_l("%(value)s is not yes or no.", value=raw))


def parse_number(value, what: str) -> float | None:
    """A plain number; Indonesian decimal commas ("36,5") are accepted."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    raw = text(value)
    if raw is None:
        return None
    cleaned = raw.replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueProblem(_l("%(what)s must be a number.", what=what)) from None
