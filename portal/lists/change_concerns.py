"""Lists answer the registry's change-request hook (portal/registry/change_requests/
hooks.py): a death or a move out in a household that is on the working or published
list of a period that has not ended warns the operator at once. When the change is
accepted, the period's "Check against the rules" shows it (it compares the list with
the registry as it stands now)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.lists.models import ListEntry, ListPeriod
from portal.models_base import village_today
from portal.registry.change_requests.hooks import Concern, register_concern


@dataclass(frozen=True)
class _Title:
    """A period's title in the reader's language, put into words when the message is."""

    title_id: str
    title_en: str | None

    def __str__(self) -> str:
        return str(localized(self, "title"))


def current_lists(household_id: int, _person_id: int | None = None) -> list[Concern]:
    """A concern per current period whose list holds the household."""
    periods = db.session.scalars(
        select(ListPeriod)
        .join(ListEntry, ListEntry.period_id == ListPeriod.id)
        .where(
            ListEntry.household_id == household_id,
            ListEntry.active.is_(True),
            ListPeriod.ends_on >= village_today(),
        )
        .order_by(ListPeriod.starts_on, ListPeriod.id)
    )
    return [
        Concern(
            _l(
                "The household is on the recipient list of %(period)s: check the list "
                "against the rules once the change is decided.",
                period=_Title(period.title_id, period.title_en),
            ),
            f"household on the recipient list of period {period.id}",
        )
        for period in periods
    ]


def listen() -> None:
    """Register with the registry's hook (at app set-up)."""
    register_concern("lists", current_lists)
