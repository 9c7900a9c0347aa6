"""A round's time slots as the pages write them, worked out once per slot in Python
(the RT/RW, the day and the hours): a round lists dozens of slots and each cell was a
filter or a format call in the template."""

from __future__ import annotations

from typing import NamedTuple

from portal import i18n
from portal.distribution.services.progress import rt_label


class SlotText(NamedTuple):
    id: int
    rt: int
    rt_rw: str
    day: str
    hours: str


def slot_texts(slots: dict[int, list], separator: str) -> dict[int, list[SlotText]]:
    """`slots` as services.points_and_items gives them (point id -> rows), each row as
    "007/002" (or "007/–" without an RW), the day as the language writes it and
    "08.00–10.00" with `separator` between hours and minutes."""
    pattern = f"%H{separator}%M"
    days: dict = {}
    texts = {}
    for point_id, rows in slots.items():
        texts[point_id] = [
            SlotText(
                s.id,
                s.rt,
                rt_label(s.rt, s.rw),
                days[s.day] if s.day in days else days.setdefault(s.day, i18n.day(s.day)),
                f"{s.starts_at.strftime(pattern)}–{s.ends_at.strftime(pattern)}",
            )
            for s in rows
        ]
    return texts
