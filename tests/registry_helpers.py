"""Small factories for registry tests: households and people through the services."""

from __future__ import annotations

import itertools
from datetime import date

from portal.registry import services
from portal.registry.validation import make_nik

_serials = itertools.count(1)


def household(actor=None, **fields):
    data = {"address": "Jl. Mawar No. 1", "rt": 1, "rw": 1, **fields}
    item, errors = services.save_household(None, data, actor=actor)
    assert errors == {}, errors
    return item


def person(
    home,
    name: str,
    born: date = date(1980, 5, 17),
    sex: str = "male",
    relation: str = "head",
    actor=None,
    **fields,
):
    fields.setdefault("nik", make_nik("320101", born, sex, next(_serials)))
    data = {"name": name, "birth_date": born, "sex": sex, "relation": relation, **fields}
    item, errors, _warnings = services.save_person(None, data, actor=actor, household=home)
    assert errors == {}, errors
    return item
