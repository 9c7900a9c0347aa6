"""Need scoring: points with their reasons, levels, aid types, the food entitlement."""

from __future__ import annotations

import pytest

from portal.registry import scoring
from portal.registry.models import BPS_CRITERIA
from portal.registry.scoring import Member, assess, food_entitlement

KEYS = list(BPS_CRITERIA)


@pytest.fixture(autouse=True)
def english(app):
    """Lazy messages need a request to pick a language; these tests read English."""
    with app.test_request_context("/?lang=en"):
        yield


def criteria(n: int, surveyed: bool = True) -> dict:
    """The first n criteria met, the rest not (or not surveyed)."""
    return {key: (i < n) if surveyed else None for i, key in enumerate(KEYS)}


def family(*ages, disabled=0):
    return [Member(age=a, disabled=i < disabled) for i, a in enumerate(ages)]


def quantities(lines):
    return {line.key: line.quantity for line in lines}


def test_points_add_up_with_one_reason_each():
    result = assess(criteria(10), 2, family(40, 38, 12, 9, 5, 70, disabled=1))
    # 10 x 4 criteria + 16 desil 2 + 2 x (6 - 4) size + 3 x 2 children + 1 x 3 elder + 4 disabled
    assert result.score == 40 + 16 + 4 + 6 + 3 + 4
    assert sum(r.points for r in result.reasons if r.points) == result.score
    text = " ".join(str(r.message) for r in result.reasons)
    for part in (
        "10 of the 14",
        "Desil 2",
        "6 living members",
        "3 children",
        "1 members aged 60",
        "1 members with a disability",
    ):
        assert part in text


def test_score_is_capped_at_100():
    result = assess(criteria(14), 1, family(40, 38, 3, 5, 7, 9, 11, 66, 70, disabled=3))
    assert result.score == 100


def test_levels_follow_criteria_desil_or_score():
    assert assess(criteria(12), None, family(40)).need_level == "sangat_miskin"
    assert assess(criteria(0), 1, family(40)).need_level == "sangat_miskin"
    assert assess(criteria(9), None, family(40)).need_level == "miskin"
    assert assess(criteria(0), 3, family(40)).need_level == "miskin"
    assert assess(criteria(6), None, family(40)).need_level == "rentan"
    assert assess(criteria(2), 5, family(40)).need_level == "rentan"
    assert assess(criteria(2), 8, family(40)).need_level == "tidak_prioritas"
    assert assess(criteria(0, surveyed=False), None, family(40)).need_level == "tidak_prioritas"


def test_level_reason_names_the_rule_that_decided():
    result = assess(criteria(9), 7, family(40))
    assert "9 criteria" in str(result.level_reason)
    result = assess(criteria(1), 3, family(40))
    assert "Desil 3" in str(result.level_reason)


def test_a_big_poor_family_reaches_a_level_by_score():
    # 5 criteria (20) + desil 6 (0) + size 8 (8) + 6 children (8) + 2 elders (6) = 42: rentan.
    result = assess(criteria(5), 6, family(45, 42, 2, 4, 6, 8, 10, 12, 70, 75)[:10])
    assert result.score >= 30 and result.need_level == "rentan"
    assert "Score" in str(result.level_reason)


def test_aid_types_with_reasons():
    crit = criteria(12)  # includes floor area, floor, wall, toilet
    result = assess(crit, 1, family(40, 38, 8, 70))
    assert set(result.aid_types) == {"food", "cash", "education", "health", "housing"}
    assert set(result.aid_reasons) == set(result.aid_types)
    rentan = assess(criteria(6), None, family(40, 38, 8))
    assert rentan.need_level == "rentan"
    assert "food" not in rentan.aid_types and "education" in rentan.aid_types
    assert assess(criteria(0), 10, family(40, 8)).aid_types == []


def test_only_living_residents_count():
    dead = [Member(age=70, alive=False)]
    result = assess(criteria(14), 1, dead)
    assert result.need_level == "tidak_prioritas" and result.aid_types == [] and result.score == 0
    assert "No living resident" in str(result.reasons[0])
    mixed = assess(criteria(0), 9, [Member(age=40), Member(age=5, alive=False)])
    assert "1 living members" in " ".join(str(r.message) for r in mixed.reasons)


def test_food_entitlement_grows_with_household_composition():
    alone = quantities(food_entitlement(family(70)))
    couple = quantities(food_entitlement(family(40, 38)))
    many_children = quantities(food_entitlement(family(40, 38, 1, 3, 6, 9, 12, 15)))
    assert many_children["rice"] > couple["rice"] > alone["rice"]
    assert many_children["oil"] > alone["oil"] and many_children["eggs"] > alone["eggs"]
    assert many_children["mung_beans"] == 1.0  # two children under five
    assert "mung_beans" not in couple
    # Minimums for one elderly person: 3 kg rice, 1 l oil, 0.5 kg eggs.
    assert alone == {"rice": 3.0, "oil": 1.0, "eggs": 0.5}


def test_food_follows_the_published_formula():
    # 2 adults + 2 children 5-17 = 2 + 1.6 = 3.6 units: rice 9, oil 1.8 -> 2, eggs 0.9 -> 1.
    assert quantities(food_entitlement(family(40, 38, 8, 12))) == {
        "rice": 9.0,
        "oil": 2.0,
        "eggs": 1.0,
    }
    assert food_entitlement([Member(age=50, alive=False)]) == []


def test_food_entitlement_is_part_of_the_assessment_when_food_fits():
    poor = assess(criteria(10), 2, family(40, 38, 2, 8))
    assert "food" in poor.aid_types
    assert quantities(poor.food) == quantities(food_entitlement(family(40, 38, 2, 8)))
    assert assess(criteria(0), 9, family(40)).food == []


def test_formula_for_the_public_page_lists_weights_items_and_examples():
    formula = scoring.food_formula()
    assert [w["weight"] for w in formula["weights"]] == [0.5, 0.8, 1.0, 0.8]
    assert {str(item["label"]) for item in formula["items"]} >= {"Rice", "Cooking oil", "Eggs"}
    alone, big = formula["examples"]
    assert quantities(big["food"])["rice"] > quantities(alone["food"])["rice"]
