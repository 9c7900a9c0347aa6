"""Posters (A4) and flyers (A6) for the RT notice boards and the mosque: a title in
large type, a few lines, and a QR code to the page (segno), printed with fpdf2.

What a poster says comes from the feature that owns the page, through
`hooks.register_poster`; this module only lays it out. fpdf2's built-in Helvetica
covers Latin-1 (portal/pdf.py), enough for Indonesian and English.
"""

from __future__ import annotations

import io

import segno
from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.notify.hooks import PosterContent
from portal.notify.services.common import absolute
from portal.pdf import latin1

SIZES = {
    # format, margin, title, text and footer font sizes (pt), QR side (mm)
    "a4": ("A4", 18, 40, 20, 12, 90),
    "a6": ((105, 148), 7, 18, 10, 7, 48),  # fpdf2 knows no "A6" by name
}


def render(content: PosterContent, size: str) -> bytes:
    """The PDF of a poster ("a4") or a flyer ("a6")."""
    page, margin, title_pt, text_pt, small_pt, qr_mm = SIZES[size]
    url = absolute(content.path)
    pdf = FPDF(format=page)
    pdf.set_title(latin1(content.title))
    pdf.set_margins(margin, margin, margin)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 2 * margin
    pdf.set_font("Helvetica", "", small_pt)
    pdf.cell(
        width,
        small_pt * 0.5,
        latin1(current_app.config["VILLAGE_NAME"]),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(small_pt * 0.3)
    pdf.set_font("Helvetica", "B", title_pt)
    pdf.multi_cell(
        width, title_pt * 0.45, latin1(content.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(text_pt * 0.3)
    pdf.set_font("Helvetica", "", text_pt)
    for line in content.lines[:8]:
        pdf.multi_cell(width, text_pt * 0.5, latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(text_pt * 0.15)
    qr = io.BytesIO()
    segno.make(url, error="m").save(qr, kind="png", scale=10, border=2)
    qr.seek(0)
    top = max(pdf.get_y() + 4, pdf.h - margin - qr_mm - small_pt * 1.6)
    pdf.image(qr, x=(pdf.w - qr_mm) / 2, y=top, w=qr_mm, h=qr_mm)
    pdf.set_xy(margin, top + qr_mm + 1)
    pdf.set_font("Helvetica", "", small_pt)
    pdf.multi_cell(
        width,
        small_pt * 0.45,
        latin1(_("Scan the code or open %(url)s", url=url)),
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
