"""Public pages: content, drafts hidden, search, pagination, htmx fragments, bad input."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests import factories


def text(response) -> str:
    return response.get_data(as_text=True)


def test_home_shows_latest_announcements_open_programmes_and_next_meetings(client):
    factories.announcement(title_id="Jadwal beras Desember")
    factories.announcement(title_id="Draf rahasia", published=False)
    factories.programme(name_id="Paket Pangan Keluarga")
    factories.programme(slug="tutup", name_id="Program Lama", is_open=False)
    factories.meeting(title_id="Musdesus BLT")
    page = text(client.get("/"))
    assert "Jadwal beras Desember" in page
    assert "Draf rahasia" not in page
    assert "Paket Pangan Keluarga" in page
    assert "Program Lama" not in page
    assert "Musdesus BLT" in page


def test_programme_page_shows_rules_and_contact(client):
    factories.programme(
        eligibility_id="Desil 1-4",
        benefits_id="Beras **10 kg**",
        collection_id="Balai Desa",
        contact_name="Ibu Sari",
        contact_phone="0812-1",
        benefit_value=300000,
    )
    page = text(client.get("/program/paket-pangan"))
    for expected in ("Desil 1-4", "<strong>10 kg</strong>", "Balai Desa", "Ibu Sari", "Rp 300.000"):
        assert expected in page
    assert client.get("/program/tidak-ada").status_code == 404


def test_draft_content_is_not_public(client):
    a = factories.announcement(published=False)
    m = factories.meeting(published=False)
    factories.programme(published=False)
    assert client.get(f"/pengumuman/{a.id}").status_code == 404
    assert client.get(f"/musyawarah/{m.id}").status_code == 404
    assert client.get("/program/paket-pangan").status_code == 404


def test_announcement_search_matches_every_word_in_either_language(client):
    factories.announcement(title_id="Pembagian beras", title_en="Rice handout")
    factories.announcement(title_id="Posyandu lansia", body_id="Pemeriksaan gratis")
    page = text(client.get("/pengumuman?q=rice"))
    assert "Pembagian beras" in page and "Posyandu lansia" not in page
    page = text(client.get("/pengumuman?q=posyandu+gratis"))
    assert "Posyandu lansia" in page and "Pembagian beras" not in page
    page = text(client.get("/pengumuman?q=posyandu+beras"))
    assert "Posyandu lansia" not in page and "Pembagian beras" not in page


def test_search_treats_like_wildcards_literally(client):
    factories.announcement(title_id="Diskon 50% sembako")
    factories.announcement(title_id="Tanpa persen")
    page = text(client.get("/pengumuman?q=%25"))
    assert "Diskon 50% sembako" in page and "Tanpa persen" not in page


def test_category_filter(client):
    factories.announcement(title_id="Pelatihan menjahit", category="training")
    factories.announcement(title_id="Beras", category="aid")
    page = text(client.get("/pengumuman?kategori=training"))
    assert "Pelatihan menjahit" in page and ">Beras<" not in page


def test_pinned_first_then_newest(client):
    factories.announcement(title_id="Lama tapi disematkan", pinned=True)
    factories.announcement(title_id="Paling baru")
    page = text(client.get("/pengumuman"))
    assert page.index("Lama tapi disematkan") < page.index("Paling baru")


def test_pagination_and_htmx_fragment(client):
    for i in range(23):
        factories.announcement(title_id=f"Pengumuman nomor {i:02d}")
    first = text(client.get("/pengumuman"))
    assert "<html" in first and 'rel="next"' in first
    third = client.get("/pengumuman?page=3")
    assert third.status_code == 200 and text(third).count('class="card"') == 3
    # The count read with the page: the same pages when searching, none past the end.
    found = client.get("/pengumuman?q=nomor&page=3")
    assert found.status_code == 200 and text(found).count('class="card"') == 3
    assert 'rel="next"' not in text(found) and 'rel="prev"' in text(found)
    for past in ("/pengumuman?page=4", "/pengumuman?q=nomor&page=4"):
        assert client.get(past).status_code == 404
    fragment = client.get("/pengumuman?page=2", headers={"HX-Request": "true"})
    assert "<html" not in text(fragment) and 'class="card"' in text(fragment)
    assert "HX-Request" in fragment.headers["Vary"]
    boosted = client.get("/pengumuman?page=2", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in text(boosted)


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=abc",
        "page=0",
        "page=99",
        "page=1.5",
        "page=",
        "page=99999999999",
        "kategori=nope",
        "kategori=%00",
    ],
)
def test_bad_query_strings_give_404_not_500(client, query):
    factories.announcement()
    response = client.get(f"/pengumuman?{query}")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in text(response) or "Page not found" in text(response)


@pytest.mark.parametrize("q", ["", " ", "x" * 5000, "<script>alert(1)</script>", "%", "'; drop"])
def test_odd_search_words_never_fail(client, q):
    factories.announcement()
    for url in ("/pengumuman", "/cari"):
        response = client.get(url, query_string={"q": q})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in text(response)


def test_too_long_search_is_shortened_with_a_note(client):
    response = client.get("/pengumuman", query_string={"q": "a" * 300, "lang": "en"})
    assert "shortened to 100 characters" in text(response)


def test_unknown_ids_give_404(client):
    for url in ("/pengumuman/999", "/musyawarah/999", "/pengumuman/abc", "/tidak-ada"):
        assert client.get(url).status_code == 404


def test_meetings_page_splits_upcoming_and_held_with_minutes(client):
    factories.meeting(title_id="Musdes depan", days=10)
    factories.meeting(title_id="Musdus lalu", days=-10, minutes_id="Hadir 40 warga.")
    page = text(client.get("/musyawarah"))
    assert page.index("Musdes depan") < page.index("Musdus lalu")
    held = db.session.query(factories.Meeting).filter_by(title_id="Musdus lalu").one()
    assert "Hadir 40 warga." in text(client.get(f"/musyawarah/{held.id}"))


def test_partners_grouped_by_kind(client):
    factories.partner(name="PT Maju", kind="company", website="https://example.com")
    factories.partner(name="PKK Desa", kind="institution")
    page = text(client.get("/mitra"))
    assert "PT Maju" in page and "PKK Desa" in page
    assert 'rel="noopener noreferrer nofollow"' in page


def test_site_search_finds_programmes_announcements_and_meetings(client):
    factories.programme(name_id="Bantuan sembako")
    factories.announcement(title_id="Jadwal sembako")
    factories.meeting(title_id="Rapat sembako")
    page = text(client.get("/cari?q=sembako"))
    assert "Bantuan sembako" in page and "Jadwal sembako" in page and "Rapat sembako" in page


def test_atom_feed_lists_published_announcements(client):
    factories.announcement(title_id="Kabar baik", title_en="Good news")
    factories.announcement(title_id="Draf", published=False)
    response = client.get("/pengumuman.atom")
    assert response.mimetype == "application/atom+xml"
    body = text(response)
    assert "<feed" in body and "Kabar baik" in body and "Draf" not in body
    assert "Good news" in text(client.get("/pengumuman.atom?lang=en"))


def test_markdown_is_sanitised(client):
    item = factories.announcement(
        body_id='Halo <script>alert("x")</script> [klik](javascript:alert(1)) '
        "<img src=x onerror=alert(1)> **tebal**"
    )
    page = text(client.get(f"/pengumuman/{item.id}"))
    assert "<script>alert" not in page
    assert 'href="javascript' not in page
    assert "onerror" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "<strong>tebal</strong>" in page


def test_healthz_reports_database_failure(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable"}


def test_error_pages_are_friendly_and_translated(client):
    assert "Halaman tidak ditemukan" in text(client.get("/tidak-ada"))
    assert "Page not found" in text(client.get("/tidak-ada?lang=en"))


def test_500_page_is_friendly(app, client):
    from portal.security import public

    @public
    def boom():
        raise RuntimeError("bug")

    app.add_url_rule("/boom-test", "boom_test", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom-test")
    assert response.status_code == 500
    assert "bug" not in text(response)
    assert "<html" in text(response)
