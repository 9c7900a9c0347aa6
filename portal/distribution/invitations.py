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
from fpdf.enums import RenderStyle

from portal.distribution.services.common import quantity_text
from portal.distribution.services.invitations import Invitation
from portal.i18n import localized, money
from portal.pdf import latin1

CARD_W, CARD_H = 105.0, 148.5
LAYOUTS = ("a4", "a6")
QR_SIZE = 34.0
FILL = RenderStyle.F


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
    """The code as a QR code, each row's dark runs drawn as one filled rectangle. A
    grouped code (19 letters, digits and dashes) fits version 1 at level M; the mask is
    fixed, which any scanner reads, instead of segno trying all eight (8 times slower)."""
    fits = len(code) <= 20
    qr = segno.make_qr(
        code, error="m", version=1 if fits else None, mask=2 if fits else None, boost_error=False
    )
    rows = list(qr.matrix_iter(scale=1, border=0))
    cell = QR_SIZE / len(rows)
    for r, row in enumerate(rows):
        start = None
        for c, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                pdf.rect(x + start * cell, y + r * cell, (c - start) * cell, cell, style=FILL)
                start = None


def _width(pdf: FPDF, text: str) -> float:
    widths = pdf.current_font.cw
    return sum(widths.get(ch, 600) for ch in text) * pdf.font_size / 1000


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap in the current font (fpdf2's multi_cell is ten times slower,
    which counts at 2,000 cards); a word wider than the line is cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}" if line else word
            if _width(pdf, trial) <= width:
                line = trial
                continue
            if line:
                lines.append(line)
            while _width(pdf, word) > width:
                cut = len(word)
                while cut > 1 and _width(pdf, word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _put(pdf: FPDF, x: float, y: float, lines: list[str], leading: float) -> float:
    """Write `lines` from the top `y` (baselines one `leading` apart); the next top."""
    for line in lines:
        y += leading
        if line:
            pdf.text(x, y - leading * 0.25, line)
    return y


class _Texts:
    """The fixed words of a card in the print's language, looked up (and wrapped) once
    per print."""

    def __init__(self, round_, lang: str):
        self.village = latin1(current_app.config["VILLAGE_NAME"])
        self.heading = latin1(_("Invitation to collect aid"))
        self.title = latin1(localized(round_, "title", lang))
        self.to = latin1(_("For"))
        self.point = latin1(_("Where"))
        self.when = latin1(_("When"))
        self.receive = latin1(_("You receive"))
        self.bring = latin1(
            _(
                "Bring your KTP or family card (KK) and this invitation. Nobody may ask "
                "you for money or take a part of your aid."
            )
        )
        self.code = latin1(_("Your code"))
        self.check = latin1(
            _("Check your household at %(url)s", url=url_for("lists.self_check", _external=True))
        )
        # The village office's number (WhatsApp first), as on the complaint poster.
        config = current_app.config
        phone = config.get("VILLAGE_WHATSAPP") or config.get("VILLAGE_PHONE")
        complaint = url_for("complaints.new", _external=True)
        self.complain = latin1(
            _("Complaints: %(url)s", url=complaint)
            + (" / " + _("phone %(phone)s", phone=phone) if phone else "")
        )
        # After the round, the households answer its survey with the code above.
        self.survey = latin1(
            _(
                "After the distribution, tell us how it went: %(url)s with your code",
                url=url_for("participation.code_survey", _external=True),
            )
        )
        self._wrapped: dict[tuple, list[str]] = {}

    def wrapped(self, pdf: FPDF, text: str, width: float) -> list[str]:
        key = (text, pdf.font_family, pdf.font_style, pdf.font_size_pt, width)
        if key not in self._wrapped:
            self._wrapped[key] = _wrap(pdf, text, width)
        return self._wrapped[key]


def _facts(t: _Texts, inv: Invitation, lang: str) -> tuple:
    rt_rw = f"RT {inv.rt:03d}" + (f" / RW {inv.rw:03d}" if inv.rw is not None else "")
    point = inv.point
    where = f"{point.name}, {point.address}".strip(", ") if point else "-"
    return (
        (t.to, f"{inv.masked_name} - {rt_rw}"),
        (t.point, where),
        (t.when, _when(inv)),
        (t.receive, _receives(inv, lang)),
    )


def _card(pdf: FPDF, t: _Texts, inv: Invitation, lang: str, x: float, y: float) -> None:
    m, w = 7.0, CARD_W - 14.0
    left = x + m
    pdf.set_font("helvetica", "", 8)
    top = _put(pdf, left, y + m, [t.village], 4)
    pdf.set_font("helvetica", "B", 12)
    top = _put(pdf, left, top, [t.heading], 6)
    pdf.set_font("helvetica", "", 9)
    top = _put(pdf, left, top, t.wrapped(pdf, t.title, w), 4) + 2
    for label, value in _facts(t, inv, lang):
        pdf.set_font("helvetica", "B", 8)
        top = _put(pdf, left, top, [label], 4)
        pdf.set_font("helvetica", "", 9)
        top = _put(pdf, left, top, _wrap(pdf, latin1(value), w), 4.2) + 1
    pdf.set_font("helvetica", "I", 8)
    _put(pdf, left, top, t.wrapped(pdf, t.bring, w), 3.8)
    pdf.set_font("helvetica", "", 7)
    footer = t.wrapped(pdf, "\n".join((t.check, t.complain, t.survey)), w)
    top = y + CARD_H - m - QR_SIZE - 3.4 * len(footer) - 4
    _qr(pdf, inv.code, left, top)
    pdf.set_font("helvetica", "B", 8)
    _put(pdf, left + QR_SIZE + 4, top + 4, [t.code], 4)
    pdf.set_font("courier", "B", 11)
    _put(pdf, left + QR_SIZE + 4, top + 9, inv.grouped_code.split("-"), 5.5)
    pdf.set_font("helvetica", "", 7)
    _put(pdf, left, y + CARD_H - m - 3.4 * len(footer), footer, 3.4)


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
