"""Broadcasts to the households of a distribution round (the invitation, the reminder
the day before): distribution registers the audience "round" with the notify service;
the registry gives the households' phones (the verified accounts living there)."""

from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import literal, select

from portal.distribution import services
from portal.distribution.models import DistributionRound, Entitlement
from portal.extensions import db
from portal.i18n import day, localized
from portal.i18n import lazy_gettext as _l
from portal.notify import hooks

# Rounds whose households may still be told something useful.
REACHABLE = ("approved", "open")


# Built once per process (with its cache key); the id and titles only. Each status its
# own bound value, not one list expanded when run: the new-broadcast page's statement of
# every audience's choices then goes to the driver directly (portal.database.read).
@cache
def _choices_statement():
    return hooks.ranked(
        select(DistributionRound.id, DistributionRound.title_id, DistributionRound.title_en).where(
            DistributionRound.status.in_([literal(status) for status in REACHABLE])
        ),
        DistributionRound.starts_on.desc(),
        DistributionRound.id.desc(),
    ).limit(50)


def _title(row) -> str:
    return str(localized(row, "title"))


_ROWS = hooks.ChoiceRows(statement=_choices_statement, label=_title)


def choices() -> list[tuple[int, str]]:
    """Approved and open rounds, the latest first."""
    return _ROWS.read()


def households(round_id: int) -> list[int]:
    """The households with aid still due in the round (collected ones need no reminder)."""
    return list(
        db.session.scalars(
            select(Entitlement.household_id).where(
                Entitlement.round_id == round_id,
                Entitlement.status.in_(("due", "partly_collected")),
            )
        )
    )


def phones(round_id: int) -> set[str]:
    return hooks.household_phones(households(round_id))


def poster(round_id: int) -> hooks.PosterContent | None:
    """A round's poster: its dates and the page that shows each household's point."""
    round_ = services.public_round(round_id)
    if round_ is None:
        return None
    return hooks.PosterContent(
        title=str(localized(round_, "title")),
        lines=[
            _("From %(start)s to %(end)s", start=day(round_.starts_on), end=day(round_.ends_on)),
            _("Bring your KTP and KK."),
        ],
        path=url_for("distribution.round_page", round_id=round_.id),
    )


def register() -> None:
    hooks.register_audience(
        "round",
        hooks.AudienceProvider(
            label=_l("Households with aid due in a distribution round"),
            choices=choices,
            phones=phones,
            households=households,
            rows=_ROWS,
        ),
    )
    hooks.register_poster(
        "round",
        hooks.PosterProvider(
            label=_l("Distribution rounds"), choices=choices, content=poster, rows=_ROWS
        ),
    )
