"""Printing invitations (undangan) with fpdf2: A6 cards, four to an A4 page (cut along
the lines) or one per A6 page, each RT starting on a fresh page so that the stacks can
be handed to the RT's head. The code is printed as a QR code (segno, drawn as vector
squares: sharp at any printer's resolution, and fast) and as four groups of letters."""

from __future__ import annotations

from collections.abc import Iterable

import segno
from flask import current_app, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF

from portal.distribution.services.common import quantity_text
from portal.distribution.services.invitations import Invitation
from portal.i18n import localized, money
from portal.pdf import latin1

CARD_W, CARD_H = 105.0, 148.5
LAYOUTS = ("a4", "a6")
QR_SIZE = 34.0


def _receives(inv: Invitation, lang: str) -> str:
    parts = [money(inv.cash, lang)] if inv.cash else []
    for line in inv.lines:
        name = localized(line.item, "name", lang)
        parts.append(f"{name} {quantity_text(line.due_milli, lang)} {line.item.unit}")
    return "; ".join(parts) or "-"


def _when(inv: Invitation) -> str:
    if inv.day is None:
        return _("Ask the village office for your day and time.")
    day = format_date(inv.day, "EEEE, d MMMM y")
    return f"{day}, {inv.starts_at:%H.%M}-{inv.ends_at:%H.%M}"


def _qr(pdf: FPDF, code: str, x: float, y: float) -> None:
    """The code as a QR code, each row's dark runs drawn as one filled rectangle."""
    qr = segno.make(code, error="m", micro=False)
    rows = list(qr.matrix_iter(scale=1, border=0))
    cell = QR_SIZE / len(rows)
    for r, row in enumerate(rows):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                pdf.rect(x + start * cell, y + r * cell, (c - start) * cell, cell, style="F")
                start = None


class _Texts:
    """The fixed words of a card in the print's language, looked up once per print."""

    def __init__(self, round_, lang: str):
        self.village = latin1(current_app.config["VILLAGE_NAME"])
        self.heading = latin1(_("Invitation to collect aid"))
        self.title = latin1(localized(round_, "title", lang))
        self.to = _("For")
        self.point = _("Where")
        self.when = _("When")
        self.receive = _("You receive")
        self.bring = latin1(
            _(
                "Bring your KTP or family card (KK) and this invitation. Nobody may ask "
                "you for money or take a part of your aid."
            )
        )
        self.code = _("Your code")
        self.check = latin1(
            _("Check your household at %(url)s", url=url_for("lists.self_check", _external=True))
        )
        phone = current_app.config.get("COMPLAINT_PHONE")
        complaint = url_for("complaints.new", _external=True)
        self.complain = latin1(
            _("Complaints: %(url)s", url=complaint)
            + (" / " + _("phone %(phone)s", phone=phone) if phone else "")
        )


def _card(pdf: FPDF, t: _Texts, inv: Invitation, lang: str, x: float, y: float) -> None:
    m, w = 7.0, CARD_W - 14.0
    pdf.set_xy(x + m, y + m)
    pdf.set_font("helvetica", "", 8)
    pdf.cell(w, 4, t.village)
    pdf.set_xy(x + m, y + m + 4)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(w, 6, t.heading)
    pdf.set_xy(x + m, y + m + 10)
    pdf.set_font("helvetica", "", 9)
    pdf.multi_cell(w, 4, t.title)
    rt_rw = f"RT {inv.rt:03d}" + (f" / RW {inv.rw:03d}" if inv.rw is not None else "")
    point = inv.point
    where = f"{point.name}, {point.address}".strip(", ") if point else "-"
    facts = (
        (t.to, f"{inv.masked_name} - {rt_rw}"),
        (t.point, where),
        (t.when, _when(inv)),
        (t.receive, _receives(inv, lang)),
    )
    pdf.set_y(pdf.get_y() + 2)
    for label, value in facts:
        pdf.set_x(x + m)
        pdf.set_font("helvetica", "B", 8)
        pdf.cell(w, 4, latin1(label))
        pdf.set_xy(x + m, pdf.get_y() + 4)
        pdf.set_font("helvetica", "", 9)
        pdf.multi_cell(w, 4.2, latin1(value))
        pdf.set_y(pdf.get_y() + 1)
    pdf.set_x(x + m)
    pdf.set_font("helvetica", "I", 8)
    pdf.multi_cell(w, 3.8, t.bring)
    top = y + CARD_H - m - QR_SIZE - 14
    _qr(pdf, inv.code, x + m, top)
    pdf.set_xy(x + m + QR_SIZE + 4, top + 4)
    pdf.set_font("helvetica", "B", 8)
    pdf.cell(w - QR_SIZE - 4, 4, latin1(t.code))
    pdf.set_xy(x + m + QR_SIZE + 4, top + 10)
    pdf.set_font("courier", "B", 11)
    pdf.multi_cell(w - QR_SIZE - 4, 5.5, "\n".join(inv.grouped_code.split("-")))
    pdf.set_xy(x + m, y + CARD_H - m - 11)
    pdf.set_font("helvetica", "", 7)
    pdf.multi_cell(w, 3.4, t.check + "\n" + t.complain)


def invitations_pdf(round_, invitations: Iterable[Invitation], layout: str, lang: str) -> bytes:
    """Every invitation as one PDF: four A6 cards on each A4 page, or one per A6 page;
    a new page where the RT changes."""
    with force_locale(lang):
        texts = _Texts(round_, lang)
        four = layout == "a4"
        pdf = FPDF(format="A4" if four else (CARD_W, CARD_H))
        pdf.set_auto_page_break(False)
        pdf.set_title(texts.heading)
        pdf.set_fill_color(0, 0, 0)
        slot, place = 4, None
        for inv in invitations:
            if not four or slot == 4 or (inv.rw, inv.rt) != place:
                pdf.add_page()
                slot = 0
                if four:
                    pdf.set_draw_color(170, 170, 170)
                    pdf.set_dash_pattern(dash=2, gap=2)
                    pdf.line(CARD_W, 0, CARD_W, 297)
                    pdf.line(0, CARD_H, 210, CARD_H)
                    pdf.set_dash_pattern()
            place = (inv.rw, inv.rt)
            x, y = (slot % 2) * CARD_W, (slot // 2) * CARD_H
            _card(pdf, texts, inv, lang, x, y)
            slot += 1
        if pdf.page == 0:
            pdf.add_page()
            pdf.set_font("helvetica", "", 11)
            pdf.cell(0, 10, latin1(_("No household is due in this selection.")))
        return bytes(pdf.output())
