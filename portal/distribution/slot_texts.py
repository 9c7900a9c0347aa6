"""A round's time slots as the pages write them, worked out once per slot in Python
(the RT/RW, the day and the hours): a round lists dozens of slots and each cell was a
filter or a format call in the template."""

from __future__ import annotations

from typing import NamedTuple

from portal import i18n


class SlotText(NamedTuple):
    id: int
    rt: int
    rt_rw: str
    day: str
    hours: str


def slot_texts(slots: dict[int, list], separator: str) -> dict[int, list[SlotText]]:
    """`slots` as RoundParts.slots gives them (point id -> rows), each row as
    "007/002" (or "007/–" without an RW), the day as the language writes it and
    "08.00–10.00" with `separator` between hours and minutes."""
    pattern = f"%H{separator}%M"
    days: dict = {}
    hours: dict = {}
    texts = {}
    # The days and hours found once each (`in` and [] are no calls), RT/RW as rt_label.
    for point_id, rows in slots.items():
        found = texts[point_id] = []
        for s in rows:
            day, span, rt, rw = s.day, (s.starts_at, s.ends_at), s.rt, s.rw
            if day not in days:
                days[day] = i18n.day(day)
            if span not in hours:
                hours[span] = f"{span[0].strftime(pattern)}–{span[1].strftime(pattern)}"
            rt_rw = f"{rt:03d}/{rw:03d}" if rw is not None else f"{rt:03d}/–"
            found.append(SlotText(s.id, rt, rt_rw, days[day], hours[span]))
    return texts
