"""The public complaint form's blank fields are kept per worker (kept_fragment) under
the staff in its menu: a new staff member, or a renamed one, shows at once; a form sent
back with errors is written afresh, with what was typed."""

from __future__ import annotations


def test_the_kept_blank_form_follows_the_staff_menu(app, client, make_user):
    from portal.extensions import db

    first = client.get("/pengaduan?lang=en").get_data(as_text=True)
    assert client.get("/pengaduan?lang=en").get_data(as_text=True).count("<fieldset>") == 2
    officer = make_user("operator", name="Petugas Baru & Co")
    page = client.get("/pengaduan?lang=en").get_data(as_text=True)
    assert "Petugas Baru &amp; Co" in page and "Petugas Baru" not in first
    officer.name = "Petugas Lama"
    db.session.commit()
    page = client.get("/pengaduan?lang=en").get_data(as_text=True)
    assert "Petugas Lama" in page and "Petugas Baru" not in page
    page = client.get("/pengaduan?lang=id").get_data(as_text=True)
    assert "Petugas Lama" in page and "Your complaint" not in page


def test_a_form_with_errors_is_written_with_what_was_typed(app, client):
    client.get("/pengaduan")
    response = client.post("/pengaduan?lang=en", data={"description": "short <b>"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "short &lt;b&gt;" in page
    assert client.get("/pengaduan?lang=en").get_data(as_text=True).count("short") == 0
