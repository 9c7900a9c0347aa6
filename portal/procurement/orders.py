"""The purchase order (surat pesanan) as a PDF (fpdf2), in Indonesian, the language of
the village's procurement papers."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.i18n import day, money, number
from portal.pdf import latin1
from portal.procurement.models import METHODS, PACKAGING, Purchase


def purchase_order_pdf(purchase: Purchase) -> bytes:
    """The order: number, date, supplier, method, the lines with prices and packaging,
    the total and the place for signatures."""
    with force_locale("id"):
        return _render(purchase)


def _render(purchase: Purchase) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    village = current_app.config["VILLAGE_NAME"]
    pdf.set_title(latin1(_("Purchase order %(n)s", n=purchase.id)))
    pdf.set_creator(latin1(village))
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(
        0, 9, latin1(_("Purchase order %(n)s", n=purchase.id)), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, latin1(village), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    supplier = purchase.supplier
    facts = [
        (_("Title"), purchase.title),
        (_("Ordered on"), day(purchase.ordered_on)),
        (_("Supplier"), supplier.name),
        (_("Address"), ", ".join(x for x in (supplier.address, supplier.village_name) if x)),
        (_("Business number (NIB)"), supplier.nib or "-"),
        (_("Procurement method"), str(METHODS[purchase.method])),
        (_("Why this supplier"), purchase.choice_reason),
    ]
    for label, value in facts:
        pdf.set_font("helvetica", "B", 10)
        pdf.cell(50, 6, latin1(label))
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(0, 6, latin1(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _lines(pdf, purchase)
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(
        0,
        7,
        latin1(f"{_('Total')}: {money(purchase.total, 'id')}"),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(14)
    pdf.set_font("helvetica", "", 10)
    pdf.cell(85, 6, latin1(_("For the village")))
    pdf.cell(0, 6, latin1(_("For the supplier")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(18)
    pdf.cell(85, 6, "(................................)")
    pdf.cell(0, 6, "(................................)", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _lines(pdf: FPDF, purchase: Purchase) -> None:
    with pdf.table(col_widths=(50, 22, 30, 30, 42), text_align="LEFT") as table:
        head = table.row()
        for title in (_("Item"), _("Quantity"), _("Unit price"), _("Amount"), _("Packaging")):
            head.cell(latin1(title))
        for line in purchase.lines:
            row = table.row()
            row.cell(latin1(line.name))
            row.cell(latin1(f"{number(line.quantity_milli / 1000, 'id')} {line.unit}"))
            row.cell(latin1(money(line.unit_price, "id")))
            row.cell(latin1(money(line.amount, "id")))
            row.cell(latin1(str(PACKAGING[line.packaging]).split(" (")[0]))
