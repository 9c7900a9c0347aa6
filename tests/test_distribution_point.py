"""The officer's pages at a distribution point: finding an invitation without
JavaScript, recording a handover (bad input gets a message, nothing written), the
second one refused with when/where/by whom, voids, files for staff only, the offline
app's roster and batch upload, the conflicts page, and where an officer lands."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from portal.distribution import services
from portal.distribution.models import (
    DistributionRound,
    Entitlement,
    Handover,
    SyncConflict,
)
from portal.distribution.point_forms import VoidForm
from portal.extensions import db
from portal.forms import form_field
from tests.test_distribution_handover import entitlement_of, open_round


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (50, 40), "blue")
    exif = Image.Exif()
    exif[0x8825] = {2: (6.0, 12.0, 0.0), 1: "S"}  # GPSInfo
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def at_point(make_user, client, login_as):
    round_, point, officer, other = open_round(make_user)
    me = login_as("officer")
    base = f"/petugas/{round_.id}/{point.id}"
    return round_, point, me, other, base


def _form(e: Entitlement, **extra) -> dict:
    data = {"collected_by": "collector"}
    for line in e.lines:
        data[f"item_{line.item_id}"] = str(line.due).replace(".", ",")
    data.update(extra)
    return data


def test_an_officer_lands_on_the_point_pages(app, client, make_user):
    from portal.accounts import staff_session

    round_, point, officer, _other = open_round(make_user)
    with client.session_transaction() as session:
        session["_user_id"] = officer.get_id()
        staff_session.mark_seen(session)
        staff_session.mark_verified(officer, session)
    with app.test_request_context():
        from portal.accounts.views import _landing

        assert _landing(officer) == "/petugas/"
    page = client.get("/petugas/")
    assert page.status_code == 200
    assert point.name in page.get_data(as_text=True)


def test_find_by_typed_code_name_and_rt_without_javascript(client, at_point):
    round_, point, _me, _other, base = at_point
    e = entitlement_of(round_.id)
    found = client.get(base, query_string={"q": e.code.replace("-", " ").lower()})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/hak/{e.id}")
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert e.collector.name in page and e.collector.nik[-4:] in page
    assert e.collector.nik not in page  # the last four digits only
    by_rt = client.get(base, query_string={"q": f"RT {e.rt}"}).get_data(as_text=True)
    assert e.collector.name in by_rt
    by_name = client.get(base, query_string={"q": e.collector.name}).get_data(as_text=True)
    assert f"/hak/{e.id}" in by_name
    unknown = client.get(base, query_string={"q": "2222-3333-4444-5555", "lang": "en"})
    assert unknown.status_code == 200 and "There is no invitation" in unknown.get_data(as_text=True)


def test_handover_form_records_once_and_shows_who_collected(client, at_point):
    round_, point, me, other, base = at_point
    e = entitlement_of(round_.id)
    url = f"{base}/hak/{e.id}"
    sent = client.post(url, data=_form(e))
    assert sent.status_code == 302
    assert count(Handover) == 1
    again = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Already collected" in again and me.name in again and point.name in again
    second = client.post(url, data=_form(e))
    assert second.status_code == 422 and count(Handover) == 1


def test_bad_input_gets_a_message_and_writes_nothing(client, at_point):
    round_, point, _me, _other, base = at_point
    e = entitlement_of(round_.id)
    url = f"{base}/hak/{e.id}?lang=en"
    line = e.lines[0]
    over = client.post(url, data=_form(e, **{f"item_{line.item_id}": "999"}))
    assert over.status_code == 422 and "At most" in over.get_data(as_text=True)
    word = client.post(url, data=_form(e, **{f"item_{line.item_id}": "banyak"}))
    assert word.status_code == 422
    partial = client.post(url, data=_form(e, **{f"item_{line.item_id}": "1"}))
    assert "give the reason" in partial.get_data(as_text=True)
    not_a_picture = client.post(
        url,
        data=_form(e, photo=(io.BytesIO(b"MZ\x90\x00 not an image"), "foto.jpg")),
        content_type="multipart/form-data",
    )
    assert not_a_picture.status_code == 422
    assert "not a PNG, JPEG or WebP" in not_a_picture.get_data(as_text=True)
    proxy = client.post(url, data=_form(e, collected_by="proxy", proxy_name="Ahmad"))
    assert proxy.status_code == 422
    assert count(Handover) == 0
    assert db.session.get(Entitlement, e.id).status == "due"
    other_round = client.get(f"/petugas/{round_.id + 1}/{point.id}/hak/{e.id}")
    assert other_round.status_code == 404


def test_a_photo_loses_its_location_and_is_for_staff_only(app, client, at_point, make_user):
    round_, point, _me, _other, base = at_point
    e = entitlement_of(round_.id)
    sent = client.post(
        f"{base}/hak/{e.id}",
        data=_form(e, photo=(io.BytesIO(jpeg_with_gps()), "foto.jpg")),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    handover = db.session.scalar(select(Handover))
    served = client.get(f"/petugas/serah/{handover.id}/foto")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    exif = Image.open(io.BytesIO(served.data)).getexif()
    assert 0x8825 not in exif and 0x010F not in exif
    client.post("/keluar", data={})
    with client.session_transaction() as session:
        session.clear()
    anonymous = client.get(f"/petugas/serah/{handover.id}/foto")
    assert anonymous.status_code == 302


def test_a_void_needs_a_second_officer(client, at_point, login_as):
    round_, point, me, other, base = at_point
    e = entitlement_of(round_.id)
    client.post(f"{base}/hak/{e.id}", data=_form(e))
    handover = db.session.scalar(select(Handover))
    mine = client.post(f"/petugas/serah/{handover.id}/batal", data={"reason": "Salah"})
    assert mine.status_code == 302 and db.session.get(Entitlement, e.id).status == "collected"
    login_as("officer")
    client.post(f"/petugas/serah/{handover.id}/batal", data={"reason": "Salah orang"})
    db.session.expire_all()
    assert db.session.get(Entitlement, e.id).status == "due"
    assert db.session.get(Entitlement, e.id).voids == 1


def test_entitlement_page_shows_handovers_and_the_blank_void_form(app, client, at_point, login_as):
    """handovers_of's plain rows hold what the Handover objects hold; the void form's
    field (kept per worker: the form is always blank there) is form_field's, in both
    languages."""
    round_, _point, _me, _other, base = at_point
    e = entitlement_of(round_.id)
    client.post(f"{base}/hak/{e.id}", data=_form(e))
    first = db.session.scalar(select(Handover))
    login_as("officer")
    client.post(f"/petugas/serah/{first.id}/batal", data={"reason": "Salah <orang>"})
    client.post(f"{base}/hak/{e.id}", data=_form(e))
    db.session.expire_all()
    stored = db.session.scalars(
        select(Handover).where(Handover.entitlement_id == e.id).order_by(Handover.attempt)
    ).all()
    shown = services.handovers_of(e.id)
    assert len(stored) == len(shown) == 2
    for row, h in zip(shown, stored, strict=True):
        assert row[:7] == (
            h.id, h.point_id, h.officer_id, h.handed_at, h.collected_by, h.proxy_letter, h.photo
        )  # fmt: skip
        assert (row.void and row.void.reason) == (h.void and h.void.reason)
    assert shown[0].void and services.live_of(shown).id == stored[1].id
    for lang in ("id", "en"):
        page = client.get(f"{base}/hak/{e.id}?lang={lang}").get_data(as_text=True)
        # A fresh app context: the test's own keeps the first language chosen (on g).
        with app.app_context(), app.test_request_context(f"/?lang={lang}"):
            field = str(form_field(VoidForm(meta={"csrf": False}).reason))
        assert f"\n  {field}\n" in page and "Salah &lt;orang&gt;" in page


def test_point_page_counts_its_entitlements_by_status(client, at_point):
    """The point's page (its round, point and counts read in one statement) counts what
    a GROUP BY of the point's entitlements counts, names the round, and is a 404 for
    another round's point."""
    round_, point, _me, _other, base = at_point
    e = entitlement_of(round_.id)
    client.post(f"{base}/hak/{e.id}", data=_form(e))
    by_status = (
        select(Entitlement.status, func.count())
        .where(Entitlement.round_id == round_.id, Entitlement.point_id == point.id)
        .group_by(Entitlement.status)
    )
    expected = dict(db.session.execute(by_status).all())
    page = client.get(f"{base}?lang=en").get_data(as_text=True)
    due, done = expected.get("due", 0), expected.get("collected", 0)
    assert done == 1 and f"Collected: {done} · partly: 0 · still due: {due}" in page
    assert f"<h1>{point.name}</h1>" in page and (round_.title_en or round_.title_id) in page
    assert "not open for handing out" not in page
    assert client.get(f"/petugas/{round_.id + 1}/{point.id}").status_code == 404


def test_landing_page_rounds_are_the_open_rounds_with_their_points(app, client, at_point):
    """The officer's landing page reads the open rounds and their points as plain rows:
    what services.open_rounds() and each round's points hold, in the same order."""
    from portal.distribution.point import _open_rounds

    with app.test_request_context():
        theirs = [
            (r.id, r.title_id, r.title_en, r.starts_on, r.ends_on,
             [(p.id, p.name, p.address) for p in r.points])
            for r in services.open_rounds()
        ]  # fmt: skip
        ours = [
            (r.id, r.title_id, r.title_en, r.starts_on, r.ends_on,
             [(p.id, p.name, p.address) for p in r.points])
            for r in _open_rounds()
        ]  # fmt: skip
    assert theirs and ours == theirs
    page = client.get("/petugas/").get_data(as_text=True)
    assert all(f'<a href="/petugas/{r[0]}/{p[0]}">' in page for r in ours for p in r[5])


def test_roster_holds_what_the_point_needs_and_the_batch_is_stored_once(client, at_point):
    round_, point, _me, _other, base = at_point
    day = sorted({s.day for s in point.slots})[0]
    roster = client.get(f"{base}/daftar.json", query_string={"hari": day.isoformat()}).get_json()
    assert roster["households"] and roster["csrf"]
    first = roster["households"][0]
    assert set(first) == {
        "id",
        "code",
        "rt",
        "rw",
        "slot",
        "status",
        "collector",
        "collector_nik",
        "alternate",
        "alternate_nik",
        "cash_due",
        "lines",
    }
    assert all(len(h["collector_nik"] or "") in (0, 4) for h in roster["households"])
    batch = [
        {
            "client_id": uuid.uuid4().hex,
            "entitlement_id": h["id"],
            "collected_by": "collector",
            "lines": {str(ln["item_id"]): ln["due_milli"] for ln in h["lines"]},
            "handed_at": "2026-12-05T08:00:00Z",
        }
        for h in roster["households"][:3]
        if h["collector"]
    ]
    body = json.dumps({"handovers": batch})
    headers = {"Content-Type": "application/json", "X-CSRFToken": roster["csrf"]}
    one = client.post(f"{base}/kirim", data=body, headers=headers).get_json()
    assert [r["outcome"] for r in one["results"]] == ["stored"] * len(batch)
    two = client.post(f"{base}/kirim", data=body, headers=headers).get_json()
    assert [r["outcome"] for r in two["results"]] == ["duplicate"] * len(batch)
    assert count(Handover) == len(batch)
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == round_.id).values(status="closed")
    )
    db.session.commit()
    assert client.get(f"{base}/daftar.json").status_code == 410


def test_conflicts_page_lets_an_operator_decide(client, at_point, login_as):
    round_, point, _me, other, base = at_point
    e = entitlement_of(round_.id)
    from portal.distribution import services

    given = services.Given(
        collected_by="collector", quantities={ln.item_id: ln.due_milli for ln in e.lines}
    )
    services.hand_over(round_.id, point.id, e.id, given, actor=other)
    roster = client.get(f"{base}/daftar.json").get_json()
    record = {
        "client_id": uuid.uuid4().hex,
        "entitlement_id": e.id,
        "collected_by": "collector",
        "lines": {str(ln.item_id): ln.due_milli for ln in e.lines},
    }
    out = client.post(
        f"{base}/kirim",
        data=json.dumps({"handovers": [record]}),
        headers={"Content-Type": "application/json", "X-CSRFToken": roster["csrf"]},
    ).get_json()
    assert out["results"][0]["outcome"] == "conflict"
    login_as("operator")
    page = client.get("/staf/penyaluran/konflik/")
    assert page.status_code == 200 and f"#{e.id}" in page.get_data(as_text=True)
    conflict = db.session.scalar(select(SyncConflict))
    client.post(
        f"/staf/penyaluran/konflik/{conflict.id}",
        data={"outcome": "rejected", "note": "Sudah diambil istrinya"},
    )
    db.session.expire_all()
    assert db.session.get(SyncConflict, conflict.id).status == "rejected"
    assert count(Handover) == 1


@pytest.mark.parametrize("role", ["resident", "partner", "trainer", "auditor"])
def test_other_roles_cannot_hand_over(client, make_user, login_as, role):
    round_, point, _officer, _other = open_round(make_user)
    login_as(role)
    e = entitlement_of(round_.id)
    base = f"/petugas/{round_.id}/{point.id}"
    for url in ("/petugas/", base, f"{base}/hak/{e.id}", f"{base}/luring", f"{base}/daftar.json"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{base}/kirim", json={"handovers": []}).status_code == 403
    assert client.post(f"{base}/hak/{e.id}", data={}).status_code == 403


def test_officers_cannot_decide_conflicts(client, login_as):
    login_as("officer")
    assert client.get("/staf/penyaluran/konflik/").status_code == 403
    assert client.post("/staf/penyaluran/konflik/1", data={}).status_code == 403


def test_service_worker_and_manifest_are_served_for_the_officer_scope(client):
    with client.get("/petugas/sw.js") as worker:
        assert worker.status_code == 200
        assert worker.headers["Service-Worker-Allowed"] == "/petugas/"
    with client.get("/static/officer.webmanifest") as manifest:
        assert json.loads(manifest.data)["scope"] == "/petugas/"
    with client.get("/static/vendor/jsqr-1.4.0-apache-2.0.js") as script:
        assert script.status_code == 200 and b"jsQR" in script.data


def test_point_pages_are_valid_html(client, at_point, tmp_path, login_as):
    """The officer's pages with something on them (the URL-map walk of
    tests/test_valid_html.py finds no open round in the demo data)."""
    from tests.test_valid_html import _checker, _errors

    command = _checker()
    round_, point, _me, other, base = at_point
    e, collected = entitlement_of(round_.id), entitlement_of(round_.id, 1)
    from portal.distribution import services

    given = services.Given(
        collected_by="collector", quantities={ln.item_id: ln.due_milli for ln in collected.lines}
    )
    services.hand_over(round_.id, point.id, collected.id, given, actor=other)
    urls = [
        "/petugas/",
        base,
        f"{base}?q=RT+{e.rt}",
        f"{base}?q=2222-3333-4444-5555",
        f"{base}/hak/{e.id}",
        f"{base}/hak/{collected.id}",
        f"{base}/luring",
    ]
    pages = {}
    for url in urls:
        for lang in ("id", "en"):
            response = client.get(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            assert response.status_code == 200, url
            name = f"page-{len(pages):02d}.html"
            (tmp_path / name).write_bytes(response.data)
            pages[name] = url
    bad = client.post(f"{base}/hak/{e.id}", data=_form(e, collected_by="proxy"))
    (tmp_path / "page-bad.html").write_bytes(bad.data)
    pages["page-bad.html"] = "refused proxy"
    login_as("operator")
    (tmp_path / "page-conflicts.html").write_bytes(client.get("/staf/penyaluran/konflik/").data)
    pages["page-conflicts.html"] = "conflicts"
    errors = _errors(command, tmp_path, pages)
    assert errors == [], "\n".join(errors)


def test_logging_out_clears_the_phone_for_those_who_hand_over(client, login_as):
    login_as("officer")
    out = client.post("/keluar", data={})
    assert out.status_code == 302 and "storage" in out.headers["Clear-Site-Data"]
    login_as("resident")
    assert "Clear-Site-Data" not in client.post("/keluar", data={}).headers
