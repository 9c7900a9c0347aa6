"""No cell of any CSV or .xlsx file the portal writes is a formula (portal/spreadsheet.py).

Each writer gets the same hostile texts and its file is read back with the csv module or
openpyxl: no cell is a formula, no text cell starts with a trigger unescaped, and real
numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from portal import spreadsheet
from portal.extensions import db
from portal.participation import services as participation
from portal.participation.models import SurveyAnswer
from portal.registry.importing.services import table_file
from tests import training_helpers as th
from tests.test_csr import confirmed, make_company, make_need  # noqa: F401 (fixtures)
from tests.test_lists import published, village  # noqa: F401 (fixture)
from tests.test_participation import make_ballot, make_resident, make_survey

PAYLOADS = ["=1+1", "+1", "-1", "@x", "\t=1", "\r=1", '=HYPERLINK("http://evil")']
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# In a CSV every cell is text: a plain negative number there is a number, not a formula.
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _csv_cells(text: str, delimiter: str = ",") -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    return [cell for row in rows for cell in row]


def _xlsx_cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


def _assert_safe(cells: list, payloads=PAYLOADS) -> None:
    for cell in cells:
        if isinstance(cell, str) and not PLAIN_NUMBER.fullmatch(cell):
            assert not cell.startswith(TRIGGERS), repr(cell)
    for payload in payloads:
        assert "'" + payload in cells, f"{payload!r} is not kept as escaped text"


def test_safe_cell_escapes_text_and_keeps_numbers():
    for payload in PAYLOADS + ["\n=1", "\uff1d1+1"]:
        assert spreadsheet.safe_cell(payload) == "'" + payload
    assert spreadsheet.safe_cell(-1) == -1
    assert spreadsheet.safe_cell(-2.5) == -2.5
    assert spreadsheet.safe_cell(None) == ""
    assert spreadsheet.safe_cell("3201014508900001") == "3201014508900001"
    assert spreadsheet.safe_cell("Siti = Aminah") == "Siti = Aminah"


def test_registry_table_file_csv_and_xlsx(app):
    rows = [[p, -7, "3201014508900001"] for p in PAYLOADS]
    data, _mime, _name = table_file(["a", "b", "c"], iter(rows), "csv", "x")
    cells = _csv_cells(data.decode("utf-8"), ";")
    _assert_safe(cells)
    assert "-7" in cells and "3201014508900001" in cells
    data, _mime, _name = table_file(["a", "b", "c"], iter(rows), "xlsx", "x")
    cells = _xlsx_cells(data)
    _assert_safe(cells)
    assert -7 in cells, "a negative number stays a number"
    assert "3201014508900001" in cells, "a NIK stays text with all 16 digits"


def test_survey_answers_csv_and_xlsx(app, make_user):
    staff = make_user("operator")
    survey = make_survey(staff)
    q1, _q2, q3, q4 = (q.id for q in survey.questions)
    for n, payload in enumerate(PAYLOADS):
        participation.submit_response(
            survey.id, make_resident(), {q1: ["0"], q3: ["2"], q4: [f"jawaban {n}"]}
        )
        # As stored (the form strips spaces; an import or an older form may not).
        answer = db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.text == f"jawaban {n}"))
        answer.text = payload
    db.session.commit()
    _assert_safe(_csv_cells(participation.answers_csv(survey)))
    cells = _xlsx_cells(participation.answers_xlsx(survey))
    _assert_safe(cells)
    assert 2 in cells, "a number answer stays a number"


def test_ballot_results_csv(app, make_user):
    ballot = make_ballot(make_user("operator"))
    for option, payload in zip(ballot.options, PAYLOADS, strict=False):
        option.label_id = payload
    db.session.commit()
    text = participation.results_csv(ballot, "id")
    _assert_safe(_csv_cells(text), PAYLOADS[: len(ballot.options)])


def test_training_report_xlsx(client, login_as):
    for payload in PAYLOADS:
        th.session(th.course(title_id=payload, title_en=payload), seats=3)
    login_as("admin")
    cells = _xlsx_cells(client.get("/staf/pelatihan/laporan.xlsx").data)
    _assert_safe(cells)


def test_published_list_csv(village, make_user, client):  # noqa: F811
    period, version, *_ = published(village, make_user)
    period.benefit_id = "=1+1"
    db.session.commit()
    body = client.get(f"/daftar-penerima/{period.id}/versi/{version.number}.csv")
    cells = _csv_cells(body.get_data(as_text=True), ";")
    _assert_safe(cells, ["=1+1"])


def test_csr_open_data_csv(client, make_need, make_company, make_user):  # noqa: F811
    operator = make_user("operator")
    for payload in PAYLOADS:
        company = make_company(name=payload)
        confirmed(company, make_need(title_id="@" + payload), operator, amount=5)
    body = client.get("/csr/data/janji.csv").get_data(as_text=True)
    cells = _csv_cells(body)
    _assert_safe(cells)
    assert "5" in cells


def test_dates_stay_dates(app):
    day = date(2026, 12, 5)
    assert spreadsheet.safe_cell(day) == day
    cells = _xlsx_cells(spreadsheet.xlsx_bytes([("s", [["=x", day]])]))
    assert cells[0] == "'=x" and cells[1].date() == day
