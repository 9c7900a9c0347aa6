"""Distribution answers the registry's change-request hook (portal/registry/
change_requests/hooks.py): a death or a move out in a household with an entitlement
still due in an approved or open round warns the operator at once, naming the round
and whether the person is the household's collector or alternate (an officer at the
point would otherwise hand the aid to a name that no longer holds)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.distribution.models import DistributionRound, Entitlement
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.registry.change_requests.hooks import Concern, register_concern

LIVE_ROUNDS = ("approved", "open")


@dataclass(frozen=True)
class _Title:
    """A round's title in the reader's language, put into words when the message is."""

    title_id: str
    title_en: str | None

    def __str__(self) -> str:
        return str(localized(self, "title"))


def open_rounds(household_id: int, person_id: int | None = None) -> list[Concern]:
    """A concern per approved or open round holding a due entitlement of the household."""
    rows = db.session.execute(
        select(DistributionRound, Entitlement)
        .join(Entitlement, Entitlement.round_id == DistributionRound.id)
        .where(
            Entitlement.household_id == household_id,
            Entitlement.status.in_(("due", "partly_collected")),
            DistributionRound.status.in_(LIVE_ROUNDS),
        )
        .order_by(DistributionRound.starts_on, DistributionRound.id)
    ).all()
    concerns = []
    for round_, entitlement in rows:
        title = _Title(round_.title_id, round_.title_en)
        if person_id is not None and person_id in (
            entitlement.collector_id,
            entitlement.alternate_id,
        ):
            message = _l(
                "This person collects the household's aid in the distribution round "
                "%(round)s: tell the officers at the point before the handover.",
                round=title,
            )
        else:
            message = _l(
                "The household has aid still due in the distribution round %(round)s.",
                round=title,
            )
        concerns.append(
            Concern(message, f"household with aid due in distribution round {round_.id}")
        )
    return concerns


def listen() -> None:
    """Register with the registry's hook (at app set-up)."""
    register_concern("distribution", open_rounds)
