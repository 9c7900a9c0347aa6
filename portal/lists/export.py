"""The printable notice-board PDF (fpdf2) and the CSV download of a published version.

The public PDF and CSV carry only what the board shows: the masked name, RT/RW,
programme and what is given, whatever the settings. Never a NIK, KK number, birth date
or address: the version rows do not hold them. The print with full names, where the
village decides so (LISTS_PRINT_FULL_NAMES), is a staff download (`full=True`, see
`portal/lists/prints.py`), never a public one.

A published version never changes, so its public PDF and CSV are made once per version
and language and kept in `instance/filecache/` (`portal.filecache`); the key also holds
a digest of what else goes into the file (the period's and the programme's last edit,
the village name, the PDF settings), so editing a period's title makes a new file.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal import filecache, spreadsheet
from portal.i18n import localized, money
from portal.lists import services
from portal.lists.models import ListPeriod, ListVersion
from portal.pdf import latin1

# Change when the layout of the files changes: the kept files are then made afresh.
FORMAT = "1"


def full_names_allowed() -> bool:
    return bool(current_app.config.get("LISTS_PRINT_FULL_NAMES"))


def _kept(ext: str, period: ListPeriod, version: ListVersion, lang: str, make) -> bytes:
    compress = current_app.config.get("LISTS_PDF_COMPRESS", True)
    family = f"{period.id}-v{version.number}-{lang}-"
    extra = filecache.digest(
        FORMAT,
        version.id,
        period.updated_at,
        period.programme.updated_at,
        current_app.config["VILLAGE_NAME"],
        compress if ext == "pdf" else None,
    )
    path = filecache.path_for(f"lists-{ext}", f"{family}{extra}.{ext}")
    return filecache.kept(path, make, family=family)


def public_pdf(period: ListPeriod, version: ListVersion, lang: str) -> bytes:
    """The public notice-board PDF (masked names), made once per version and language."""
    compress = current_app.config.get("LISTS_PDF_COMPRESS", True)
    return _kept(
        "pdf", period, version, lang, lambda: version_pdf(period, version, lang, compress=compress)
    )


def public_csv(period: ListPeriod, version: ListVersion, lang: str) -> bytes:
    """The public CSV (masked names), made once per version and language."""
    return _kept(
        "csv", period, version, lang, lambda: version_csv(period, version, lang).encode("utf-8")
    )


def _header(period: ListPeriod, version: ListVersion, lang: str) -> list[tuple[str, str]]:
    facts = [
        (_("Programme"), str(localized(period.programme, "name", lang))),
        (
            _("Period"),
            f"{format_date(period.starts_on, 'long')} - {format_date(period.ends_on, 'long')}",
        ),
        (_("Each household receives"), str(localized(period, "benefit", lang))),
        (_("Version"), str(version.number)),
        (_("Households"), str(version.households)),
        (
            _("Decided at the special village meeting of"),
            format_date(version.decision.held_on, "long"),
        ),
        (_("Objections until"), format_date(version.objection_until, "long")),
    ]
    if period.amount is not None:
        facts.insert(3, (_("Cash per household"), money(period.amount, lang)))
    return facts


def version_pdf(
    period: ListPeriod,
    version: ListVersion,
    lang: str,
    *,
    compress: bool = True,
    full: bool = False,
) -> bytes:
    """The list for the village notice board, one line per household, totals per RT/RW.

    Masked names; full names only with `full=True`, for the staff print."""
    pdf = FPDF(format="A4")
    pdf.compress = compress
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    title = str(localized(period, "title", lang))
    pdf.set_title(latin1(title))
    pdf.set_creator(latin1(current_app.config["VILLAGE_NAME"]))
    pdf.add_page()
    pdf.set_font("helvetica", "B", 12)
    pdf.multi_cell(
        0, 6, latin1(current_app.config["VILLAGE_NAME"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(
        0,
        8,
        latin1(_("Recipient list: %(title)s", title=title)),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(2)
    for label, value in _header(period, version, lang):
        pdf.set_font("helvetica", "B", 10)
        pdf.cell(70, 6, latin1(label))
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(0, 6, latin1(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(15, 7, latin1(_("No.")), border=1)
    pdf.cell(115, 7, latin1(_("Name")), border=1)
    pdf.cell(0, 7, latin1(_("RT/RW")), border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 10)
    for i, row in enumerate(services.version_rows(version), start=1):
        name = row.full_name if full else row.masked_name
        pdf.cell(15, 6, str(i), border=1)
        pdf.cell(115, 6, latin1(name), border=1)
        pdf.cell(0, 6, latin1(row.rt_rw), border=1, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 11)
    pdf.multi_cell(0, 7, latin1(_("Totals per RT/RW")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", "", 10)
    for total in services.totals(version, period.amount):
        line = f"{total.rt_rw}: {total.households}"
        if total.amount is not None:
            line += f" ({money(total.amount, lang)})"
        pdf.multi_cell(0, 6, latin1(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.multi_cell(
        0,
        5,
        latin1(
            _(
                "Anyone may object to this list at the village office or on the portal until "
                "the date above. NIK, family card numbers, birth dates and addresses are "
                "never published."
            )
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def version_csv(period: ListPeriod, version: ListVersion, lang: str) -> str:
    """The published version as CSV: masked name, RT, RW, programme, what is given."""
    programme = str(localized(period.programme, "name", lang))
    benefit = str(localized(period, "benefit", lang))
    rows = [[_("Name"), _("RT"), _("RW"), _("Programme"), _("Each household receives")]]
    for row in services.version_rows(version):
        rows.append([row.masked_name, row.rt, row.rw or "", programme, benefit])
    return spreadsheet.csv_text(rows, delimiter=";")
