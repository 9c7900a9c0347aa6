"""A round's open data: the same counts as its public page, as CSV rows and as JSON.
No name, NIK or address; groups under `MIN_GROUP` households carry no figures."""

from __future__ import annotations

from portal.distribution.models import DistributionRound
from portal.distribution.services.common import quantity_text
from portal.distribution.services.progress import MIN_GROUP, Group, progress
from portal.i18n import localized

ROW_COLUMNS = (
    "group",
    "name",
    "households_due",
    "households_collected",
    "cash_due",
    "cash_paid",
)


def _figures(group: Group) -> list:
    if not group.shown:
        return [None, None, None, None]
    return [group.due, group.collected, group.cash_due, group.cash_paid]


def _item(total, lang: str) -> dict:
    return {
        "item": str(localized(total.item, "name", lang)),
        "unit": total.item.unit,
        "due": quantity_text(total.due_milli, "en"),
        "delivered": quantity_text(total.delivered_milli, "en"),
    }


def round_json(round_: DistributionRound, lang: str) -> dict:
    """The round and its progress as plain values."""
    found = progress(round_)
    return {
        "id": round_.id,
        "title": str(localized(round_, "title", lang)),
        "status": round_.status,
        "starts_on": round_.starts_on.isoformat(),
        "ends_on": round_.ends_on.isoformat(),
        "cash_per_household": round_.cash_amount,
        "points": [
            {
                "name": p.name,
                "opens_at": p.opens_at.strftime("%H:%M"),
                "closes_at": p.closes_at.strftime("%H:%M"),
                "slots": [
                    {
                        "rt": s.rt,
                        "rw": s.rw,
                        "day": s.day.isoformat(),
                        "starts_at": s.starts_at.strftime("%H:%M"),
                        "ends_at": s.ends_at.strftime("%H:%M"),
                    }
                    for s in p.slots
                ],
            }
            for p in round_.points
        ],
        "total": dict(zip(ROW_COLUMNS[2:], _figures(found.total), strict=True)),
        "cancelled": found.cancelled,
        "by_rt": [
            {"rt_rw": g.label, **dict(zip(ROW_COLUMNS[2:], _figures(g), strict=True))}
            for g in found.by_rt
        ],
        "by_point": [
            {"point": g.label, **dict(zip(ROW_COLUMNS[2:], _figures(g), strict=True))}
            for g in found.by_point
        ],
        "items": [_item(t, lang) for t in found.items],
        "min_group": MIN_GROUP,
    }


def round_rows(round_: DistributionRound) -> list[list]:
    """CSV rows: a header, the total, each RT/RW, each point."""
    found = progress(round_)
    rows: list[list] = [list(ROW_COLUMNS)]
    rows.append(["total", "", *_figures(found.total)])
    rows.extend(["rt_rw", g.label, *_figures(g)] for g in found.by_rt)
    rows.extend(["point", g.label, *_figures(g)] for g in found.by_point)
    return rows
