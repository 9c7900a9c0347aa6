"""The staff pages of announcements, meetings, programmes, courses and distribution
rounds link to their poster and flyer, once the page is public (and only then)."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests import factories
from tests.distribution_helpers import approved_round
from tests.test_csr import pdf_text
from tests.training_helpers import course


def _links(page: str, kind: str, item_id: int) -> bool:
    return all(f"/staf/kabar/poster/{kind}/{item_id}/{size}.pdf" in page for size in ("a4", "a6"))


def test_announcement_meeting_and_course_pages_link_their_posters(client, login_as):
    login_as("operator")
    news = factories.announcement(title_id="Pembagian beras RT 3")
    draft = factories.announcement(published=False, title_id="Belum terbit")
    meeting = factories.meeting(title_id="Musyawarah Desa Khusus")
    shown, hidden = course(), course(published=False)
    db.session.commit()
    for path, kind, item_id in (
        (f"/staf/pengumuman/{news.id}", "announcement", news.id),
        (f"/staf/musyawarah/{meeting.id}", "meeting", meeting.id),
        (f"/staf/pelatihan/kursus/{shown.id}", "course", shown.id),
    ):
        page = client.get(path).get_data(as_text=True)
        assert _links(page, kind, item_id), path
        assert client.get(f"/staf/kabar/poster/{kind}/{item_id}/a4.pdf").status_code == 200
    assert "/staf/kabar/poster/" not in client.get(f"/staf/pengumuman/{draft.id}").get_data(
        as_text=True
    )
    page = client.get(f"/staf/pelatihan/kursus/{hidden.id}").get_data(as_text=True)
    assert "/staf/kabar/poster/" not in page


def test_an_approved_round_prints_its_poster_from_its_staff_page(app, client, login_as, make_user):
    round_, _version, _operator, _head = approved_round(make_user, households=12)
    login_as("operator")
    page = client.get(f"/staf/penyaluran/{round_.id}").get_data(as_text=True)
    assert _links(page, "round", round_.id)
    for size in ("a4", "a6"):
        response = client.get(f"/staf/kabar/poster/round/{round_.id}/{size}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = pdf_text(response.data)
        assert all(word in text for word in round_.title_id.split())
        assert "KTP" in text


def test_the_poster_page_and_the_audiences_read_every_kind_at_once(app, make_user):
    """hooks.choices_of reads the providers' choices in one statement: the same choices,
    in the same order, as each provider's choices() alone, in both languages."""
    from flask_babel import force_locale
    from sqlalchemy import event

    from portal.notify import hooks

    approved_round(make_user, households=3)
    for n in range(3):
        factories.announcement(title_id=f"Pengumuman {n}", title_en=f"Notice {n}")
        factories.meeting(title_id=f"Musyawarah {n}")
        course(title_id=f"Kursus {n}")
    course(published=False)
    db.session.commit()
    statements = []

    def counted(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        for lang in ("id", "en"):
            with app.test_request_context(), force_locale(lang):
                for providers in (hooks.posters(), hooks.audiences()):
                    alone = {kind: p.choices() for kind, p in providers.items()}
                    assert all(alone.values())
                    statements.clear()
                    assert hooks.choices_of(providers) == alone
                    assert len(statements) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_poster_links_html_writes_what_the_macro_writes(app, lang):
    """notify/poster_html.py's links (the staff round page's, written in Python) are the
    _poster_links.html macro's markup, byte for byte."""
    from flask import render_template_string, url_for

    from portal.notify.poster_html import poster_links_html

    with app.test_request_context("/staf/penyaluran/1", headers={"Accept-Language": lang}):
        for kind, item_id in (("round", 1), ("announcement", 12)):
            old = render_template_string(
                '{% from "notify/_poster_links.html" import poster_links %}'
                "{{ poster_links(kind, item_id) }}|",
                kind=kind,
                item_id=item_id,
            )
            assert poster_links_html(kind, item_id, url_for) + "|" == old
    assert "/staf/kabar/poster/announcement/12/a6.pdf" in old
