"""What a resident with a verified account sees of distribution on /akun: their
household's invitations (round, point, day and time, what is due, the code, status).

Only a verified account (its person matched with the registry by the village office)
is shown anything: the code is the household's own, and it is theirs to see.
"""

from __future__ import annotations

from portal.accounts.models import User
from portal.accounts.residents import register_data_source
from portal.distribution.models import ENTITLEMENT_STATUSES, UNITS
from portal.distribution.services.common import quantity_text
from portal.distribution.services.invitations import invitation_for_person
from portal.i18n import current_lang, localized, money
from portal.i18n import lazy_gettext as _l

FIELD_LABELS = {
    "distribution_round": _l("Distribution round"),
    "distribution_point": _l("Where"),
    "distribution_when": _l("When"),
    "distribution_due": _l("You receive"),
    "distribution_code": _l("Your code"),
    "distribution_status": _l("Status"),
}


def _due(inv, lang: str) -> str:
    parts = [money(inv.cash, lang)] if inv.cash else []
    parts += [
        f"{localized(ln.item, 'name', lang)} {quantity_text(ln.due_milli, lang)} "
        f"{UNITS[ln.item.unit]}"
        for ln in inv.lines
    ]
    return "; ".join(parts)


def _when(inv) -> str:
    if inv.day is None:
        return ""
    return f"{inv.day.isoformat()} {inv.starts_at:%H:%M}-{inv.ends_at:%H:%M}"


def invitations(user: User) -> tuple[object, list[dict]]:
    if not user.is_verified:
        return _l("Invitations to collect aid"), []
    lang = current_lang()
    rows = []
    for round_, inv in invitation_for_person(user.person_id):
        rows.append(
            {
                "distribution_round": str(localized(round_, "title", lang)),
                "distribution_point": inv.point.name if inv.point else "",
                "distribution_when": _when(inv),
                "distribution_due": _due(inv, lang),
                "distribution_code": inv.grouped_code,
                "distribution_status": str(ENTITLEMENT_STATUSES[inv.status]),
            }
        )
    return _l("Invitations to collect aid"), rows


def register() -> None:
    register_data_source(invitations, FIELD_LABELS)
