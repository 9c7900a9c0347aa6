"""The printed list: the households a broadcast targets (a recipient list's, a round's)
that no subscribed phone reaches, for the RT heads to tell by hand. Staff print it per
broadcast, grouped by RT, with masked names and the broadcast's short text.

Which households, their RT/RW and heads come from the registry through
`hooks.household_entries`; which of them a phone reaches is decided here: one of the
household's phones belongs to an active subscriber.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy import select

from portal.extensions import db
from portal.notify import hooks
from portal.notify.models import Broadcast, Subscriber
from portal.pdf import latin1
from portal.privacy import mask_name


def households(broadcast: Broadcast) -> list[hooks.HouseholdEntry]:
    """The targeted households no active subscriber's phone reaches, by RW, RT, name.
    Empty for audiences of people (topic, RT, course)."""
    provider = hooks.audiences().get(broadcast.audience)
    if provider is None or provider.households is None or broadcast.audience_ref is None:
        return []
    entries = hooks.household_entries(provider.households(broadcast.audience_ref))
    phones = sorted({phone for entry in entries for phone in entry.phones})
    reached: set[str] = set()
    for start in range(0, len(phones), 500):
        reached.update(
            db.session.scalars(
                select(Subscriber.phone).where(
                    Subscriber.status == "active", Subscriber.phone.in_(phones[start : start + 500])
                )
            )
        )
    missed = [entry for entry in entries if not entry.phones & reached]
    return sorted(missed, key=lambda e: (e.rw or 0, e.rt, e.name, e.household_id))


def by_rt(entries: list[hooks.HouseholdEntry]) -> list[tuple[str, list[str]]]:
    """[("RT 001/RW 002", [masked names]), ...] in order."""
    groups: dict[str, list[str]] = {}
    for entry in entries:
        label = _("RT %(rt)03d/RW %(rw)s", rt=entry.rt, rw=f"{entry.rw:03d}" if entry.rw else "-")
        groups.setdefault(label, []).append(mask_name(entry.name) or _("(no head recorded)"))
    return list(groups.items())


def render(broadcast: Broadcast, entries: list[hooks.HouseholdEntry]) -> bytes:
    """The A4 PDF of the printed list: title, short text, then each RT's households."""
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(broadcast.title))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    width = pdf.w - 30

    def line(text, size=11, style="", height=6):
        pdf.set_font("Helvetica", style, size)
        pdf.multi_cell(width, height, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    line(current_app.config["VILLAGE_NAME"], 9)
    line(_("Printed list for the RT heads: households no message reaches"), 10, "B")
    line(broadcast.title, 16, "B", 8)
    pdf.ln(2)
    line(broadcast.sms_id, 12)
    pdf.ln(2)
    line(_("%(n)d households to tell in person.", n=len(entries)), 10)
    for label, names in by_rt(entries):
        pdf.ln(3)
        line(f"{label} ({len(names)})", 12, "B", 7)
        for number, name in enumerate(names, 1):
            line(f"{number}. {name}    [  ]", 11)
    return bytes(pdf.output())
