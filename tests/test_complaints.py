"""Complaints (pengaduan): filing, anonymity, tracking codes, routing, staff steps."""

from __future__ import annotations

import io
import math
import os
import re
from collections import Counter
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, text, update

from portal.audit.models import AuditEntry
from portal.complaints import services
from portal.complaints.models import Complaint, ComplaintStep
from portal.extensions import db
from portal.models_base import utcnow


def text_of(response) -> str:
    return response.get_data(as_text=True)


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Maker"  # Make
    exif[0x8825] = {2: (6.0, 10.0, 30.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


FORM = {
    "category": "misuse",
    "description": "Beras bantuan dijual kembali di warung dekat balai desa.",
    "rt": "3",
    "rw": "1",
    "named_staff": "",
    "identity": "anonymous",
}


def file_via_form(client, **changes) -> tuple[object, str]:
    """POST the public form; returns the response of the page showing the code and
    the code itself."""
    data = {**FORM, **changes}
    response = client.post("/pengaduan", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)[:2000]
    page = client.get(response.headers["Location"])
    match = re.search(r'id="tracking-code">([A-Z0-9-]+)<', text_of(page))
    assert match, text_of(page)
    return page, match.group(1)


def make(description="Bantuan tidak sampai ke rumah kami di RT 2.", **fields):
    fields.setdefault("category", "missed")
    fields.setdefault("anonymous", True)
    return services.file_complaint(description=description, **fields)


# --- tracking codes ------------------------------------------------------------------


def test_tracking_codes_are_random_long_and_never_stored(app):
    codes = [services.new_code() for _ in range(3000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == services.CODE_LENGTH for c in codes)
    assert all(set(c) <= set(services.CODE_ALPHABET) for c in codes)
    bits = services.CODE_LENGTH * math.log2(len(services.CODE_ALPHABET))
    assert bits >= 59
    # Every symbol is used, about equally often (36,000 draws over 31 symbols: ~1161 each).
    counts = Counter("".join(codes))
    assert set(counts) == set(services.CODE_ALPHABET)
    assert min(counts.values()) > 900 and max(counts.values()) < 1450
    # No look-alikes.
    assert not set("01OIL") & set(services.CODE_ALPHABET)

    complaint, code = make()
    row = db.session.execute(
        text("SELECT * FROM complaint WHERE id = :id"), {"id": complaint.id}
    ).one()
    assert code not in " ".join(str(v) for v in row)
    assert complaint.code_hash == services.code_hash(code)


def test_codes_are_read_forgivingly():
    assert services.normalise_code("abcd-efgh-jk23") == "ABCDEFGHJK23"
    assert services.normalise_code(" ABCD EFGH JK23 ") == "ABCDEFGHJK23"
    assert services.normalise_code("ABCDEFGHJK2") is None
    assert services.normalise_code("ABCDEFGHJK20") is None  # 0 is not in the alphabet


def test_a_resident_files_and_follows_a_complaint(client):
    page, shown = file_via_form(client)
    assert "Kode pelacakan Anda" in text_of(page)
    assert page.headers["Cache-Control"] == "no-store"
    code = shown.replace("-", "")
    # The code is shown once: the page does not show it again.
    again = client.get("/pengaduan/terkirim")
    assert again.status_code == 302 and code not in text_of(again)

    status = client.get(f"/pengaduan/{code}")
    assert status.status_code == 200
    assert status.headers["Cache-Control"] == "no-store"
    assert "Pengaduan diterima" in text_of(status)
    # Typed with dashes and in lower case, it leads to the same page.
    form = client.get(f"/pengaduan/lacak?kode={shown.lower()}")
    assert form.status_code == 302 and form.headers["Location"].endswith(f"/pengaduan/{code}")

    qr = client.get(f"/pengaduan/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert f"/pengaduan/{code}" in text_of(qr)


def test_a_wrong_code_reveals_nothing(client):
    _complaint, code = make()
    wrong = ("2" if code[0] != "2" else "3") + code[1:]
    response = client.get(f"/pengaduan/{wrong}")
    assert response.status_code == 404
    # The same page as for any other wrong or malformed code (only the address differs).
    other = services.new_code()
    for probe in (other, "not-a-code"):
        unknown = client.get(f"/pengaduan/{probe}")
        assert unknown.status_code == 404
        assert text_of(response).replace(wrong, "") == text_of(unknown).replace(probe, "")
    assert "Halaman tidak ditemukan" in text_of(response)
    assert client.get(f"/pengaduan/{wrong}/qr.svg").status_code == 404
    assert client.get("/pengaduan/not-a-code").status_code == 404
    bad = client.get("/pengaduan/lacak?kode=xyz&lang=en")
    assert bad.status_code == 400
    assert "A tracking code has 12 letters and digits" in text_of(bad)


def test_another_code_reveals_nothing_of_a_complaint(client, make_user):
    operator = make_user("operator")
    first, first_code = make(description="Pengaduan pertama tentang beras rusak.")
    second, second_code = make(description="Pengaduan kedua tentang antrean panjang.")
    services.reply(second, actor=operator, body="Balasan rahasia untuk pengadu kedua.")
    page = text_of(client.get(f"/pengaduan/{first_code}"))
    assert "Balasan rahasia" not in page and "antrean" not in page
    assert services.format_code(second_code) not in page
    # The status page does not echo the complaint's text or anyone's name either.
    assert "beras rusak" not in page
    assert "Balasan rahasia" in text_of(client.get(f"/pengaduan/{second_code}"))


def test_guessing_codes_is_rate_limited(client, app):
    app.config["COMPLAINT_TRACK_LIMIT"] = "5 per minute"
    _complaint, code = make()
    for _ in range(5):
        assert client.get(f"/pengaduan/{services.new_code()}").status_code == 404
    # The budget is shared by every way of trying a code, and the right code waits too.
    assert client.get(f"/pengaduan/{code}").status_code == 429
    assert client.get(f"/pengaduan/lacak?kode={code}").status_code == 429


def test_filing_is_rate_limited(client, app):
    app.config["COMPLAINT_FILE_LIMIT"] = "2 per hour"
    file_via_form(client)
    file_via_form(client)
    response = client.post("/pengaduan", data=FORM, content_type="multipart/form-data")
    assert response.status_code == 429
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2


@pytest.fixture
def csrf_app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def test_the_form_needs_its_csrf_token(app_config, tmp_path, monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_INSTANCE", str(tmp_path / "csrf-instance"))
    strict = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    with strict.app_context():
        response = strict.test_client().post("/pengaduan", data=FORM)
        assert response.status_code == 400
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
        db.session.remove()
        db.engine.dispose()


# --- anonymity -----------------------------------------------------------------------


def _everything_stored(complaint_id: int) -> str:
    rows = [
        db.session.execute(text("SELECT * FROM complaint WHERE id = :id"), {"id": complaint_id})
        .one()
        ._asdict()
    ]
    rows += [
        r._asdict()
        for r in db.session.execute(
            text("SELECT * FROM complaint_step WHERE complaint_id = :id"), {"id": complaint_id}
        )
    ]
    rows += [r._asdict() for r in db.session.execute(text("SELECT * FROM audit_entry"))]
    return repr(rows)


def test_an_anonymous_complaint_stores_no_identity(client, login_as, caplog):
    resident = login_as("resident", name="Siti Rahayu Warga")
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    caplog.set_level("DEBUG")
    data = {
        **FORM,
        # Typed, then "anonymous" chosen after all: the name must still go nowhere.
        "reporter_name": "Siti Rahayu Warga",
        "reporter_contact": "081234567890",
    }
    response = client.post(
        "/pengaduan",
        data=data,
        content_type="multipart/form-data",
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
    )
    assert response.status_code == 302
    complaint = db.session.scalars(select(Complaint)).one()
    assert complaint.anonymous is True
    assert complaint.reporter_name is None and complaint.reporter_contact is None
    stored = _everything_stored(complaint.id)
    for secret in ("Siti", "Rahayu", "081234567890", "203.0.113.77"):
        assert secret not in stored, secret
        assert secret not in caplog.text, secret
    # No row carries the resident's id: not the complaint, its steps or the audit log.
    entries = db.session.scalars(select(AuditEntry)).all()
    assert len(entries) == before + 1
    assert all(e.actor_id != resident.id and e.ip is None for e in entries)
    assert db.session.scalar(select(ComplaintStep.actor_id)) is None


def test_a_named_complaint_keeps_name_and_contact_for_staff(client, login_as):
    _page, code = file_via_form(
        client,
        identity="named",
        reporter_name="Budi Santoso",
        reporter_contact="081298765432",
    )
    complaint = services.find_by_code(code)
    assert complaint.anonymous is False
    assert complaint.reporter_name == "Budi Santoso"
    # Not on the public status page.
    assert "Budi" not in text_of(client.get(f"/pengaduan/{code.replace('-', '')}"))
    operator = login_as("operator")
    page = text_of(client.get(f"/staf/pengaduan/{complaint.id}"))
    assert "Budi Santoso" in page and "081298765432" in page
    # Opening a record with a name in it is written to the audit log.
    read = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint.read"))
    assert [e.actor_id for e in read] == [operator.id]


def test_the_database_refuses_a_name_on_an_anonymous_complaint(app):
    complaint, _code = make()
    with pytest.raises(Exception):  # noqa: B017  (IntegrityError, whichever driver)
        db.session.execute(
            update(Complaint).where(Complaint.id == complaint.id).values(reporter_name="X")
        )
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    ("lang", "messages"),
    [
        ("en", ["Choose a category.", "Please fill in this field."]),
        ("id", ["Pilih kategori.", "Mohon isi kolom ini."]),
    ],
)
def test_form_errors_in_both_languages_keep_what_was_typed(client, lang, messages):
    data = {
        **FORM,
        "category": "",
        "description": "",
        "rt": "12",
        "identity": "named",
        "reporter_name": "Ani",
    }
    response = client.post(f"/pengaduan?lang={lang}", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = text_of(response)
    for message in messages:
        assert message in page
    assert 'id="category-error"' in page and 'id="description-error"' in page
    assert 'value="12"' in page and 'value="Ani"' in page
    named = client.post(
        f"/pengaduan?lang={lang}",
        data={**FORM, "identity": "named", "reporter_name": "Ani"},
        content_type="multipart/form-data",
    )
    expected = {
        "en": "Enter a phone number or an e-mail address so that we can reach you.",
        "id": "Masukkan nomor telepon atau alamat e-mail agar kami dapat menghubungi Anda.",
    }[lang]
    assert expected in text_of(named) and 'id="reporter_contact-error"' in text_of(named)
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0


# --- photos --------------------------------------------------------------------------


def test_a_photo_is_re_encoded_without_exif_and_kept_outside_static(client, app, login_as):
    raw = jpeg_with_exif()
    assert b"SecretCam" in raw
    _page, code = file_via_form(client, photo=(io.BytesIO(raw), "foto.jpg"))
    complaint = services.find_by_code(code)
    path = services.photo_path(complaint)
    assert path and path.startswith(app.instance_path)
    assert not path.startswith(app.static_folder)
    with open(path, "rb") as fh:
        stored = fh.read()
    assert b"SecretCam" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()
    # Only staff who may see the complaint get the photo.
    assert client.get(f"/staf/pengaduan/{complaint.id}/foto").status_code == 302
    login_as("operator")
    photo = client.get(f"/staf/pengaduan/{complaint.id}/foto")
    assert photo.status_code == 200 and photo.data == stored


def _broken_png() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (100, 100), os.urandom(30000)).save(out, format="PNG")
    return out.getvalue()[:-400]


@pytest.mark.parametrize(
    ("payload", "name", "message"),
    [
        (b"MZ\x90\x00" + os.urandom(2000), "foto.jpg", "not a PNG, JPEG or WebP image"),
        (_broken_png(), "foto.png", "damaged or incomplete"),
        ("oversize", "foto.png", "larger than"),
    ],
)
def test_a_bad_upload_is_refused_beside_the_field(client, app, payload, name, message):
    if payload == "oversize":
        app.config["COMPLAINT_UPLOAD_MAX_BYTES"] = 20_000
        out = io.BytesIO()
        Image.frombytes("RGB", (200, 200), os.urandom(120_000)).save(out, format="PNG")
        payload = out.getvalue()
        assert len(payload) > 20_000
    data = {**FORM, "photo": (io.BytesIO(payload), name)}
    response = client.post("/pengaduan?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and 'id="photo-error"' in page
    assert "Beras bantuan dijual kembali" in page  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    folder = os.path.join(app.instance_path, "uploads", "complaints")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


# --- routing of complaints about staff -------------------------------------------------


def test_a_complaint_naming_a_staff_member_is_routed_away_from_them(client, make_user, login_as):
    named = make_user("operator", name="Pak Joko Operator")
    other_operator = make_user("operator")
    complaint, _code = make(named_staff_id=named.id, category="unfair")
    plain, _ = make(description="Antrean di kantor desa terlalu lama sekali.")

    # Queries: the person named and the other operators do not see it.
    assert services.get_for(named, complaint.id) is None
    assert services.get_for(other_operator, complaint.id) is None
    assert services.get_for(named, plain.id) is not None

    # Views: as the named operator, the list does not show it and its pages answer 404.
    with client.session_transaction() as session:
        session.clear()
    from portal.accounts import staff_session

    with client.session_transaction() as session:
        session["_user_id"] = named.get_id()
        session["_fresh"] = True
        staff_session.mark_seen(session)
        staff_session.mark_verified(named, session)
    listing = text_of(client.get("/staf/pengaduan/"))
    assert f'/staf/pengaduan/{plain.id}"' in listing
    assert f'/staf/pengaduan/{complaint.id}"' not in listing
    for url in (f"/staf/pengaduan/{complaint.id}", f"/staf/pengaduan/{complaint.id}/foto"):
        assert client.get(url).status_code == 404
    for action in ("triase", "tugaskan", "balas", "catatan", "tutup"):
        response = client.post(f"/staf/pengaduan/{complaint.id}/{action}", data={})
        assert response.status_code == 404, action
    assert client.get("/staf/pengaduan/?terlambat=1").status_code == 200

    # The BPD / village head (auditor) and an admin see it.
    login_as("auditor")
    listing = text_of(client.get("/staf/pengaduan/"))
    assert f'/staf/pengaduan/{complaint.id}"' in listing
    page = client.get(f"/staf/pengaduan/{complaint.id}")
    assert page.status_code == 200 and "Pak Joko Operator" in text_of(page)
    # ... but auditors only read.
    assert client.post(f"/staf/pengaduan/{complaint.id}/catatan", data={}).status_code == 403
    admin = login_as("admin")
    assert client.get(f"/staf/pengaduan/{complaint.id}").status_code == 200
    services.note(complaint, actor=admin, body="Diteruskan ke kepala desa.")


def test_a_named_admin_does_not_see_it_but_another_admin_does(make_user):
    named_admin = make_user("admin")
    other_admin = make_user("admin")
    auditor = make_user("auditor")
    complaint, _ = make(named_staff_id=named_admin.id)
    assert services.get_for(named_admin, complaint.id) is None
    assert services.get_for(other_admin, complaint.id) is not None
    assert services.get_for(auditor, complaint.id) is not None
    listed = services.staff_page(named_admin)[0].items
    assert complaint.id not in {c.id for c in listed}
    assert complaint.id in {c.id for c in services.staff_page(other_admin)[0].items}
    # It cannot be handed to the person it names, nor to an operator.
    operator = make_user("operator")
    assignable = {u.id for u in services.assignable(complaint)}
    assert named_admin.id not in assignable and operator.id not in assignable
    assert other_admin.id in assignable
    with pytest.raises(services.ComplaintError):
        services.assign(complaint, actor=other_admin, assignee_id=named_admin.id)
    with pytest.raises(PermissionError):
        services.note(complaint, actor=named_admin, body="Saya tidak bersalah.")


def test_a_typed_staff_name_is_flagged_and_routed(client, make_user, login_as):
    make_user("operator", name="Bu Sari")
    _page, code = file_via_form(
        client, named_staff="lain", named_staff_other="Pak Kadus yang berkumis"
    )
    complaint = services.find_by_code(code)
    assert complaint.named_staff_id is None
    assert complaint.named_staff_text == "Pak Kadus yang berkumis"
    operator = login_as("operator")
    assert services.get_for(operator, complaint.id) is None
    assert client.get(f"/staf/pengaduan/{complaint.id}").status_code == 404
    login_as("auditor")
    page = text_of(client.get(f"/staf/pengaduan/{complaint.id}?lang=en"))
    assert "Pak Kadus yang berkumis" in page and "not checked" in page


def test_choosing_someone_else_needs_a_name(client):
    response = client.post(
        "/pengaduan?lang=en",
        data={**FORM, "named_staff": "lain"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Type the name, or choose a name from the list." in text_of(response)


def test_the_public_form_lists_staff_by_name(client, make_user):
    operator = make_user("operator", name="Bu Wulan Operator")
    make_user("resident", name="Warga Biasa")
    page = text_of(client.get("/pengaduan"))
    assert f'value="{operator.id}"' in page and "Bu Wulan Operator" in page
    assert "Warga Biasa" not in page
    _page, code = file_via_form(client, named_staff=str(operator.id))
    assert services.find_by_code(code).named_staff_id == operator.id


# --- staff steps, overdue flag, statistics --------------------------------------------


def test_staff_triage_assign_reply_note_close_each_dated_signed_and_audited(
    app, client, login_as, make_user
):
    colleague = make_user("operator", name="Pak Rudi")
    _page, code = file_via_form(client)
    complaint = services.find_by_code(code)
    operator = login_as("operator", name="Bu Ani")
    base = f"/staf/pengaduan/{complaint.id}"
    assert (
        client.post(f"{base}/triase", data={"category": "service", "priority": "high"}).status_code
        == 302
    )
    assert client.post(f"{base}/tugaskan", data={"assignee": str(colleague.id)}).status_code == 302
    assert (
        client.post(f"{base}/balas", data={"reply_body": "Kami sedang memeriksanya."}).status_code
        == 302
    )
    assert client.post(f"{base}/catatan", data={"note_body": "Cek gudang RT 3."}).status_code == 302
    empty = client.post(f"{base}/tutup?lang=en", data={"resolution": ""})
    assert empty.status_code == 400 and "Please fill in this field." in text_of(empty)
    assert client.post(f"{base}/tutup", data={"resolution": "Beras diganti."}).status_code == 302

    db.session.refresh(complaint)
    assert (complaint.category, complaint.priority, complaint.status) == (
        "service",
        "high",
        "closed",
    )
    assert complaint.assigned_to_id == colleague.id
    assert complaint.first_response_at is not None and complaint.closed_at is not None
    steps = services.all_steps(complaint)
    assert [s.kind for s in steps] == ["filed", "triaged", "assigned", "replied", "note", "closed"]
    assert all(s.at is not None for s in steps)
    assert all(s.actor_id == operator.id and s.actor_name == "Bu Ani" for s in steps[1:])
    actions = set(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == operator.id))
    )
    assert {
        "complaint.triage",
        "complaint.assign",
        "complaint.reply",
        "complaint.note",
        "complaint.close",
    } <= actions

    # The complainant sees every public step with its date, never the internal note
    # nor who on the staff did what.
    complainant = app.test_client()  # not logged in, as the complainant
    status = text_of(complainant.get(f"/pengaduan/{code.replace('-', '')}?lang=en"))
    for label in ("Complaint received", "Reviewed by the village office", "Handed to an officer"):
        assert label in status
    assert "Kami sedang memeriksanya." in status and "Beras diganti." in status
    assert "Cek gudang" not in status and "Bu Ani" not in status and "Pak Rudi" not in status
    # Closed is final.
    again = client.post(f"{base}/balas?lang=en", data={"reply_body": "Lagi."})
    assert again.status_code == 400 and "This complaint is closed." in text_of(again)
    with pytest.raises(services.ComplaintError):
        services.close(complaint, actor=operator, resolution="Dua kali.")


def test_steps_cannot_be_rewritten(app):
    complaint, _ = make()
    with pytest.raises(Exception):  # noqa: B017  (the trigger's error, whichever driver)
        db.session.execute(update(ComplaintStep).values(body="diubah"))
        db.session.flush()
    db.session.rollback()


def test_a_complaint_without_an_answer_for_three_days_is_flagged(client, login_as):
    operator = login_as("operator")
    old, _ = make(description="Pengaduan lama yang belum dijawab sama sekali.")
    recent, _ = make(description="Pengaduan baru dari kemarin sore di RT 4.")
    answered, _ = make(description="Pengaduan lama yang sudah dijawab petugas.")
    for item, age in ((old, 4), (recent, 2), (answered, 5)):
        db.session.execute(
            update(Complaint)
            .where(Complaint.id == item.id)
            .values(created_at=utcnow() - timedelta(days=age))
        )
    db.session.commit()
    services.reply(answered, actor=operator, body="Sudah kami tangani.")

    # The page with its count and the overdue count come from one statement.
    overdue, late = services.staff_page(operator, overdue=True)
    assert ([c.id for c in overdue.items], overdue.total, late) == ([old.id], 1, 1)
    everything, late = services.staff_page(operator)
    assert old.id in {c.id for c in everything.items} and late == 1
    still_open = select(func.count()).select_from(Complaint).where(Complaint.status != "closed")
    assert everything.total == len(everything.items) == db.session.scalar(still_open)
    # A page past the end has no rows to carry the counts: they are counted alone.
    beyond, late = services.staff_page(operator, page=99)
    assert (beyond.items, beyond.total, late) == ([], everything.total, 1)
    page = text_of(client.get("/staf/pengaduan/?terlambat=1&lang=en"))
    assert f'/staf/pengaduan/{old.id}"' in page
    assert f'/staf/pengaduan/{recent.id}"' not in page
    assert "Overdue" in page
    full = text_of(client.get("/staf/pengaduan/?lang=en"))
    assert full.count('tag tag-danger">Overdue<') == 1
    assert "1 complaint has had no answer for more than 3 days." in full
    detail = text_of(client.get(f"/staf/pengaduan/{old.id}?lang=en"))
    assert "No answer for more than 3 days." in detail


def test_public_statistics(client, make_user):
    operator = make_user("operator")
    items = [make(category=c)[0] for c in ("misuse", "misuse", "missed", "service")]
    for item, days in ((items[0], 2), (items[1], 4)):
        db.session.execute(
            update(Complaint)
            .where(Complaint.id == item.id)
            .values(created_at=utcnow() - timedelta(days=days))
        )
    db.session.commit()
    services.close(items[0], actor=operator, resolution="Selesai.")
    services.close(items[1], actor=operator, resolution="Selesai.")
    result = services.statistics()
    assert (result.received, result.resolved, result.open) == (4, 2, 2)
    assert result.median_days == pytest.approx(3.0, abs=0.1)
    assert ("misuse", 2, 2) in result.by_category and ("missed", 1, 0) in result.by_category
    # Two were back-dated by days, so (early in a month) they may fall in the last one.
    assert sum(got for _, got, _ in result.by_month) == 4
    assert sum(done for *_, done in result.by_month) == 2
    now = utcnow()
    assert result.by_month[-1][0] == date(now.year, now.month, 1)
    assert result.by_month[-1][2] == 2  # both closed just now
    page = text_of(client.get("/pengaduan/statistik?lang=en"))
    assert "Median time to resolve" in page and "3 days" in page
    assert "Misuse of aid" in page
    assert "Selesai." not in page  # numbers only


def test_the_nav_links_to_complaints_in_both_languages(client):
    assert ">Pengaduan<" in text_of(client.get("/"))
    assert ">Complaints<" in text_of(client.get("/?lang=en"))


def test_demo_complaints_cover_every_state(client):
    from portal.devdata.complaints import DEMO_CODE
    from portal.devdata.village import seed

    seed(0)
    statuses = set(db.session.scalars(select(Complaint.status)))
    assert statuses == {"received", "in_review", "answered", "closed"}
    operator = db.session.scalars(
        select(services.User).where(services.User.role == "operator")
    ).first()
    assert services.staff_page(operator)[1] >= 1
    # The complaint about the operator is routed away from them.
    about = db.session.scalars(select(Complaint).where(Complaint.named_staff_id.is_not(None)))
    assert all(services.get_for(operator, c.id) is None for c in about)
    page = text_of(client.get(f"/pengaduan/{DEMO_CODE}?lang=en"))
    assert "Reply from the village office" in page and "Kunjungan rumah" not in page


@pytest.mark.concurrency
def test_two_staff_closing_at_once_close_it_once(app, make_user):
    """8 threads, each with its own app context and session, close the same complaint:
    one succeeds, the others are told it is closed; one closing step, one resolution."""
    import threading

    operator_id = make_user("operator").id
    complaint_id = make()[0].id
    db.session.commit()
    barrier = threading.Barrier(8, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def close(n: int):
        with app.app_context():
            actor = db.session.get(services.User, operator_id)
            item = db.session.get(Complaint, complaint_id)
            db.session.commit()  # give the connection back before waiting
            barrier.wait()
            try:
                services.close(item, actor=actor, resolution=f"Penyelesaian {n}.")
                result = "ok"
            except services.ComplaintError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=close, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 7, outcomes
    db.session.expire_all()
    steps = db.session.scalars(
        select(ComplaintStep).where(
            ComplaintStep.complaint_id == complaint_id, ComplaintStep.kind == "closed"
        )
    ).all()
    assert len(steps) == 1
    assert db.session.get(Complaint, complaint_id).resolution == steps[0].body


def _staff_urls(app):
    from tests.test_routes_roles import _url_for_rule

    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("complaints_manage."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, _url_for_rule(rule)


@pytest.mark.parametrize("role", ["anonymous", "resident", "partner", "trainer", "auditor"])
def test_the_role_walk_over_the_staff_complaint_pages(app, client, login_as, role):
    if role != "anonymous":
        login_as(role)
    urls = list(_staff_urls(app))
    assert len(urls) == 8
    for method, url in urls:
        response = client.open(url, method=method)
        if role == "anonymous":
            assert response.status_code == 302 and "/masuk" in response.headers["Location"]
        elif role == "auditor" and method == "GET":
            assert response.status_code in (200, 404), url  # 404: complaint 1 is missing
        else:
            assert response.status_code == 403, (role, method, url)


# --- every message in the reader's language ------------------------------------------

BAD_INPUT = {
    "ComplaintForm": {
        "category": "bogus",
        "description": "pendek",
        "rt": "1234",
        "rw": "1234",
        "named_staff": "999",
        "identity": "bogus",
        "reporter_name": "x" * 121,
        "reporter_contact": "x" * 121,
    },
    "TrackForm": {"kode": "zz"},
    "TriageForm": {"category": "bogus", "priority": "bogus"},
    "AssignForm": {"assignee": "999"},
    "ReplyForm": {"reply_body": "x" * 4001},
    "NoteForm": {"note_body": ""},
    "CloseForm": {"resolution": ""},
}


def _errors(app, lang, name, data, staff_choices):
    from portal.complaints import forms

    # A fresh app context each time: Flask-Babel keeps the locale on `g`.
    with app.app_context(), app.test_request_context(f"/?lang={lang}", method="POST", data=data):
        form = getattr(forms, name)()
        if name == "ComplaintForm":
            form.set_staff([])
        if name == "AssignForm":
            form.assignee.choices = staff_choices
        assert not form.validate()
        return sorted(str(m) for messages in form.errors.values() for m in messages)


@pytest.mark.parametrize(
    ("name", "staff"), [(name, True) for name in sorted(BAD_INPUT)] + [("AssignForm", False)]
)
def test_every_message_on_the_complaint_forms_is_in_the_readers_language(app, name, staff):
    """WTForms' own messages too ("Not a valid choice.", e.g. when nobody can be handed
    the complaint): none is the same in Indonesian as in English."""
    from portal.forms import choices

    staff_choices = choices({"1": "Bu Ani"}) if staff else []
    english = _errors(app, "en", name, BAD_INPUT[name], staff_choices)
    indonesian = _errors(app, "id", name, BAD_INPUT[name], staff_choices)
    assert english and len(english) == len(indonesian)
    assert not set(english) & set(indonesian), (english, indonesian)
    assert "Not a valid choice." not in indonesian


def test_handing_over_explains_a_bad_or_missing_choice_in_indonesian(
    client, login_as, make_user, monkeypatch
):
    complaint, _code = make()
    login_as("operator")
    bogus = client.post(f"/staf/pengaduan/{complaint.id}/tugaskan", data={"assignee": "999"})
    assert bogus.status_code == 400
    assert "Pilihan ini tidak tersedia" in text_of(bogus)
    assert "Not a valid choice" not in text_of(bogus)
    monkeypatch.setattr(services, "assignable", lambda _complaint: [])
    page = text_of(client.get(f"/staf/pengaduan/{complaint.id}"))
    assert "Tidak ada perangkat desa yang dapat menangani pengaduan ini." in page
    assert 'name="assignee"' not in page
    nobody = client.post(f"/staf/pengaduan/{complaint.id}/tugaskan", data={"assignee": "1"})
    assert nobody.status_code == 400 and "Not a valid choice" not in text_of(nobody)
    assert "Tidak ada perangkat desa" in text_of(nobody)
    english = client.post(f"/staf/pengaduan/{complaint.id}/tugaskan?lang=en", data={})
    assert "No staff member can take this complaint." in text_of(english)


def test_the_blank_reply_note_and_closing_fields_come_back_blank_after_an_error(client, login_as):
    """A GET's blank fields are kept per worker (kept_fragment): a reply sent back with
    an error shows what was typed and the error, and the next GET is blank again."""
    complaint, _code = make()
    login_as("operator")
    base = f"/staf/pengaduan/{complaint.id}"
    blank = client.get(base, query_string={"lang": "en"}).get_data(as_text=True)
    sent = client.post(f"{base}/balas?lang=en", data={"reply_body": "x" * 5000})
    assert sent.status_code == 400
    assert "x" * 5000 in sent.get_data(as_text=True)
    again = client.get(base, query_string={"lang": "en"}).get_data(as_text=True)
    assert "x" * 5000 not in again and 'aria-invalid="true"' not in again

    def forms(html: str) -> str:
        return html[html.index('id="reply_body"') : html.index("</main>")]

    assert forms(again) == forms(blank)
