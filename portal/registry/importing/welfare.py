"""From the national welfare data's housing indicators to the 14 BPS criteria.

The data comes as BDT 2015 codes (the file villages received and OpenSID imports) or
as labels ("Tanah", "Kayu bakar"). Codes are read as BDT 2015 codes; labels by their
words, which also covers DTKS and Regsosek exports that carry labels. Each function
returns True (criterion met), False (not met) or None (not known), or raises
ValueProblem for a value it cannot place.
"""

from __future__ import annotations

from portal.i18n import lazy_gettext as _l
from portal.numbers import is_whole
from portal.registry.importing.values import ValueProblem, key, text

# BDT 2015 codes that meet each criterion.
FLOOR_POOR = {7, 8, 9}  # bambu, kayu/papan kualitas rendah, tanah
FLOOR_CODES = range(1, 11)
WALL_POOR = {4, 5, 6}  # anyaman bambu, batang kayu, bambu
WALL_CODES = range(1, 8)
WATER_POOR = {7, 9, 10, 11}  # sumur / mata air tak terlindung, sungai/danau, air hujan
WATER_CODES = range(1, 13)
LIGHT_POOR = {3}  # bukan listrik
LIGHT_CODES = range(1, 4)
FUEL_POOR = {5, 6, 7, 8}  # minyak tanah, briket, arang, kayu bakar
FUEL_CODES = range(1, 10)
TOILET_POOR = {2, 3, 4}  # bersama, umum, tidak ada
TOILET_CODES = range(1, 5)

FLOOR_WORDS_POOR = ("TANAH", "BAMBU", "KUALITASRENDAH", "PAPANRENDAH")
FLOOR_WORDS_OK = ("MARMER", "GRANIT", "KERAMIK", "PARKET", "VINIL", "KARPET", "PERMADANI",
                  "UBIN", "TEGEL", "TERASO", "SEMEN", "BATAMERAH", "KUALITASTINGGI", "KAYU",
                  "PAPAN", "LAINNYA")  # fmt: skip
WALL_WORDS_POOR = ("BAMBU", "RUMBIA", "ANYAMAN", "BATANGKAYU", "TANPAPLESTER",
                   "TIDAKDIPLESTER", "BELUMDIPLESTER", "KUALITASRENDAH")  # fmt: skip
WALL_WORDS_OK = ("TEMBOK", "PLESTERAN", "BETON", "KAYU", "PAPAN", "SENG", "LAINNYA")
WATER_WORDS_POOR = ("TAKTERLINDUNG", "TIDAKTERLINDUNG", "SUNGAI", "DANAU", "WADUK", "HUJAN",
                    "KOLAM")  # fmt: skip
WATER_WORDS_OK = ("KEMASAN", "ISIULANG", "LEDING", "PDAM", "SUMURBOR", "POMPA", "TERLINDUNG",
                  "LAINNYA")  # fmt: skip
LIGHT_WORDS_POOR = ("BUKANLISTRIK", "TIDAKADA", "PELITA", "PETROMAK", "LAMPUMINYAK", "OBOR",
                    "SENTIR", "LILIN")  # fmt: skip
LIGHT_WORDS_OK = ("LISTRIK", "PLN", "GENSET", "SURYA", "DIESEL")
FUEL_WORDS_POOR = ("KAYU", "ARANG", "MINYAKTANAH", "BRIKET")
FUEL_WORDS_OK = ("LISTRIK", "GAS", "ELPIJI", "LPG", "BIOGAS", "TIDAKMEMASAK", "LAINNYA")
TOILET_WORDS_POOR = ("BERSAMA", "UMUM", "TIDAKADA", "TIDAKPUNYA", "KOMUNAL")
TOILET_WORDS_OK = ("SENDIRI", "PRIBADI", "ADA")


def _classify(value, codes, poor_codes, poor_words, ok_words, what) -> bool | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = text(value)
    if raw is None:
        return None
    if is_whole(raw):
        code = int(raw)
        if code not in codes:
            raise ValueProblem(
                _l("%(value)s is not a known code for %(what)s.", value=raw, what=what)
            )
        return code in poor_codes
    k = key(raw)
    # Poor words first: "kayu/papan kualitas rendah" is poor although "kayu" alone is not.
    if any(word in k for word in poor_words):
        return True
    if any(word in k for word in ok_words):
        return False
    raise ValueProblem(_l("%(value)s is not a known answer for %(what)s.", value=raw, what=what))


def floor(value) -> bool | None:
    return _classify(value, FLOOR_CODES, FLOOR_POOR, FLOOR_WORDS_POOR, FLOOR_WORDS_OK,
                     _l("the floor"))  # fmt: skip


def wall(value, condition=None) -> bool | None:
    """Wall material; a brick wall in bad condition (unplastered) also meets the criterion."""
    result = _classify(value, WALL_CODES, WALL_POOR, WALL_WORDS_POOR, WALL_WORDS_OK,
                       _l("the walls"))  # fmt: skip
    if result is False and condition is not None:
        cond = text(condition)
        if cond is not None and (cond == "2" or "JELEK" in key(cond) or "RENDAH" in key(cond)):
            return True
    return result


def water(value) -> bool | None:
    return _classify(value, WATER_CODES, WATER_POOR, WATER_WORDS_POOR, WATER_WORDS_OK,
                     _l("the drinking water"))  # fmt: skip


def lighting(value) -> bool | None:
    return _classify(value, LIGHT_CODES, LIGHT_POOR, LIGHT_WORDS_POOR, LIGHT_WORDS_OK,
                     _l("the lighting"))  # fmt: skip


def cooking_fuel(value) -> bool | None:
    return _classify(value, FUEL_CODES, FUEL_POOR, FUEL_WORDS_POOR, FUEL_WORDS_OK,
                     _l("the cooking fuel"))  # fmt: skip


def toilet(value) -> bool | None:
    return _classify(value, TOILET_CODES, TOILET_POOR, TOILET_WORDS_POOR, TOILET_WORDS_OK,
                     _l("the toilet"))  # fmt: skip


def floor_area(area: float | None, people: int | None) -> bool | None:
    """Under 8 m² per person; unknown when the area or the household size is unknown."""
    if area is None or not people:
        return None
    return area / people < 8
