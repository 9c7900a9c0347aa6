"""Broadcasts to the households of a published recipient list (the invitation, the
reminder): lists registers the audience "list" with the notify service; the registry
gives the households' phones."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.lists.models import ListPeriod, ListVersion, ListVersionRow
from portal.notify import hooks


@cache  # built once per process (with its cache key): the id, number and period's titles
def _choices_statement():
    return hooks.ranked(
        select(ListVersion.id, ListPeriod.title_id, ListPeriod.title_en, ListVersion.number).join(
            ListPeriod, ListPeriod.id == ListVersion.period_id
        ),
        ListVersion.published_at.desc(),
    ).limit(50)


def _label(row) -> str:
    return _("%(period)s, version %(n)d", period=localized(row, "title"), n=row.number)


_ROWS = hooks.ChoiceRows(statement=_choices_statement, label=_label)


def choices() -> list[tuple[int, str]]:
    """The published versions, newest first."""
    return _ROWS.read()


def households(version_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ListVersionRow.household_id).where(ListVersionRow.version_id == version_id)
        )
    )


def phones(version_id: int) -> set[str]:
    return hooks.household_phones(households(version_id))


def register() -> None:
    hooks.register_audience(
        "list",
        hooks.AudienceProvider(
            label=_l("Households of a recipient list"),
            choices=choices,
            phones=phones,
            households=households,
            rows=_ROWS,
        ),
    )
