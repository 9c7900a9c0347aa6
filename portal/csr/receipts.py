"""PDF acknowledgements (fpdf2) for confirmed pledges and deliveries.

Each carries its verification code and the address of the public verify page, and is
written in the company's language (not the language of whoever downloads it).
fpdf2's built-in Helvetica covers Latin-1, which is all Indonesian and English need;
any other character in a company's or need's name is shown by its closest Latin-1 form.
"""

from __future__ import annotations

from datetime import UTC

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.csr.models import NEED_KINDS, Delivery, Pledge
from portal.i18n import localized, money, number
from portal.pdf import latin1


def amount_text(pledge: Pledge, amount: int, lang: str) -> str:
    """An amount in the pledge's unit: rupiah for money, else a number and the unit."""
    if pledge.kind == "money":
        return money(amount, lang)
    unit = ""
    if pledge.need is not None:
        unit = str(localized(pledge.need, "unit", lang))
    elif pledge.unit:
        unit = pledge.unit
    return f"{number(amount, lang)} {unit}".strip()


class _Receipt(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.set_margins(20, 20, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_title(latin1(title))
        self.set_creator(latin1(current_app.config["VILLAGE_NAME"]))
        self.add_page()

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font("helvetica", "B", size)
        self.multi_cell(0, size * 0.55, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def para(self, text: str) -> None:
        self.set_font("helvetica", "", 11)
        self.multi_cell(0, 6, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def fact(self, label: str, value) -> None:
        self.set_font("helvetica", "B", 11)
        self.cell(55, 7, latin1(label))
        self.set_font("helvetica", "", 11)
        self.multi_cell(0, 7, latin1(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def code(self, code: str, verify_url: str) -> None:
        self.ln(6)
        self.set_draw_color(11, 93, 59)
        self.set_line_width(0.6)
        top = self.get_y()
        self.set_font("helvetica", "", 10)
        self.multi_cell(0, 6, latin1(_("Verification code")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("courier", "B", 18)
        self.multi_cell(0, 10, code, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font("helvetica", "", 10)
        self.multi_cell(
            0,
            5,
            latin1(
                _(
                    "Anyone can check that this acknowledgement is genuine at %(url)s by "
                    "entering the code above.",
                    url=verify_url,
                )
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.rect(17, top - 3, self.w - 34, self.get_y() - top + 6)


def _date(value, lang):
    if value is None:
        return "-"
    if hasattr(value, "tzinfo") and getattr(value, "hour", None) is not None:
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return format_date(value, "long")


def _output(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def pledge_receipt(pledge: Pledge, verify_url: str) -> bytes:
    """The acknowledgement of a confirmed pledge, in the company's language."""
    if not pledge.receipt_code:
        raise ValueError("only a confirmed pledge has an acknowledgement")
    lang = pledge.company.locale
    village = current_app.config["VILLAGE_NAME"]
    with force_locale(lang):
        pdf = _Receipt(_("Acknowledgement of pledge"))
        pdf.heading(village, 12)
        pdf.heading(_("Acknowledgement of pledge"))
        pdf.para(
            _(
                "%(village)s thanks %(company)s for the following pledge, confirmed by the "
                "village office. Its delivery is shown in public on the portal's board of "
                "village needs.",
                village=village,
                company=pledge.company.name,
            )
        )
        pdf.fact(_("Company"), pledge.company.name)
        pdf.fact(_("Need"), localized(pledge.need, "title", lang) if pledge.need else "-")
        pdf.fact(_("Kind"), NEED_KINDS[pledge.kind])
        pdf.fact(_("Pledged"), amount_text(pledge, pledge.amount, lang))
        if pledge.kind != "money" and pledge.value:
            pdf.fact(_("Estimated value"), money(pledge.value, lang))
        pdf.fact(_("Pledged on"), _date(pledge.created_at, lang))
        pdf.fact(_("Confirmed on"), _date(pledge.confirmed_at, lang))
        if pledge.expected_on:
            pdf.fact(_("Expected by"), _date(pledge.expected_on, lang))
        if pledge.conditions:
            pdf.fact(_("Conditions"), pledge.conditions)
        pdf.fact(_("Pledge number"), f"#{pledge.id}")
        pdf.code(pledge.receipt_code, verify_url)
        return _output(pdf)


def delivery_receipt(delivery: Delivery, verify_url: str, delivered_until: int) -> bytes:
    """The acknowledgement of one delivery; `delivered_until` is the pledge's total
    including this delivery (partial deliveries add up)."""
    pledge = delivery.pledge
    lang = pledge.company.locale
    village = current_app.config["VILLAGE_NAME"]
    with force_locale(lang):
        pdf = _Receipt(_("Acknowledgement of delivery"))
        pdf.heading(village, 12)
        pdf.heading(_("Acknowledgement of delivery"))
        pdf.para(
            _(
                "%(village)s acknowledges receipt of the following delivery from "
                "%(company)s, with thanks.",
                village=village,
                company=pledge.company.name,
            )
        )
        pdf.fact(_("Company"), pledge.company.name)
        pdf.fact(_("Need"), localized(pledge.need, "title", lang) if pledge.need else "-")
        pdf.fact(_("Delivered"), amount_text(pledge, delivery.amount, lang))
        pdf.fact(_("Delivered on"), _date(delivery.delivered_on, lang))
        pdf.fact(_("Recorded by"), delivery.recorded_by_name or "-")
        pdf.fact(
            _("Pledge"),
            _(
                "#%(id)d: %(done)s of %(total)s delivered",
                id=pledge.id,
                done=amount_text(pledge, delivered_until, lang),
                total=amount_text(pledge, pledge.amount, lang),
            ),
        )
        if delivery.note:
            pdf.fact(_("Note"), delivery.note)
        pdf.code(delivery.receipt_code, verify_url)
        return _output(pdf)
