"""Registry and audit-log pages: roles, forms, htmx, the audit trail, and no personal
numbers on public pages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import event, func, select

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.models_base import village_today
from portal.registry import services
from portal.registry.models import Household, Person
from tests import factories
from tests.registry_helpers import household, person

TODAY = village_today()  # the services' today (WIB), also after 17:00 UTC


def text(response) -> str:
    return response.get_data(as_text=True)


def entries(action, object_type=None):
    stmt = select(AuditEntry).where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    return list(db.session.scalars(stmt))


@pytest.fixture
def home(app):
    item = household(kk_number="3201012503100004", rt=3, rw=2, desil=2)
    person(item, "Budi Santoso", born=date(1970, 1, 5))
    person(item, "Rina Santoso", born=date(2012, 9, 9), sex="female", relation="child")
    db.session.commit()
    return item


def registry_urls(home_id: int, person_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", "/staf/registrasi/"),
        ("GET", "/staf/registrasi/peringatan"),
        ("GET", "/staf/registrasi/duplikat"),
        ("GET", f"/staf/registrasi/rumah-tangga/{home_id}"),
        ("GET", "/staf/audit/"),
        ("GET", "/staf/registrasi/rumah-tangga/baru"),
        ("POST", "/staf/registrasi/rumah-tangga/baru"),
        ("GET", f"/staf/registrasi/rumah-tangga/{home_id}/ubah"),
        ("POST", f"/staf/registrasi/rumah-tangga/{home_id}/anggota-baru"),
        ("GET", f"/staf/registrasi/warga/{person_id}/ubah"),
        ("POST", f"/staf/registrasi/warga/{person_id}/pindah"),
        ("POST", f"/staf/registrasi/rumah-tangga/{home_id}/kepesertaan"),
    ]


def test_anonymous_users_are_sent_to_login(client, home):
    for method, url in registry_urls(home.id, home.members[0].id):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["resident", "partner", "trainer"])
def test_non_staff_roles_get_403(client, login_as, home, role):
    login_as(role)
    for method, url in registry_urls(home.id, home.members[0].id):
        assert client.open(url, method=method).status_code == 403, (role, url)


def test_auditor_reads_but_cannot_change(client, login_as, home):
    login_as("auditor")
    urls = registry_urls(home.id, home.members[0].id)
    for method, url in urls[:5]:
        assert client.open(url, method=method).status_code == 200, url
    for method, url in urls[5:]:
        assert client.open(url, method=method).status_code == 403, url
    page = text(client.get(f"/staf/registrasi/rumah-tangga/{home.id}"))
    assert "Budi Santoso" in page and "/ubah" not in page  # no edit links for auditors


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operator_and_admin_can_edit(client, login_as, home, role):
    login_as(role)
    for method, url in registry_urls(home.id, home.members[0].id):
        if method == "GET":
            assert client.get(url).status_code == 200, url
    response = client.post(
        f"/staf/registrasi/rumah-tangga/{home.id}/ubah",
        data={
            "address": "Jl. Melati No. 9",
            "rt": "4",
            "rw": "2",
            "kk_number": home.kk_number,
            "kk_reason": "moved",
            "bps_floor": "1",
            "bps_wall": "0",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Household, home.id)
    assert (changed.address, changed.rt, changed.bps_floor, changed.bps_wall) == (
        "Jl. Melati No. 9",
        4,
        True,
        False,
    )
    assert changed.bps_toilet is None
    (update,) = entries("update", "household")
    assert update.before["address"] == "Jl. Mawar No. 1"
    assert update.after["address"] == "Jl. Melati No. 9"


def test_opening_a_household_record_is_audited(client, login_as, home):
    auditor = login_as("auditor")
    assert entries("view") == []
    response = client.get(f"/staf/registrasi/rumah-tangga/{home.id}")
    assert response.status_code == 200
    (view,) = entries("view", "household")
    assert (view.actor_id, view.object_id) == (auditor.id, str(home.id))


def test_household_page_shows_members_score_reasons_history_and_warnings(client, login_as):
    food = factories.programme()
    item = household(kk_number="3201012503100004", desil=1)
    head = person(item, "Budi Santoso", born=date(1960, 1, 5))
    person(item, "Rina", born=date(2015, 2, 2), sex="female", relation="child")
    services.enrol(item, food.id, date(TODAY.year, 1, 1), date(TODAY.year, 12, 31), actor=None)
    services.add_external(item, "BPNT", date(TODAY.year, 1, 1), actor=None)
    services.save_person(head, {"status": "dead", "status_date": TODAY}, actor=None)
    services.save_household(
        item, {"kk_number": "3201010107200011"}, actor=None, kk_reason="head_changed"
    )
    login_as("operator")
    page = text(client.get(f"/staf/registrasi/rumah-tangga/{item.id}?lang=en"))
    for expected in (
        "Budi Santoso",
        "Rina",
        "3201012503100004",
        "3201010107200011",
        "Head of family changed",
        "Desil 1 in the national data.",
        "Warnings",
        "is the head of this household",
        "Overlap:",
        "Paket Pangan",
        "BPNT",
        "Monthly food package",
    ):
        assert expected in page, expected


def test_create_household_with_a_bad_kk_keeps_what_was_typed(client, login_as):
    login_as("operator")
    response = client.post(
        "/staf/registrasi/rumah-tangga/baru?lang=en",
        data={"kk_number": "32010125031", "address": "Jl. Kenanga 4", "rt": "2", "rw": "1"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "exactly 16 digits" in page and 'value="32010125031"' in page
    assert 'value="Jl. Kenanga 4"' in page
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0
    response = client.post(
        "/staf/registrasi/rumah-tangga/baru",
        data={"kk_number": "3201012503100004", "address": "Jl. Kenanga 4", "rt": "2", "rw": "1"},
    )
    assert response.status_code == 302
    assert len(entries("create", "household")) == 1


def test_bad_numbers_in_forms_are_messages_not_errors(client, login_as, home):
    login_as("operator")
    response = client.post(
        "/staf/registrasi/rumah-tangga/baru",
        data={"address": "x", "rt": "abc", "rw": "0", "desil": "11"},
    )
    assert response.status_code == 200 and text(response).count('class="error"') >= 3
    response = client.post(
        f"/staf/registrasi/rumah-tangga/{home.id}/anggota-baru",
        data={
            "name": "Ani",
            "sex": "female",
            "relation": "child",
            "status": "alive",
            "birth_date": "2010-02-31",
            "nik": "3201014508000000",
        },
    )
    assert response.status_code == 200 and 'value="3201014508000000"' in text(response)


def test_nik_mismatch_is_saved_and_the_operator_is_warned(client, login_as, home):
    login_as("operator")
    response = client.post(
        f"/staf/registrasi/rumah-tangga/{home.id}/anggota-baru?lang=en",
        data={
            "name": "Ani Santoso",
            "nik": "3201015708900002",
            "sex": "female",
            "birth_date": "1991-08-17",
            "relation": "wife",
            "status": "alive",
        },
        follow_redirects=True,
    )
    page = text(response)
    assert "The person is saved." in page and "Please check the family card." in page
    ani = db.session.scalar(select(Person).where(Person.name == "Ani Santoso"))
    assert ani.nik_warning == "birth_date" and ani.household_id == home.id
    assert "Check NIK" in page


def test_move_form_finds_the_household_by_kk(client, login_as, home):
    other = household(kk_number="3201010107200011", rt=4)
    db.session.commit()
    child = home.members[1]
    login_as("operator")
    response = client.post(
        f"/staf/registrasi/warga/{child.id}/pindah?lang=en",
        data={
            "target": "3201019999999999",
            "relation": "child",
            "reason": "moved_in",
            "on": TODAY.isoformat(),
        },
    )
    assert "No household in the registry" in text(response)
    response = client.post(
        f"/staf/registrasi/warga/{child.id}/pindah",
        data={
            "target": other.kk_number,
            "relation": "child",
            "reason": "split",
            "on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, child.id).household_id == other.id


def test_enrolment_form_records_village_and_national_programmes(client, login_as, home):
    food = factories.programme()
    login_as("operator")
    start = f"{TODAY.year}-01-01"
    for choice in (f"v{food.id}", "nBPNT"):
        response = client.post(
            f"/staf/registrasi/rumah-tangga/{home.id}/kepesertaan",
            data={"programme": choice, "person": "", "period_start": start},
        )
        assert response.status_code == 302
    page = text(client.get("/staf/registrasi/peringatan?lang=en"))
    assert "Same kind of aid twice in one period (1)" in page
    response = client.post(
        f"/staf/registrasi/rumah-tangga/{home.id}/kepesertaan?lang=en",
        data={"programme": f"v{food.id}", "person": "", "period_start": start},
    )
    assert "already enrolled" in text(response)


def test_search_answers_htmx_with_the_fragment_and_plain_requests_with_the_page(
    client, login_as, home
):
    login_as("operator")
    full = text(client.post("/staf/registrasi/", data={"q": "budi"}, follow_redirects=True))
    assert "<html" in full and "Budi Santoso" in full
    fragment = client.post("/staf/registrasi/", data={"q": "budi"}, headers={"HX-Request": "true"})
    assert "<html" not in text(fragment) and "Budi Santoso" in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    assert "?cari=" in fragment.headers["HX-Replace-Url"]
    aminah = client.post("/staf/registrasi/", data={"q": "aminah"}, follow_redirects=True)
    assert "Budi Santoso" not in text(aminah)
    area = client.post(
        "/staf/registrasi/", data={"q": "rt 3 rw 2", "tingkat": "miskin"}, follow_redirects=True
    )
    assert "Budi Santoso" in text(area)
    for bad in ("?page=0", "?page=abc"):
        assert client.get("/staf/registrasi/" + bad).status_code == 404
    assert client.get("/staf/registrasi/?tingkat=nonsense&rt=abc").status_code == 200


def test_audit_log_page_filters_and_has_no_way_to_change_entries(app, client, login_as, home):
    auditor = login_as("auditor")
    client.get(f"/staf/registrasi/rumah-tangga/{home.id}")
    page = text(client.get("/staf/audit/?aksi=view&lang=en"))
    assert "1 entry." in page and auditor.name in page
    page = text(client.get(f"/staf/audit/?objek=person&pelaku={auditor.id}&lang=en"))
    assert "0 entries." in page
    page = text(client.get("/staf/audit/?aksi=create&objek=person&lang=en"))
    assert "2 entries." in page and "3201********0004" not in page
    assert re.search(r"\b\d{16}\b", page) is None  # personal numbers masked
    assert "Enter a date as YYYY-MM-DD." in text(client.get("/staf/audit/?dari=31-12-2026&lang=en"))
    assert "0 entries." in text(
        client.get("/staf/audit/?dari=2000-01-01&sampai=2000-01-02&lang=en")
    )
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_dashboard_links_to_registry_and_audit_log(client, login_as):
    login_as("auditor")
    page = text(client.get("/staf/"))
    assert 'href="/staf/registrasi/"' in page and 'href="/staf/audit/"' in page


def test_food_programme_page_publishes_the_formula(client):
    factories.programme(aid_type="food")
    page = text(client.get("/program/paket-pangan?lang=en"))
    assert "How much food a household receives" in page and "Child under 5" in page
    factories.programme(slug="sekolah", aid_type="education")
    assert "How much food" not in text(client.get("/program/sekolah?lang=en"))


def _public_urls(app) -> list[str]:
    """Every public GET page without arguments, plus each programme, announcement, meeting."""
    from portal.programmes.models import Programme
    from portal.public.models import Announcement, Meeting
    from portal.security import PUBLIC_ATTR

    urls = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, PUBLIC_ATTR, False) and "GET" in rule.methods and not rule.arguments:
            urls.append(rule.rule)
    urls += [f"/program/{p.slug}" for p in db.session.scalars(select(Programme))]
    urls += [f"/pengumuman/{a.id}" for a in db.session.scalars(select(Announcement))]
    urls += [f"/musyawarah/{m.id}" for m in db.session.scalars(select(Meeting))]
    names = [p.name.split()[0] for p in db.session.scalars(select(Person).limit(5))]
    urls += [f"/cari?q={name}" for name in names]
    return urls


def test_public_pages_show_no_personal_numbers_or_birth_dates(app, client):
    from portal.devdata import village as demo

    assert demo.seed(households=60) is not None
    people = db.session.scalars(select(Person)).all()
    assert len(people) > 150
    birth_dates = {p.birth_date.strftime(fmt) for p in people for fmt in ("%Y-%m-%d", "%d-%m-%Y")}
    checked = 0
    for url in _public_urls(app):
        for lang in ("id", "en"):
            response = client.get(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            if response.status_code != 200:
                continue
            body = text(response)
            assert re.search(r"\d{16}", body) is None, url
            assert not [d for d in birth_dates if d in body], url
            checked += 1
    assert checked >= 20


def test_ending_an_enrolment_clears_the_flag(client, login_as, home):
    food = factories.programme()
    start = date(TODAY.year - 1, 1, 1)
    enrolment, _errors = services.enrol(home, food.id, start, actor=None)
    national = services.add_external(home, "BPNT", start, actor=None)
    head = home.members[0]
    services.save_person(head, {"status": "dead", "status_date": TODAY}, actor=None)
    assert len(services.stale_enrolments()) == 2
    login_as("auditor")
    url = f"/staf/registrasi/kepesertaan/desa/{enrolment.id}/akhiri"
    assert client.post(url).status_code == 403
    login_as("operator")
    page = text(client.get(f"/staf/registrasi/rumah-tangga/{home.id}?lang=en"))
    assert url in page
    assert client.post(url).status_code == 302
    assert (
        client.post(f"/staf/registrasi/kepesertaan/nasional/{national.id}/akhiri").status_code
        == 302
    )
    assert client.post("/staf/registrasi/kepesertaan/lain/1/akhiri").status_code == 404
    assert services.stale_enrolments() == []
    assert {e.object_type for e in entries("end")} == {"enrolment", "external_enrolment"}


def test_a_household_may_have_no_rw(client, login_as):
    """Villages without RWs (OpenSID writes "-"): RW may stay empty; RT may not."""
    login_as("operator")
    data = {"kk_number": "3201012503100004", "address": "Dusun Baru", "rt": "2", "rw": ""}
    response = client.post("/staf/registrasi/rumah-tangga/baru", data=data)
    assert response.status_code == 302
    home = db.session.scalar(select(Household))
    assert (home.rt, home.rw, home.rt_rw) == (2, None, "002/–")
    response = client.post(
        "/staf/registrasi/rumah-tangga/baru?lang=en",
        data={**data, "kk_number": "3201012503100005", "rt": ""},
    )
    assert response.status_code == 200 and "Enter a number from 1 to 999." in text(response)


def test_registry_list_links_to_import_and_to_an_export_of_the_same_filters(client, login_as, home):
    login_as("operator")
    page = text(client.get("/staf/registrasi/?tingkat=miskin&rt=3"))
    assert 'href="/staf/registrasi/impor/"' in page
    page = text(client.get(f"/staf/registrasi/?rt={home.rt}"))
    assert f'href="/staf/registrasi/ekspor?rt={home.rt}"' in page
    export = text(client.get(f"/staf/registrasi/ekspor?rt={home.rt}&tingkat=miskin"))
    assert (
        f'id="rt" name="rt" inputmode="numeric" pattern="[0-9]*" maxlength="3" value="{home.rt}"'
        in export
    )
    assert '<option value="miskin" selected>' in export
    # A search with words: the export page gets them by the search's id.
    searched = client.post("/staf/registrasi/", data={"q": "budi", "rt": home.rt})
    cari = searched.headers["Location"].split("cari=")[1]
    page = text(client.get(searched.headers["Location"]))
    assert f'href="/staf/registrasi/ekspor?cari={cari}"' in page
    export = text(client.get(f"/staf/registrasi/ekspor?cari={cari}"))
    assert 'value="budi"' in export and 'method="post"' in export
    login_as("auditor")
    page = text(client.get("/staf/registrasi/"))
    assert 'href="/staf/registrasi/impor/"' not in page
    dashboard = text(client.get("/staf/"))
    assert 'href="/staf/registrasi/ekspor"' not in dashboard  # no exports for auditors


def _selects_for(client, url) -> tuple[int, str]:
    """The number of SELECT statements one request sends, and the page."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), text(response)


def test_household_page_reads_a_fixed_handful_of_queries_whatever_its_size(client, login_as):
    """The page loads what its template walks up front: a lazy load per member, per
    enrolment or per history line would make a large household slow."""
    food = factories.programme()
    health = factories.programme(slug="lansia", name_id="Lansia", aid_type="health")
    small = household(kk_number="3201012503100004")
    person(small, "Budi Santoso", born=date(1970, 1, 5))
    large = household(kk_number="3201010107200011", rt=2)
    head = person(large, "Joko Susilo", born=date(1950, 3, 3))
    people = [
        person(large, f"Anak Nomor {n}", born=date(2000 + n, 1, 1), relation="child")
        for n in range(1, 6)
    ]
    services.enrol(large, food.id, date(TODAY.year, 1, 1), actor=None)
    for p in people[:3]:
        services.enrol(large, health.id, date(TODAY.year, 1, 1), actor=None, person=p)
        services.add_external(None, "PBI", date(TODAY.year, 1, 1), actor=None, person=p)
    services.add_external(large, "BPNT", date(TODAY.year, 1, 1), actor=None)
    services.move_person(people[4], small, actor=None, relation="child")
    services.save_person(head, {"status": "dead", "status_date": TODAY}, actor=None)
    services.save_household(
        large, {"kk_number": "3201010107200029"}, actor=None, kk_reason="head_changed"
    )
    db.session.commit()
    login_as("operator")
    small_count, _page = _selects_for(client, f"/staf/registrasi/rumah-tangga/{small.id}")
    large_count, page = _selects_for(client, f"/staf/registrasi/rumah-tangga/{large.id}?lang=en")
    for expected in ("Joko Susilo", "Anak Nomor 3", "Lansia", "PBI", "BPNT", "is the head of"):
        assert expected in page, expected
    # The account, the household with its members, KK history, village and national
    # enrolments, membership history and namesakes: 7 (8 when namesakes need decisions).
    assert large_count <= 8, large_count
    assert large_count == small_count
    assert len(entries("view", "household")) == 2  # each opening is still audited


def test_the_household_edit_form_is_logged_with_the_kk_number_masked(client, login_as, home):
    """The edit form shows the KK number in full: each one shown writes a view entry
    (written through the Core, as record() would write it)."""
    operator = login_as("operator")
    assert client.get(f"/staf/registrasi/rumah-tangga/{home.id}/ubah").status_code == 200
    [entry] = [e for e in entries("view", "household") if e.summary == "edit form"]
    assert (entry.object_id, entry.actor_id, entry.actor_name) == (
        str(home.id),
        operator.id,
        operator.name,
    )
    assert entry.before is None and entry.after == {"kk_number": "3201********0004"}
    assert entry.at is not None and entry.ip


def test_the_kept_blank_forms_follow_the_household_and_never_keep_what_was_typed(
    client, login_as, home
):
    """The new-member form is kept blank per worker (kept_fragment): a household with a
    head starts at "child", one without at no relation, in either order; the move form
    at the person's relation; a form sent back with errors, or an edit form, shows its
    own values, never the kept blank."""
    no_head = household(rt=5)
    person(no_head, "Sari Dewi", relation="child")
    db.session.commit()
    login_as("operator")
    child = '<option selected value="child">'
    for _round in range(2):  # the second round is answered from the kept markup
        assert child in text(client.get(f"/staf/registrasi/rumah-tangga/{home.id}/anggota-baru"))
        page = text(client.get(f"/staf/registrasi/rumah-tangga/{no_head.id}/anggota-baru"))
        assert child not in page and 'name="name"' in page
        blank = text(client.get("/staf/registrasi/rumah-tangga/baru"))
        assert 'name="address" required type="text" value=""' in blank
    head, child_member = home.members[0], home.members[1]
    for _round in range(2):  # the move form starts at the person's relation
        page = text(client.get(f"/staf/registrasi/warga/{head.id}/pindah"))
        assert '<option selected value="head">' in page and child not in page
        page = text(client.get(f"/staf/registrasi/warga/{child_member.id}/pindah"))
        assert child in page and '<option selected value="head">' not in page
    sent = client.post(
        f"/staf/registrasi/rumah-tangga/{home.id}/anggota-baru", data={"name": "Dina Ayu"}
    )
    assert 'value="Dina Ayu"' in text(sent)
    sent = client.post("/staf/registrasi/rumah-tangga/baru", data={"address": "Jl. Kenari 4"})
    assert 'value="Jl. Kenari 4"' in text(sent)
    edit = text(client.get(f"/staf/registrasi/rumah-tangga/{home.id}/ubah"))
    assert 'value="3201012503100004"' in edit


def test_the_edit_form_shows_the_stored_criteria_and_saving_it_unchanged_keeps_them(
    client, login_as, home
):
    """The criteria menus were shown with no answer selected (WTForms had made the stored
    True/False the strings "True"/"False"), so saving the form wiped them."""
    import re

    home.bps_floor, home.bps_wall = True, False
    db.session.commit()
    login_as("operator")
    url = f"/staf/registrasi/rumah-tangga/{home.id}/ubah"
    page = client.get(url + "?lang=en").get_data(as_text=True)

    def chosen(name: str) -> list[str]:
        select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
        return re.findall(r'<option selected value="([^"]*)"', select.group(1))

    assert chosen("bps_floor") == ["1"] and chosen("bps_wall") == ["0"]
    assert chosen("bps_toilet") == [""]
    # The form sent back as shown changes nothing.
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', page))
    for name in ("bps_floor", "bps_wall", "bps_toilet"):
        fields[name] = chosen(name)[0]
    fields.pop("csrf_token", None)
    assert client.post(url, data=fields).status_code == 302
    db.session.expire_all()
    kept = db.session.get(Household, home.id)
    assert (kept.bps_floor, kept.bps_wall, kept.bps_toilet) == (True, False, None)


def test_the_household_edit_form_reads_one_plain_row_and_answers_404_as_before(
    client, login_as, home
):
    """The edit form's GET reads the household's columns as one plain row (no record
    through the ORM), the same statements as before (the account, the household);
    404 for a household that does not exist, on a GET as on a POST."""
    login_as("operator")
    url = f"/staf/registrasi/rumah-tangga/{home.id}/ubah"
    for _round in range(2):  # the first page builds the form, the next is written kept
        count, page = _selects_for(client, url)
        assert count == 2, count
        assert 'value="3201012503100004"' in page and 'name="kk_reason"' in page
    assert client.get("/staf/registrasi/rumah-tangga/999999/ubah").status_code == 404
    assert client.post("/staf/registrasi/rumah-tangga/999999/ubah").status_code == 404


def test_the_blank_member_and_move_forms_read_one_row_and_answer_404_as_before(
    client, login_as, home
):
    """The new-member form's GET asks only whether the household has a head (a head
    merged away is none), the move form's GET only the person's row (one merged away is
    not found); both answer 404 for what does not exist, as the whole records did."""
    merged_head = household(rt=6)
    gone = person(merged_head, "Budi Lama", relation="head")
    stays = person(merged_head, "Budi Baru", relation="child")
    gone.merged_into_id = stays.id
    db.session.commit()
    login_as("operator")
    child = '<option selected value="child">'
    page = text(client.get(f"/staf/registrasi/rumah-tangga/{merged_head.id}/anggota-baru"))
    assert child not in page and 'name="name"' in page
    assert child in text(client.get(f"/staf/registrasi/rumah-tangga/{home.id}/anggota-baru"))
    assert client.get("/staf/registrasi/rumah-tangga/999999/anggota-baru").status_code == 404
    assert client.get(f"/staf/registrasi/warga/{gone.id}/pindah").status_code == 404
    assert client.get("/staf/registrasi/warga/999999/pindah").status_code == 404
    page = text(client.get(f"/staf/registrasi/warga/{stays.id}/pindah?lang=en"))
    assert "Move Budi Baru to another household" in page and child in page
    assert f"/staf/registrasi/rumah-tangga/{merged_head.id}" in page


def test_the_kept_head_of_the_search_page_follows_the_role(client, login_as, home):
    """The search page's crumbs, heading and links are kept per role and language: an
    auditor is never offered the operator's New household and Import links."""
    pages = {}
    for role in ("operator", "auditor", "operator", "auditor"):
        login_as(role)
        page = text(client.get("/staf/registrasi/?lang=en"))
        assert ("New household" in page) == (role == "operator"), role
        assert ("Import the roster" in page) == (role == "operator"), role
        head = page[page.index('<p class="crumbs">') : page.index('<form class="filters')]
        assert head == pages.setdefault(role, head)
    indonesian = text(client.get("/staf/registrasi/?lang=id"))
    assert "Peringatan" in indonesian and "Warnings" not in indonesian
