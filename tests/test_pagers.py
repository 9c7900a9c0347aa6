"""Paged lists link to their next page: the pager of a page whose address holds an id
(a list period, an import) is given that id. A list period of more than a page of households
and an import of 60 rows show page 1 with a link to page 2, which opens; and every pager call
in the templates names the values its endpoint's address needs."""

from __future__ import annotations

import re
from pathlib import Path

from portal.registry.importing import services as registry
from tests.distribution_helpers import published_list
from tests.test_registry_import import SIAK_HEADER, TODAY, siak_row, xlsx_bytes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGER = re.compile(r"pager\(\s*\w+\s*,\s*'([\w.]+)'([^)]*)\)")


def test_every_pager_names_the_values_its_address_needs(app):
    calls = 0
    for path in TEMPLATES.rglob("*.html"):
        for endpoint, rest in PAGER.findall(path.read_text(encoding="utf-8")):
            calls += 1
            rules = list(app.url_map.iter_rules(endpoint))
            assert rules, f"{path.name}: no endpoint {endpoint}"
            for name in rules[0].arguments:
                assert re.search(rf"\b{name}\s*=", rest), f"{path.name}: {endpoint} needs {name}"
    assert calls >= 9


def test_a_list_period_of_many_households_pages_through_them(
    app, client, make_user, login_as, monkeypatch
):
    from portal.lists import manage

    monkeypatch.setattr(manage, "PER_PAGE", 5)  # the helper's list holds a few dozen
    period, _version, _operator, _head = published_list(make_user, households=120)
    login_as("operator")
    first = client.get(f"/staf/daftar-penerima/{period.id}")
    assert first.status_code == 200
    link = f"/staf/daftar-penerima/{period.id}?page=2"
    assert link in first.get_data(as_text=True)
    assert client.get(link).status_code == 200


def test_an_import_of_many_rows_pages_through_them(app, client, login_as, tmp_path):
    rows = [
        siak_row(f"32010112{n:08d}", f"99{n:014d}", f"WARGA NOMOR {n}", relation="Kepala Keluarga")
        for n in range(60)
    ]
    path = tmp_path / "siak.xlsx"
    path.write_bytes(xlsx_bytes({"Data Penduduk": [SIAK_HEADER, *rows]}))
    batch = registry.start_import(str(path), "siak.xlsx", actor=None, today=TODAY)
    login_as("operator")
    first = client.get(f"/staf/registrasi/impor/{batch.id}")
    assert first.status_code == 200
    link = f"/staf/registrasi/impor/{batch.id}?page=2"
    assert link in first.get_data(as_text=True)
    assert client.get(link).status_code == 200
