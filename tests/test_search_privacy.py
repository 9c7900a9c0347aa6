"""NIKs, KK and phone numbers stay out of URLs; exports of personal numbers are for
operators and admins; pages that show full numbers are audited.

The searches are POSTs kept by id in the session (portal/searches.py): no Location, no
HX-Replace-Url and no link or form address of any page carries the digits searched.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from portal.audit import services as audit
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.registry.importing import services as import_services
from tests.test_registry_import import (
    BUDI,
    KK_A,
    SIAK_HEADER,
    TODAY,
    run_import,
    siak_rows,
    write,  # noqa: F401 (fixture)
    xlsx_bytes,
)
from tests.test_registry_views import home  # noqa: F401 (fixture)
from tests.test_residents import _pending, resident, villager  # noqa: F401 (fixture)

KK_HOME = "3201012503100004"  # the `home` fixture's family card
URL_ATTRS = re.compile(r'(?:href|action|hx-get|hx-post|hx-push-url|src)="([^"]*)"')


def text(response) -> str:
    return response.get_data(as_text=True)


def _addresses(response) -> list[str]:
    found = URL_ATTRS.findall(text(response))
    found += [response.headers.get(h, "") for h in ("Location", "HX-Replace-Url", "HX-Push-Url")]
    return found


def _no_digits_in_urls(response, digits: str) -> None:
    for url in _addresses(response):
        assert digits not in url, url


def _entries(action, object_type):
    stmt = select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_type == object_type
    )
    return list(db.session.scalars(stmt))


# --- item 2: numbers out of URLs -----------------------------------------------------


@pytest.mark.parametrize("words", [KK_HOME, KK_HOME[:8], "3201 0125 0310 0004"])
def test_a_registry_search_by_number_keeps_it_out_of_every_url(client, login_as, home, words):  # noqa: F811
    login_as("operator")
    digits = re.sub(r"\D", "", words)[:8]
    posted = client.post("/staf/registrasi/", data={"q": words})
    assert posted.status_code == 303
    _no_digits_in_urls(posted, digits)
    page = client.get(posted.headers["Location"])
    assert "Budi Santoso" in text(page) and f'value="{words}"' in text(page)
    _no_digits_in_urls(page, digits)
    assert "hx-push-url" not in text(page).split("<form", 1)[1].split(">", 1)[0]
    swapped = client.post("/staf/registrasi/", data={"q": words}, headers={"HX-Request": "true"})
    assert "Budi Santoso" in text(swapped)
    _no_digits_in_urls(swapped, digits)
    # An old link with the number in it is sent on without it.
    old = client.get("/staf/registrasi/?q=" + words)
    assert old.status_code == 303
    _no_digits_in_urls(old, digits)
    assert "Budi Santoso" in text(client.get(old.headers["Location"]))


def test_a_search_id_is_only_good_in_the_session_that_made_it(client, login_as, home):  # noqa: F811
    login_as("operator")
    location = client.post("/staf/registrasi/", data={"q": "santoso"}).headers["Location"]
    assert "santoso" not in location
    assert "Budi Santoso" in text(client.get(location + "&page=1"))
    with client.session_transaction() as session:
        session.pop("searches")  # another browser, or a session that has ended
    page = text(client.get(location))
    assert 'value="santoso"' not in page and "Budi Santoso" in page  # the plain list


def test_resident_account_search_by_phone_keeps_it_out_of_urls(client, login_as, make_user):
    resident(make_user, name="Wati Pemilik", phone="+6281299887766")
    login_as("operator")
    posted = client.post("/staf/warga/", data={"q": "081299887766"})
    assert posted.status_code == 303
    _no_digits_in_urls(posted, "99887766")
    page = client.get(posted.headers["Location"])
    assert "Wati Pemilik" in text(page)
    _no_digits_in_urls(page, "99887766")
    assert 'method="post"' in text(page)
    old = client.get("/staf/warga/?q=081299887766")
    assert old.status_code == 303 and "99887766" not in old.headers["Location"]


def test_candidate_and_assisted_searches_keep_the_nik_out_of_urls(
    client,
    login_as,
    make_user,
    villager,  # noqa: F811
):
    user = _pending(make_user, villager)
    login_as("operator")
    digits = villager.nik[:10]
    posted = client.post(f"/staf/warga/{user.id}/cari", data={"q": digits})
    assert posted.status_code == 303
    _no_digits_in_urls(posted, digits)
    page = client.get(posted.headers["Location"] + "&lang=en")
    assert "This is the person: verify" in text(page)
    _no_digits_in_urls(page, digits)
    posted = client.post("/staf/warga/baru/cari", data={"q": digits})
    _no_digits_in_urls(posted, digits)
    page = client.get(posted.headers["Location"])
    assert "Siti Aminah" in text(page)
    _no_digits_in_urls(page, digits)


def test_the_audit_log_masks_numbers_typed_as_search_words():
    assert audit.mask_query("32010145") == "3201****"
    assert audit.mask_query("budi 0812-3456-7890") == "budi 0812********"
    assert audit.mask_query("3201012503100004") == "3201********0004"
    assert audit.mask_query("rt 3/2") == "rt 3/2"
    masked = audit.mask_numbers({"filters": {"q": "081234567890", "rt": 3}, "amount": "12500000"})
    assert masked == {"filters": {"q": "0812********", "rt": 3}, "amount": "12500000"}


def test_an_export_of_a_number_search_is_audited_with_the_number_masked(
    client,
    login_as,
    home,  # noqa: F811
):
    login_as("operator")
    response = client.post(
        "/staf/registrasi/ekspor/unduh",
        data={"isi": "households", "format": "csv", "q": KK_HOME[:10]},
    )
    assert response.status_code == 200 and KK_HOME in response.get_data(as_text=True)
    (entry,) = _entries("export", "household")
    assert entry.after["filters"]["q"] == "3201******"


def test_record_keeps_search_words_masked(app):
    entry = audit.record("search", "person", after={"q": "3201014508"})
    assert entry.after == {"q": "3201******"}


# --- item 3: exports for operators and admins; full numbers shown are audited ---------


def test_auditors_get_no_export_with_personal_numbers(app, client, login_as, write):  # noqa: F811
    batch = run_import(write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})))
    login_as("auditor")
    assert client.get("/staf/registrasi/ekspor").status_code == 403
    data = {"isi": "people", "format": "xlsx"}
    assert client.post("/staf/registrasi/ekspor/unduh", data=data).status_code == 403
    assert client.get(f"/staf/registrasi/impor/{batch.id}/ditolak.csv").status_code == 403
    page = text(client.get("/staf/registrasi/"))
    assert "/staf/registrasi/ekspor" not in page
    assert _entries("export", "person") == []
    for role in ("operator", "admin"):
        login_as(role)
        response = client.post("/staf/registrasi/ekspor/unduh", data=data)
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        assert BUDI in {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(_entries("export", "person")) == 2


def test_the_registry_list_shows_kk_numbers_masked(client, login_as, home):  # noqa: F811
    login_as("auditor")
    page = text(client.get("/staf/registrasi/?rt=3"))
    assert "Budi Santoso" in page and KK_HOME not in page and "3201********0004" in page


@pytest.mark.parametrize("role", ["operator", "auditor"])
def test_the_import_preview_writes_an_audit_row_with_masked_numbers(
    app,
    client,
    login_as,
    write,  # noqa: F811
    role,
):
    path = write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]}))
    batch_id = import_services.start_import(path, "siak.xlsx", actor=None, today=TODAY).id
    login_as(role)
    page = client.get(f"/staf/registrasi/impor/{batch_id}")
    assert BUDI in text(page)  # the preview shows the file's numbers in full
    (entry,) = _entries("view", "import_batch")
    assert entry.object_id == str(batch_id)
    assert BUDI not in str(entry.after) and KK_A not in str(entry.after)
    assert BUDI[:4] + "********" + BUDI[-4:] in entry.after["numbers"]


def test_the_household_edit_form_writes_an_audit_row(client, login_as, home):  # noqa: F811
    login_as("operator")
    page = client.get(f"/staf/registrasi/rumah-tangga/{home.id}/ubah")
    assert KK_HOME in text(page)
    (entry,) = _entries("view", "household")
    assert entry.object_id == str(home.id)
    assert entry.after == {"kk_number": "3201********0004"}
