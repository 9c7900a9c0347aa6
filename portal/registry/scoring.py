"""Need scoring, need level, fitting aid types and the food entitlement: the one place
where these rules live.

Staff see every result with its reasons (`Assessment.reasons`); the food formula is
published on the food programme's public page (`food_formula()`), so a family can
check what it is due. The functions take plain values, so the rules can be tested
and explained without a database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.registry.models import BPS_CRITERIA

# Points: each criterion met, desil (1 = poorest tenth), and the people who need more.
POINTS_PER_CRITERION = 4
DESIL_POINTS = {1: 20, 2: 16, 3: 12, 4: 8, 5: 4}
POINTS_PER_EXTRA_MEMBER, LARGE_FROM, MAX_SIZE_POINTS = 2, 4, 8
POINTS_PER_CHILD, MAX_CHILD_POINTS = 2, 8
POINTS_PER_ELDER, MAX_ELDER_POINTS = 3, 6
POINTS_PER_DISABLED, MAX_DISABLED_POINTS = 4, 8
MAX_SCORE = 100
CHILD_UNDER, ELDER_FROM = 18, 60
SCHOOL_AGE = (6, 15)
BPS_POOR = 9  # BPS: a household meeting 9 or more of the 14 criteria is poor

# Need levels, checked from the top; the first rule that holds decides.
LEVEL_RULES = (
    ("sangat_miskin", 12, (1,), 70),
    ("miskin", BPS_POOR, (2, 3), 50),
    ("rentan", 6, (4, 5), 30),
)
HOUSING_CRITERIA = ("floor_area", "floor", "wall", "toilet")

# Food package, per consumption unit of the living members; rounded up to the step.
UNIT_WEIGHTS = (
    # (from age, to age inclusive or None, weight, label)
    (0, 4, 0.5, _l("Child under 5")),
    (5, 17, 0.8, _l("Child aged 5 to 17")),
    (18, 59, 1.0, _l("Adult aged 18 to 59")),
    (60, None, 0.8, _l("Person aged 60 or over")),
)
UNKNOWN_AGE_WEIGHT = 1.0
FOOD_ITEMS = (
    # (key, per unit, minimum, rounding step, unit, label)
    ("rice", 2.5, 3.0, 0.5, "kg", _l("Rice")),
    ("oil", 0.5, 1.0, 0.5, "l", _l("Cooking oil")),
    ("eggs", 0.25, 0.5, 0.25, "kg", _l("Eggs")),
)
# Mung beans for porridge, for each child under five (on top of the units above).
MUNG_BEANS_PER_TODDLER = 0.5
# Units are written the same way in both languages.
UNIT_LABELS = {"kg": "kg", "l": "l"}


@dataclass(frozen=True)
class Member:
    """What scoring needs to know about one person of the household."""

    age: int | None
    disabled: bool = False
    alive: bool = True  # a living resident; the dead and the moved do not count


@dataclass(frozen=True)
class Reason:
    """One line of explanation: what was found and the points it gave (None: no points)."""

    message: object
    points: int | None = None


@dataclass(frozen=True)
class FoodLine:
    key: str
    label: object
    quantity: float
    unit: str

    @property
    def unit_label(self):
        return UNIT_LABELS.get(self.unit, self.unit)


@dataclass
class Assessment:
    score: int
    need_level: str
    aid_types: list[str]
    criteria_met: int
    criteria_known: int
    reasons: list[Reason] = field(default_factory=list)
    level_reason: object = None
    aid_reasons: dict[str, object] = field(default_factory=dict)
    units: float = 0.0
    food: list[FoodLine] = field(default_factory=list)


def _age_weight(age: int | None) -> float:
    if age is None:
        return UNKNOWN_AGE_WEIGHT
    for low, high, weight, _label in UNIT_WEIGHTS:
        if age >= low and (high is None or age <= high):
            return weight
    return UNKNOWN_AGE_WEIGHT


def _round_up(value: float, step: float) -> float:
    return math.ceil(round(value / step, 6)) * step


def consumption_units(members: list[Member]) -> float:
    """Living members weighted by age (adult = 1): the base of the food entitlement."""
    return round(sum(_age_weight(m.age) for m in members if m.alive), 2)


def food_entitlement(members: list[Member]) -> list[FoodLine]:
    """The monthly food package for a household: it grows with the people who eat from it.

    Each item is `per unit x consumption units`, at least the minimum, rounded up to the
    step; mung beans are added for each child under five. A household with no living
    member gets nothing.
    """
    living = [m for m in members if m.alive]
    if not living:
        return []
    units = consumption_units(living)
    lines = [
        FoodLine(key, label, _round_up(max(minimum, per_unit * units), step), unit)
        for key, per_unit, minimum, step, unit, label in FOOD_ITEMS
    ]
    toddlers = sum(1 for m in living if m.age is not None and m.age < 5)
    if toddlers:
        lines.append(
            FoodLine("mung_beans", _l("Mung beans"), toddlers * MUNG_BEANS_PER_TODDLER, "kg")
        )
    return lines


def food_formula() -> dict:
    """The food formula in a form a public page can show (weights and items)."""
    return {
        "weights": [
            {"label": label, "weight": weight} for _low, _high, weight, label in UNIT_WEIGHTS
        ],
        "items": [
            {
                "label": label,
                "per_unit": per_unit,
                "minimum": minimum,
                "step": step,
                "unit": UNIT_LABELS[unit],
            }
            for _key, per_unit, minimum, step, unit, label in FOOD_ITEMS
        ],
        "mung_beans_per_toddler": MUNG_BEANS_PER_TODDLER,
        "examples": [
            {
                "label": _l("One person aged 70 living alone"),
                "food": food_entitlement([Member(age=70)]),
            },
            {
                "label": _l("Two adults and four children aged 2, 6, 9 and 12"),
                "food": food_entitlement([Member(age=a) for a in (35, 33, 2, 6, 9, 12)]),
            },
        ],
    }


def assess(
    criteria: dict[str, bool | None], desil: int | None, members: list[Member]
) -> Assessment:
    """Score a household and say why: criteria met, desil, size, children, elderly, disability.

    Only living residents count. A household without one is not eligible for anything.
    """
    # Counted in C (a generator's sum cost some 50 Python calls a household; the
    # household page and every rescoring ask): the answers met, and those not None.
    answers = [criteria.get(key) for key in BPS_CRITERIA]
    met = len(list(filter(None, answers)))
    known = len(answers) - answers.count(None)
    living = [m for m in members if m.alive]
    reasons: list[Reason] = []

    if not living:
        return Assessment(
            score=0,
            need_level="tidak_prioritas",
            aid_types=[],
            criteria_met=met,
            criteria_known=known,
            reasons=[Reason(_l("No living resident in this household: it cannot receive aid."))],
            level_reason=_l("No living resident."),
        )

    score = met * POINTS_PER_CRITERION
    reasons.append(
        Reason(
            _l(
                "Meets %(met)d of the 14 BPS poverty criteria (%(known)d surveyed), "
                "%(each)d points each.",
                met=met,
                known=known,
                each=POINTS_PER_CRITERION,
            ),
            met * POINTS_PER_CRITERION,
        )
    )

    if desil is None:
        reasons.append(Reason(_l("Desil in the national data is not known."), 0))
    else:
        points = DESIL_POINTS.get(desil, 0)
        score += points
        reasons.append(Reason(_l("Desil %(desil)d in the national data.", desil=desil), points))

    points, elders, disabled = _member_points(living, reasons)
    score += points

    score = min(MAX_SCORE, score)
    level, level_reason = _level(met, desil, score)
    aid_types, aid_reasons = _aid_types(level, criteria, living, elders, disabled)
    return Assessment(
        score=score,
        need_level=level,
        aid_types=aid_types,
        criteria_met=met,
        criteria_known=known,
        reasons=reasons,
        level_reason=level_reason,
        aid_reasons=aid_reasons,
        units=consumption_units(living),
        food=food_entitlement(living) if "food" in aid_types else [],
    )


def _member_points(living: list[Member], reasons: list[Reason]) -> tuple[int, int, int]:
    """Points for the household's size, children, elderly and members with a disability
    (their reasons appended); returns (points, elders, disabled)."""
    total = 0
    size = len(living)
    points = min(MAX_SIZE_POINTS, max(0, size - LARGE_FROM) * POINTS_PER_EXTRA_MEMBER)
    total += points
    reasons.append(Reason(_l("%(n)d living members in the household.", n=size), points))

    children = sum(1 for m in living if m.age is not None and m.age < CHILD_UNDER)
    if children:
        points = min(MAX_CHILD_POINTS, children * POINTS_PER_CHILD)
        total += points
        reasons.append(Reason(_l("%(n)d children under 18.", n=children), points))

    elders = sum(1 for m in living if m.age is not None and m.age >= ELDER_FROM)
    if elders:
        points = min(MAX_ELDER_POINTS, elders * POINTS_PER_ELDER)
        total += points
        reasons.append(Reason(_l("%(n)d members aged 60 or over.", n=elders), points))

    disabled = sum(1 for m in living if m.disabled)
    if disabled:
        points = min(MAX_DISABLED_POINTS, disabled * POINTS_PER_DISABLED)
        total += points
        reasons.append(Reason(_l("%(n)d members with a disability.", n=disabled), points))
    return total, elders, disabled


def _level(met: int, desil: int | None, score: int) -> tuple[str, object]:
    for level, min_met, desils, min_score in LEVEL_RULES:
        if met >= min_met:
            return level, _l(
                "Meets %(met)d criteria; %(min)d or more gives this level.", met=met, min=min_met
            )
        if desil in desils:
            return level, _l("Desil %(desil)d gives this level.", desil=desil)
        if score >= min_score:
            return level, _l(
                "Score %(score)d; %(min)d or more gives this level.", score=score, min=min_score
            )
    return "tidak_prioritas", _l(
        "Fewer than 6 criteria met, desil above 5 or unknown, and a score under 30."
    )


def _aid_types(level, criteria, living, elders, disabled) -> tuple[list[str], dict]:
    poor = level in ("sangat_miskin", "miskin")
    priority = level != "tidak_prioritas"
    fits: dict[str, object] = {}
    if poor:
        fits["food"] = _l("Very poor or poor households receive the food package.")
    if level == "sangat_miskin":
        fits["cash"] = _l("Cash aid (BLT) is for very poor households.")
    school = sum(1 for m in living if m.age is not None and SCHOOL_AGE[0] <= m.age <= SCHOOL_AGE[1])
    if priority and school:
        fits["education"] = _l("%(n)d children of school age (6-15).", n=school)
    if priority and (elders or disabled or criteria.get("clinic")):
        fits["health"] = _l("Elderly or disabled members, or cannot afford a clinic.")
    housing = sum(1 for key in HOUSING_CRITERIA if criteria.get(key))
    if poor and housing >= 2:
        fits["housing"] = _l(
            "Meets %(n)d of the 4 housing criteria (floor area, floor, walls, toilet).", n=housing
        )
    return list(fits), fits


def members_of(household, today: date | None = None) -> list[Member]:
    """Scoring members for a Household model: merged duplicates left out."""
    today = today or village_today()
    return [
        Member(
            age=p.age_on(today),
            disabled=bool(p.disability),
            alive=p.status == "alive",
        )
        for p in household.members
        if p.merged_into_id is None
    ]


def assess_household(household, today: date | None = None) -> Assessment:
    """assess() for a Household model."""
    return assess(household.criteria, household.desil, members_of(household, today))
