"""NIK and KK numbers: shape, what a NIK encodes, and mismatches as warnings."""

from __future__ import annotations

from datetime import date

import pytest

from portal.registry.validation import check_kk, check_nik, clean_number, decode_nik, make_nik


@pytest.mark.parametrize(
    ("nik", "sex", "day", "month", "year2"),
    [
        ("3201011708900001", "male", 17, 8, 90),  # Bogor, man born 17-08-1990
        ("3201015708900002", "female", 17, 8, 90),  # the same day for a woman: 17 + 40
        ("5201144103970001", "female", 1, 3, 97),  # woman born on the 1st: 41
        ("1403097112050123", "female", 31, 12, 5),  # woman born 31-12-2005: 71
        ("1403090101000001", "male", 1, 1, 0),  # born 1 January 2000
    ],
)
def test_valid_niks_decode_sex_and_birth_date(nik, sex, day, month, year2):
    result = decode_nik(nik)
    assert result.ok, result.errors
    assert (result.sex, result.day, result.month, result.year2) == (sex, day, month, year2)


@pytest.mark.parametrize(
    "nik",
    [
        "320101170890000",  # 15 digits
        "32010117089000011",  # 17 digits
        "32010117O8900001",  # a letter O for a zero
        "",
    ],
)
def test_a_nik_has_sixteen_digits(nik):
    assert not check_nik(nik).ok


def test_serial_0000_is_rejected():
    result = check_nik("3201011708900000")
    assert not result.ok
    assert any("0000" in str(e) for e in result.errors)


@pytest.mark.parametrize(
    "nik",
    [
        "3201013102900001",  # 31 February
        "3201017102900001",  # 31 February for a woman (71 - 40)
        "3201013104900001",  # 31 April
        "3201013208900001",  # day 32: neither a man's day nor a woman's
        "3201014008900001",  # day 40
        "3201017208900001",  # day 72
        "3201010013900001",  # month 13
        "3201010000900001",  # day 0, month 0
    ],
)
def test_impossible_dates_are_rejected(nik):
    assert not check_nik(nik).ok


def test_29_february_exists_only_in_a_leap_year():
    assert check_nik("3201012902000001").ok  # 2000 was a leap year
    assert check_nik("3201012902960001").ok  # 1996
    assert not check_nik("3201012902970001").ok  # neither 1997 nor 2097


def test_region_code_must_be_a_province():
    assert not check_nik("0001011708900001").ok


def test_matching_record_gives_no_warning():
    result = check_nik("3201015708900002", date(1990, 8, 17), "female")
    assert result.ok and result.warnings == [] and result.warning_codes == []


def test_birth_date_mismatch_is_a_warning_not_a_rejection():
    # The real case from OpenSID samples: NIK says 10-03-97, the record 1996-03-10.
    result = check_nik("5201145003976995", date(1996, 3, 10), "female")
    assert result.ok
    assert result.warning_codes == ["birth_date"]
    assert "10-03-97" in str(result.warnings[0]) and "10-03-96" in str(result.warnings[0])


def test_sex_mismatch_is_a_warning_both_ways():
    woman_as_man = check_nik("3201015708900002", date(1990, 8, 17), "male")
    assert woman_as_man.ok and woman_as_man.warning_codes == ["sex"]
    man_as_woman = check_nik("3201011708900001", date(1990, 8, 17), "female")
    assert man_as_woman.ok and man_as_woman.warning_codes == ["sex"]


def test_messages_come_in_both_languages(app):
    from flask_babel import force_locale

    result = check_nik("3201011708900000")
    with force_locale("en"):
        english = str(result.errors[0])
    with force_locale("id"):
        indonesian = str(result.errors[0])
    assert "serial" in english
    assert english != indonesian and "0000" in indonesian


def test_spaces_dots_and_spreadsheet_apostrophes_are_cleaned():
    assert clean_number("'3201 0117.0890-0001") == "3201011708900001"
    assert check_nik(" 3201 0117 0890 0001 ").ok


def test_make_nik_round_trips():
    nik = make_nik("140309", date(1985, 4, 9), "female", 12)
    assert nik == "1403094904850012"
    assert check_nik(nik, date(1985, 4, 9), "female").warnings == []


@pytest.mark.parametrize(
    ("kk", "ok"),
    [
        ("3201012503100004", True),
        ("1403090101200001", True),
        ("320101250310000", False),  # 15 digits
        ("320101250310000A", False),
        ("0001012503100004", False),  # no province 00
        ("3201012503100000", False),  # serial 0000
    ],
)
def test_kk_numbers(kk, ok):
    assert (check_kk(kk) == []) is ok
