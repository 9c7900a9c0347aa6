"""A complaint that names a staff member: its audit entries are read only by those who
may read the complaint (village head and BPD as auditors, admins), never by the
person named nor by the other operators."""

from __future__ import annotations

from portal.accounts import staff_session
from portal.complaints import services


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        staff_session.mark_seen(session)
        staff_session.mark_verified(user, session)


def audit_page(client, user, **args) -> str:
    sign_in(client, user)
    response = client.get("/staf/audit/", query_string={"lang": "en", **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def file(**fields):
    fields.setdefault("category", "unfair")
    fields.setdefault("anonymous", True)
    complaint, _code = services.file_complaint(
        description="Petugas meminta uang untuk pendaftaran bantuan.", **fields
    )
    return complaint


def test_the_named_operator_reads_no_entry_of_the_complaint_about_them(client, make_user):
    named = make_user("operator", name="Pak Joko Operator")
    other_operator = make_user("operator")
    auditor = make_user("auditor")
    admin = make_user("admin")
    about_staff = file(named_staff_id=named.id)
    services.note(about_staff, actor=admin, body="Diteruskan ke kepala desa.")
    typed = file(named_staff_text="Pak Budi dari kantor desa")
    plain = file(category="service")

    for reader in (named, other_operator):
        for complaint in (about_staff, typed):
            page = audit_page(client, reader, objek="complaint", id=complaint.id)
            assert "<td>complaint.filed</td>" not in page and "No entries match." in page
        page = audit_page(client, reader)
        assert f"complaint {about_staff.id}<" not in page
        assert "<td>complaint.note</td>" not in page and "Diteruskan" not in page
        # A complaint naming nobody stays in the log for operators.
        assert "<td>complaint.filed</td>" in audit_page(
            client, reader, objek="complaint", id=plain.id
        )

    for reader in (auditor, admin):
        page = audit_page(client, reader, objek="complaint", id=about_staff.id)
        assert "<td>complaint.filed</td>" in page and "<td>complaint.note</td>" in page
        assert "<td>complaint.filed</td>" in audit_page(
            client, reader, objek="complaint", id=typed.id
        )


def test_a_named_auditor_does_not_read_the_entries_but_another_does(client, make_user):
    village_head = make_user("auditor", name="Kepala Desa")
    bpd = make_user("auditor", name="Ketua BPD")
    complaint = file(named_staff_id=village_head.id)
    page = audit_page(client, village_head, objek="complaint", id=complaint.id)
    assert "<td>complaint.filed</td>" not in page
    assert "<td>complaint.filed</td>" in audit_page(client, bpd, objek="complaint", id=complaint.id)


def test_an_htmx_swap_of_the_log_shows_the_entries_without_the_menus(client, make_user):
    admin = make_user("admin")
    file(category="service")
    sign_in(client, admin)
    response = client.get(
        "/staf/audit/",
        query_string={"lang": "en", "objek": "complaint"},
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<td>complaint.filed</td>" in page and "1 entry." in page
    assert "<select" not in page and "<html" not in page


def test_the_count_of_all_less_the_hidden_is_the_count_of_the_readable(app, make_user):
    """The log page counts the entries a reader may read as all matching entries less
    the hidden ones (visibility.hidden_from): the same number as counting the readable
    ones, and as the rows shown, for every reader and filter; an entry of a complaint
    without a number is counted and shown alike."""
    from portal.audit import services as audit
    from portal.audit.visibility import hidden_from, readable_by
    from portal.extensions import db

    named = make_user("operator", name="Pak Joko Operator")
    readers = [named, make_user("operator"), make_user("auditor"), make_user("admin")]
    about_staff = file(named_staff_id=named.id)
    services.note(about_staff, actor=readers[3], body="Diteruskan ke kepala desa.")
    file(named_staff_text="Pak Budi dari kantor desa")
    plain = file(category="service")
    audit.record("export", "complaint", None, summary="tanpa nomor")
    audit.record("create", "household", 7)
    db.session.commit()

    filter_sets = [{}, {"object_type": "complaint"}, {"object_id": str(about_staff.id)}]
    filter_sets += [{"object_id": str(plain.id)}, {"action": "create"}]
    for reader in readers:
        readable, hidden = readable_by(reader), hidden_from(reader)
        for filters in filter_sets:
            rows, total, known = audit.log_page(
                readable, page=1, per_page=500, menus=True, hidden=hidden, **filters
            )
            _rows, counted, _ = audit.log_page(
                readable, page=1, per_page=500, menus=False, **filters
            )
            _rows, fast, _ = audit.log_page(
                readable, page=1, per_page=500, menus=False, hidden=hidden, **filters
            )
            assert total == counted == fast == len(rows), (reader.role, filters)
            assert known == audit.known_values()
        everything, total, _ = audit.log_page(readable, page=1, per_page=500, menus=False)
        assert any(r.summary == "tanpa nomor" for r in everything)
        shown = {r.object_id for r in everything if r.object_type == "complaint"}
        assert (str(about_staff.id) in shown) is (reader is not named and reader.role != "operator")
        assert str(plain.id) in shown
