"""The demo village's history and enrolments, as rows for bulk inserts: KK numbers and
stays in households (some people moved between them), village enrolments by fit and
national ones from the "DTKS" data. `portal/devdata/registry.py` calls these in order:
they draw from the village's one random source, so the order is part of the data.
"""

from __future__ import annotations

from datetime import date, timedelta


def kk_and_memberships(v, household_ids, households, issued_dates, people_of, now):
    """The KK numbers (some families came from a split) and who joined when."""
    r = v.rng
    kk_rows, memberships = [], []
    for hid, h, issued, people in zip(
        household_ids, households, issued_dates, people_of, strict=True
    ):
        if r.random() < 0.05:
            earlier = issued - timedelta(days=r.randint(400, 3000))
            kk_rows.append(
                dict(
                    household_id=hid,
                    kk_number=v.kk(earlier),
                    valid_from=earlier,
                    valid_to=issued,
                    reason="first",
                    recorded_at=now,
                )
            )
            kk_rows.append(
                dict(
                    household_id=hid,
                    kk_number=h["kk_number"],
                    valid_from=issued,
                    reason=r.choice(("split", "moved", "head_changed")),
                    recorded_at=now,
                )
            )
        else:
            kk_rows.append(
                dict(
                    household_id=hid,
                    kk_number=h["kk_number"],
                    valid_from=issued,
                    reason="first",
                    recorded_at=now,
                )
            )
        memberships += _stays(v, hid, issued, people)
    return kk_rows, memberships


def _stays(v, hid: int, issued: date, people: list[dict]) -> list[dict]:
    out = []
    for p in people:
        start = max(issued, p["birth_date"])
        reason = "birth" if p["birth_date"] > issued else "registered"
        if p.get("_duplicate"):
            start, reason = v.today - timedelta(days=v.rng.randint(10, 300)), "moved_in"
        out.append(
            dict(
                person_id=p["id"],
                household_id=hid,
                relation=p["relation"],
                start_date=start,
                start_reason=reason,
            )
        )
    return out


def plant_moves(v, household_ids, people_of, memberships) -> int:
    """A few people who moved between households: a closed stay before the current one.
    Adds to `memberships`; returns how many moved."""
    r, today, n_households = v.rng, v.today, len(household_ids)
    current = {m["person_id"]: m for m in memberships}
    moves = 0
    for _ in range(max(1, n_households // 50)):
        i, j = r.randrange(n_households), r.randrange(n_households)
        mover = next((p for p in people_of[i] if p["relation"] == "child" and p["age"] >= 20), None)
        if mover is None or i == j:
            continue
        m = current[mover["id"]]
        moved_on = max(m["start_date"], today - timedelta(days=r.randint(60, 900)))
        memberships.append(
            dict(
                person_id=mover["id"],
                household_id=household_ids[j],
                relation="child",
                start_date=m["start_date"],
                end_date=moved_on,
                start_reason="registered",
                end_reason="moved_out",
            )
        )
        m["start_date"], m["start_reason"] = moved_on, "moved_in"
        moves += 1
    return moves


def enrolments(v, programmes, household_ids, households, people_of):
    """Village programmes by fit, national ones from the "DTKS" data.

    Returns (village rows, national rows, overlaps, the food-enrolled households whose
    first member is the head)."""
    village, national, enrolled = [], [], []
    overlaps = 0
    for hid, h, people in zip(household_ids, households, people_of, strict=True):
        village_food = _village(v, programmes, hid, h, people, village)
        overlaps += _national(v, hid, h, people, village_food, national)
        if village_food and people[0]["relation"] == "head":
            enrolled.append((hid, h, people))
    return village, national, overlaps, enrolled


def _village(v, programmes, hid, h, people, out) -> bool:
    """One household's village enrolments; True when it gets the village's food aid."""
    r, today = v.rng, v.today
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    food, cash = programmes.get("food"), programmes.get("cash")
    education, health = programmes.get("education"), programmes.get("health")
    fits = h["aid_types"].split()
    whole_year = dict(household_id=hid, period_start=year_start, period_end=year_end)
    village_food = food is not None and "food" in fits and r.random() < 0.85
    if village_food:
        out.append(dict(whole_year, programme_id=food.id))
    if cash is not None and "cash" in fits and r.random() < 0.5:
        out.append(dict(whole_year, programme_id=cash.id))
    if education is not None and "education" in fits and r.random() < 0.6:
        out.append(
            dict(
                household_id=hid,
                programme_id=education.id,
                period_start=date(today.year, 7, 1),
                period_end=date(today.year, 7, 31),
            )
        )
    if health is not None and "health" in fits:
        for p in people:
            if p["age"] >= 60 and p["status"] == "alive" and r.random() < 0.6:
                out.append(
                    dict(
                        household_id=hid,
                        programme_id=health.id,
                        person_id=p["id"],
                        period_start=year_start,
                    )
                )
    return village_food


def _national(v, hid, h, people, village_food: bool, out) -> int:
    """One household's national enrolments; 1 when BPNT overlaps the village's food aid."""
    r, today = v.rng, v.today
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    overlap = 0
    poor = h["need_level"] in ("sangat_miskin", "miskin")
    # National data lags behind and knows households the village rates lower.
    if (poor and r.random() < 0.3) or (not poor and r.random() < 0.03):
        out.append(
            dict(
                household_id=hid,
                programme_code="BPNT",
                period_start=year_start,
                period_end=year_end,
                source="DTKS",
            )
        )
        overlap = 1 if village_food else 0
    if poor and r.random() < 0.2:
        out.append(
            dict(household_id=hid, programme_code="PKH", period_start=year_start, source="DTKS")
        )
    for p in people:
        if poor and p["status"] == "alive" and r.random() < 0.15:
            out.append(
                dict(
                    person_id=p["id"],
                    programme_code="PBI",
                    period_start=date(today.year - 1, 1, 1),
                    source="DTKS",
                )
            )
    return overlap
