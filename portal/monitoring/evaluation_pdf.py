"""The evaluation as a PDF (fpdf2) for the village meeting, in the reader's language:
the indicators against the year's targets, the staff's texts and the residents' view.
No figure for a group under five (shown as "<5")."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal.i18n import current_lang, number
from portal.pdf import latin1


def _figure(f) -> str:
    if f is None or (f.value is None and not f.small):
        return "-"
    return "<5" if f.small else number(f.value)


def evaluation_pdf(subj, rows, evaluation, survey) -> bytes:
    lang = current_lang()
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    title = _("Evaluation: %(what)s", what=subj.title(lang))
    pdf.set_title(latin1(title))
    pdf.set_creator(latin1(current_app.config["VILLAGE_NAME"]))
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 8, latin1(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 10)
    pdf.cell(0, 6, latin1(current_app.config["VILLAGE_NAME"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _heading(pdf, _("Indicators against the targets of %(year)d", year=subj.year))
    _indicators(pdf, rows, subj.year, lang)
    for name, label in (
        ("went_well", _("What went well")),
        ("went_badly", _("What did not go well")),
        ("changes", _("What changes")),
    ):
        _heading(pdf, label)
        body = evaluation.text(name, lang) if evaluation else ""
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(0, 5, latin1(body or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _heading(pdf, _("The residents' view"))
    _survey(pdf, survey, lang)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 12)
    pdf.cell(0, 7, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _indicators(pdf: FPDF, rows, year: int, lang: str) -> None:
    if not rows:
        pdf.set_font("helvetica", "", 10)
        pdf.cell(0, 6, latin1(_("No indicator has been set up yet.")), new_x=XPos.LMARGIN)
        pdf.ln(6)
        return
    pdf.set_font("helvetica", "", 9)
    with pdf.table(col_widths=(18, 82, 16, 29, 29), text_align="LEFT") as table:
        head = table.row()
        for text in (_("Code"), _("Indicator"), _("Unit"), str(year), _("Target")):
            head.cell(latin1(text))
        for row in rows:
            ind = row.indicator
            name = (ind.name_en if lang == "en" and ind.name_en else ind.name_id) or ""
            target = row.targets.get(year)
            line = table.row()
            for text in (
                ind.code,
                name,
                ind.unit,
                _figure(row.values.get(year)),
                "-" if target is None else number(target),
            ):
                line.cell(latin1(text))


def _survey(pdf: FPDF, survey, lang: str) -> None:
    pdf.set_font("helvetica", "", 10)
    if survey is None:
        pdf.cell(0, 6, latin1(_("No survey is linked to this evaluation.")), new_x=XPos.LMARGIN)
        pdf.ln(6)
        return
    if not survey.enough:
        text = _("Fewer than five residents have answered: no summary is shown yet.")
        pdf.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.cell(
        0,
        6,
        latin1(_("Answers: %(n)s", n=number(survey.answered))),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    for question, _answered, counts in survey.questions:
        text = (question.text_en if lang == "en" and question.text_en else question.text_id) or ""
        pdf.set_font("helvetica", "B", 10)
        pdf.multi_cell(0, 5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("helvetica", "", 10)
        for choice, n in zip(question.choice_list(lang), counts, strict=False):
            shown = "<5" if n is None else number(n)
            pdf.cell(0, 5, latin1(f"  {choice}: {shown}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
