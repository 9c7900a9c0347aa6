"""NIK and KK numbers: shape, what a NIK encodes, and how it compares with the record.

A NIK is 16 digits: 1-6 the region where it was first issued, 7-8 the day of birth
(plus 40 for women), 9-10 the month, 11-12 the two-digit year, 13-16 a serial that is
never 0000. A malformed number is rejected; a NIK whose encoded birth date or sex
disagrees with the person's record is kept, with a warning for an operator, because
real civil-registry exports contain such numbers (see shared/formats/README.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.i18n import lazy_gettext as _l

_DIGITS = re.compile(r"^\d{16}$")
# Spaces, dots, dashes and the leading apostrophe that spreadsheets put before long numbers.
_NOISE = re.compile(r"[\s.\-']")

# Codes for warnings, stored on Person.nik_warning so that lists can filter on them.
WARN_BIRTH_DATE = "birth_date"
WARN_SEX = "sex"


def clean_number(value: str | None) -> str:
    """A typed or imported NIK/KK with spaces, dots, dashes and apostrophes removed."""
    return _NOISE.sub("", value or "")


@dataclass
class NikCheck:
    """Result of checking a NIK: errors reject it, warnings only ask for a look."""

    nik: str
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    warning_codes: list[str] = field(default_factory=list)
    sex: str | None = None  # "male" / "female", decoded
    day: int | None = None
    month: int | None = None
    year2: int | None = None  # two-digit year, century unknown

    @property
    def ok(self) -> bool:
        return not self.errors


def _date_exists(day: int, month: int, year: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def decode_nik(nik: str) -> NikCheck:
    """Check the shape of a NIK and decode sex and birth date; no record to compare."""
    result = NikCheck(nik=nik)
    if not _DIGITS.match(nik):
        result.errors.append(_l("A NIK has exactly 16 digits."))
        return result
    if int(nik[0:2]) < 11:
        result.errors.append(_l("The first two digits of a NIK are a province code (11-99)."))
    raw_day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if nik[12:16] == "0000":
        result.errors.append(_l("The last four digits of a NIK (the serial) are never 0000."))
    if 41 <= raw_day <= 71:
        result.sex, day = "female", raw_day - 40
    elif 1 <= raw_day <= 31:
        result.sex, day = "male", raw_day
    else:
        result.errors.append(
            _l(
                "Digits 7-8 of a NIK are the day of birth: 01-31, or 41-71 for women; "
                "%(value)s is neither.",
                value=nik[6:8],
            )
        )
        return result
    if not 1 <= month <= 12:
        result.errors.append(
            _l(
                "Digits 9-10 of a NIK are the month of birth; %(value)s is not a month.",
                value=nik[8:10],
            )
        )
        return result
    # The century is not encoded: the date must exist in one of the two candidates
    # (29 February 00 exists in 2000, not in 1900).
    if not (_date_exists(day, month, 1900 + year2) or _date_exists(day, month, 2000 + year2)):
        result.errors.append(
            _l(
                "The birth date encoded in this NIK (%(day)02d-%(month)02d-%(year)02d) does "
                "not exist.",
                day=day,
                month=month,
                year=year2,
            )
        )
        return result
    result.day, result.month, result.year2 = day, month, year2
    return result


def check_nik(nik: str | None, birth_date: date | None = None, sex: str | None = None) -> NikCheck:
    """Check a NIK and compare what it encodes with the record's birth date and sex.

    Returns a NikCheck: `errors` (reject the number) and `warnings` (keep it, show an
    operator). Each message is a lazy string in the reader's language.
    """
    result = decode_nik(clean_number(nik))
    if result.errors:
        return result
    if birth_date is not None and (
        (result.day, result.month, result.year2)
        != (birth_date.day, birth_date.month, birth_date.year % 100)
    ):
        result.warning_codes.append(WARN_BIRTH_DATE)
        result.warnings.append(
            _l(
                "The NIK encodes the birth date %(encoded)s but the record says %(recorded)s. "
                "Please check the family card.",
                encoded=f"{result.day:02d}-{result.month:02d}-{result.year2:02d}",
                recorded=birth_date.strftime("%d-%m-%y"),
            )
        )
    if sex is not None and sex != result.sex:
        result.warning_codes.append(WARN_SEX)
        result.warnings.append(
            _l("The NIK encodes a woman's birth day (day + 40) but the record says male.")
            if result.sex == "female"
            else _l("The NIK encodes a man's birth day but the record says female (day + 40).")
        )
    return result


def check_kk(kk: str | None) -> list:
    """Errors for a family-card (KK) number: 16 digits, a province code first."""
    kk = clean_number(kk)
    if not _DIGITS.match(kk):
        return [_l("A family card (KK) number has exactly 16 digits.")]
    errors = []
    if int(kk[0:2]) < 11:
        errors.append(
            _l("The first two digits of a family card number are a province code (11-99).")
        )
    if kk[12:16] == "0000":
        errors.append(_l("The last four digits of a family card number are never 0000."))
    return errors


def make_nik(region: str, birth_date: date, sex: str, serial: int) -> str:
    """Build the NIK that matches a birth date and sex (demo data and tests)."""
    day = birth_date.day + (40 if sex == "female" else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
