"""Broadcasts to the households of a published recipient list (the invitation, the
reminder): lists registers the audience "list" with the notify service; the registry
gives the households' phones."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.i18n import localized
from portal.lists.models import ListVersion, ListVersionRow
from portal.notify import hooks


def choices() -> list[tuple[int, str]]:
    """The published versions, newest first."""
    versions = db.session.scalars(
        select(ListVersion)
        .options(joinedload(ListVersion.period))
        .order_by(ListVersion.published_at.desc())
        .limit(50)
    )
    return [
        (v.id, _("%(period)s, version %(n)d", period=localized(v.period, "title"), n=v.number))
        for v in versions
    ]


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
        ),
    )
