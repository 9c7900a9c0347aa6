"""The printed list: the households a list broadcast targets that no subscribed phone
reaches, counted in the preview and printed per RT with masked names (staff only)."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.lists.models import ListVersionRow
from portal.notify import printed
from portal.notify.services import broadcasts
from portal.privacy import mask_name
from portal.registry.models import Household
from tests.notify_helpers import broadcast, subscriber
from tests.test_lists import published, village  # noqa: F401  (fixture)
from tests.test_notify_pages import _resident_of


def _list_broadcast(app, village, make_user):  # noqa: F811
    _p, version, _d, operator, _h = published(village, make_user)
    listed = db.session.scalars(
        select(ListVersionRow.household_id)
        .where(ListVersionRow.version_id == version.id)
        .order_by(ListVersionRow.household_id)
    ).all()
    # listed[0]: a subscribed phone; listed[1]: a phone, not subscribed; the rest: none.
    _resident_of(make_user, listed[0], "+6281311110001")
    _resident_of(make_user, listed[1], "+6281311110002")
    subscriber(operator, "+6281311110001", topics=("meetings",))
    with app.test_request_context():
        item = broadcast(operator, topic="programmes", audience="list", audience_ref=version.id)
    return item, listed, operator


def test_the_printed_list_holds_exactly_the_households_no_phone_reaches(
    app,
    village,  # noqa: F811
    make_user,
):
    item, listed, operator = _list_broadcast(app, village, make_user)
    missed = printed.households(item)
    assert sorted(e.household_id for e in missed) == sorted(listed[1:])
    with app.test_request_context():
        assert broadcasts.preview(item)["printed"] == len(listed) - 1
    # Grouped by RT, names masked.
    with app.test_request_context():
        groups = printed.by_rt(missed)
    names = [name for _label, group in groups for name in group]
    assert len(names) == len(listed) - 1
    heads = {e.name for e in missed if e.name}
    assert heads and not heads & set(names)
    assert {mask_name(n) for n in heads} <= set(names)
    rts = {h.rt for h in db.session.scalars(select(Household).where(Household.id.in_(listed[1:])))}
    assert len(groups) == len({(e.rt, e.rw) for e in missed}) and len(groups) >= len(rts) > 0
    # A topic broadcast has no printed list.
    topic = broadcast(operator)
    assert printed.households(topic) == []
    assert broadcasts.preview(topic)["printed"] == 0


def test_staff_print_the_list_and_others_may_not(
    app,
    client,
    login_as,
    village,  # noqa: F811
    make_user,
):
    item, listed, _operator = _list_broadcast(app, village, make_user)
    head = next(e.name for e in printed.households(item) if e.name)
    login_as("auditor")
    page = client.get(f"/staf/kabar/{item.id}?lang=en").get_data(as_text=True)
    assert f"{len(listed) - 1} households on the printed list" in page
    assert f"/staf/kabar/{item.id}/daftar-cetak.pdf" in page
    pdf = client.get(f"/staf/kabar/{item.id}/daftar-cetak.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert head.encode() not in pdf.data  # only masked names (text is compressed anyway)
    login_as("resident")
    assert client.get(f"/staf/kabar/{item.id}/daftar-cetak.pdf").status_code == 403


def test_the_printed_list_pdf_shows_masked_names_and_the_short_text(
    app,
    village,  # noqa: F811
    make_user,
):
    item, listed, _operator = _list_broadcast(app, village, make_user)
    missed = printed.households(item)
    with app.test_request_context():
        data = printed.render(item, missed)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Pembagian beras hari Sabtu" in text
    named = [e for e in missed if e.name]
    assert named and mask_name(named[0].name) in text and named[0].name not in text
    assert "RT " in text
