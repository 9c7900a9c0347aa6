"""The notify service's pages: a list's households reach exactly their subscribed
phones, staff pages and who may use them, posters and flyers as PDFs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.lists.models import ListVersionRow
from portal.models_base import utcnow
from portal.notify.models import Broadcast, OutboxMessage
from portal.notify.services import broadcasts
from portal.registry.models import Membership
from tests import factories
from tests.notify_helpers import broadcast, messages, subscriber
from tests.test_lists import published, village  # noqa: F401  (fixture)


def _resident_of(make_user, household_id: int, phone: str):
    person_id = db.session.scalar(
        select(Membership.person_id).where(
            Membership.household_id == household_id, Membership.end_date.is_(None)
        )
    )
    user = make_user("resident", username=None, phone=phone)
    user.person_id, user.verification_status, user.verified_at = person_id, "verified", utcnow()
    db.session.commit()
    return user


def test_a_list_broadcast_reaches_exactly_its_households_subscribed_phones(
    app,
    village,  # noqa: F811
    make_user,
):
    _p, version, _d, operator, _h = published(village, make_user)
    listed = db.session.scalars(
        select(ListVersionRow.household_id).where(ListVersionRow.version_id == version.id)
    ).all()
    outside = db.session.scalars(
        select(Membership.household_id)
        .where(Membership.household_id.not_in(listed), Membership.end_date.is_(None))
        .limit(1)
    ).one()
    phones = {
        "listed subscribed": ("+6281311110001", listed[0]),
        "listed subscribed too": ("+6281311110002", listed[1]),
        "listed not subscribed": ("+6281311110003", listed[2]),
        "outside subscribed": ("+6281311110004", outside),
    }
    for phone, household_id in phones.values():
        _resident_of(make_user, household_id, phone)
    for key in ("listed subscribed", "listed subscribed too", "outside subscribed"):
        subscriber(operator, phones[key][0], topics=("meetings",))
    subscriber(operator, "+6281311110005", topics=("programmes",))  # no household
    with app.test_request_context():  # the lists' labels are in the reader's language
        item = broadcast(operator, topic="programmes", audience="list", audience_ref=version.id)
    assert broadcasts.preview(item)["size"] == 2
    assert broadcasts.send(item.id, operator) == 2
    assert sorted(m.recipient for m in messages(item.id)) == ["+6281311110001", "+6281311110002"]


def test_staff_write_preview_and_send_a_broadcast(app, client, login_as, make_user):
    operator = login_as("operator")
    subscriber(operator, "+6281200000001", channel="sms")
    form = {
        "title": "Musyawarah desa",
        "topic": "announcements",
        "audience": "topic",
        "sms_id": "Musdes Senin 9.00 di balai desa.",
        "text_id": "Musyawarah desa hari Senin jam 9 di balai desa.",
        "link": "/musyawarah",
    }
    bad = client.post("/staf/kabar/baru", data={**form, "link": "https://evil.example"})
    assert bad.status_code == 400 and "evil.example" in bad.get_data(as_text=True)
    assert db.session.scalars(select(Broadcast)).all() == []
    created = client.post("/staf/kabar/baru", data=form)
    assert created.status_code == 302
    item = db.session.scalars(select(Broadcast)).one()
    page = client.get(f"/staf/kabar/{item.id}").get_data(as_text=True)
    assert "Musdes Senin" in page and re.search(r"SMS: 1 ", page) or "SMS: 1" in page
    assert client.post(f"/staf/kabar/{item.id}/kirim").status_code == 302
    assert db.session.scalars(select(OutboxMessage.recipient)).all() == ["+6281200000001"]
    # The short link leads to the page once sent.
    assert client.get(f"/k/{item.id}").headers["Location"].endswith("/musyawarah")
    for path in ("/staf/kabar/", "/staf/kabar/kotak-keluar", "/staf/kabar/pelanggan"):
        assert client.get(path).status_code == 200, path


def test_an_auditor_reads_but_does_not_send(client, login_as, make_user):
    author = make_user("operator")
    item = broadcast(author)
    login_as("auditor")
    assert client.get(f"/staf/kabar/{item.id}").status_code == 200
    assert client.post(f"/staf/kabar/{item.id}/kirim").status_code == 403
    assert client.post(f"/staf/kabar/{item.id}/setujui").status_code == 403
    assert client.post("/staf/kabar/pelanggan", data={"phone": "0812"}).status_code == 403
    assert db.session.get(Broadcast, item.id).status == "draft"


def test_a_consent_at_the_office_names_the_staff_member(client, login_as):
    operator = login_as("operator")
    data = {
        "phone": "081200000009",
        "channel": "sms",
        "language": "id",
        "topics": ["meetings"],
    }
    assert client.post("/staf/kabar/pelanggan", data=data).status_code == 302
    from portal.notify.models import Consent

    consent = db.session.scalars(select(Consent)).one()
    assert (consent.how, consent.by_user_id) == ("office", operator.id)
    page = client.get("/staf/kabar/pelanggan").get_data(as_text=True)
    assert "+62812****0009" in page and "081200000009" not in page


def test_the_office_consent_form_is_blank_on_every_get_and_filled_after_an_error(client, login_as):
    """The blank form is kept per worker (kept_fragment): a form sent back with an error
    shows what was typed and the error, and the next GET is blank again."""
    login_as("operator")
    blank = client.get("/staf/kabar/pelanggan", query_string={"lang": "en"}).get_data(as_text=True)
    data = {"phone": "08ab", "email": "x" * 300, "channel": "sms", "rt": "1234"}
    sent = client.post("/staf/kabar/pelanggan?lang=en", data=data)
    assert sent.status_code == 400
    page = sent.get_data(as_text=True)
    assert 'value="08ab"' in page and 'aria-invalid="true"' in page
    assert 'checked id="channel-1"' in page
    again = client.get("/staf/kabar/pelanggan", query_string={"lang": "en"}).get_data(as_text=True)
    assert "08ab" not in again and 'aria-invalid="true"' not in again

    def form_part(html: str) -> str:
        return html[html.index('name="csrf_token"') :].split(">", 1)[1]

    assert form_part(again) == form_part(blank)


@pytest.mark.parametrize("size", ["a4", "a6"])
def test_posters_and_flyers_print_with_a_qr_code(app, client, login_as, size):
    from tests.test_csr import pdf_text

    app.config["VILLAGE_PHONE"] = "0281-555 123"
    login_as("operator")
    news = factories.announcement(title_id="Pembagian beras RT 3")
    meeting = factories.meeting(title_id="Musyawarah Desa Khusus")
    hidden = factories.announcement(published=False, title_id="Belum terbit")
    db.session.commit()
    index = client.get("/staf/kabar/poster").get_data(as_text=True)
    assert "Pembagian beras RT 3" in index and "Belum terbit" not in index
    for kind, item_id, words in (
        ("announcement", news.id, "Pembagian beras RT 3"),
        ("meeting", meeting.id, "Musyawarah Desa Khusus"),
        ("complaints", 1, "0281-555 123"),
    ):
        response = client.get(f"/staf/kabar/poster/{kind}/{item_id}/{size}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        printed = pdf_text(response.data)
        assert all(word in printed for word in words.split()), kind
        assert b"/Subtype /Image" in response.data  # the QR code
    assert client.get(f"/staf/kabar/poster/announcement/{hidden.id}/{size}.pdf").status_code == 404
    assert client.get(f"/staf/kabar/poster/announcement/{news.id}/a3.pdf").status_code == 404


def test_my_account_shows_my_subscriptions_and_their_consents(client, make_user):
    from portal.notify.services import subscriptions

    operator = make_user("operator")
    me = make_user("resident", username=None, phone="+6281200000077")
    mine = subscriber(operator, "+6281200000077", topics=("meetings",))
    subscriber(operator, "+6281200000078", topics=("training",))  # a neighbour
    subscriptions.stop(mine, "reply")
    with client.session_transaction() as session:
        session["_user_id"] = me.get_id()
        session["_fresh"] = True
    page = client.get("/akun?lang=en").get_data(as_text=True)
    assert "Messages from the village" in page and "Village meetings" in page
    assert "A reply STOP" in page and "Training courses" not in page


def test_the_outbox_offers_a_retry_of_failed_messages_to_editors_only(client, login_as):
    db.session.add_all(
        [
            OutboxMessage(recipient="+6281200000001", channel="sms", body="Satu", status="sent"),
            OutboxMessage(
                recipient="+6281200000002",
                channel="sms",
                body="Dua",
                status="failed",
                last_error="gateway <down>",
                attempts=3,
            ),
        ]
    )
    db.session.commit()
    failed = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")).one()
    login_as("operator")
    page = client.get("/staf/kabar/kotak-keluar?lang=en").get_data(as_text=True)
    assert page.count("Try again") == 1 and f"/kotak-keluar/{failed.id}/ulang" in page
    assert "gateway &lt;down&gt;" in page and 'data-status="sent"' in page
    only = client.get("/staf/kabar/kotak-keluar?lang=en&status=sent").get_data(as_text=True)
    assert "Satu" in only and "Dua" not in only
    login_as("auditor")
    page = client.get("/staf/kabar/kotak-keluar?lang=en").get_data(as_text=True)
    assert "Try again" not in page and "Dua" in page


# The office consent form as the page wrote it when every GET built the form.
OLD_OFFICE_FORM = """{% from "_macros/notify.html" import subscription_fields %}\
<form method="post" action="{{ url_for('notify_manage.subscribers') }}" class="editor" novalidate>
  {{ form.csrf_token }}
  {{ subscription_fields(form) }}
  <button type="submit">{{ _("Record the consent") }}</button>
</form>"""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_get_writes_the_office_form_a_built_form_wrote(app, client, login_as, lang):
    """A GET builds no form (its CSRF input and the kept blank fields stand for it):
    the same markup as the blank SubscriptionForm's, CSRF token aside."""
    from flask import render_template_string

    from portal.notify.forms import SubscriptionForm

    login_as("operator")
    page = client.get("/staf/kabar/pelanggan", query_string={"lang": lang}).get_data(as_text=True)
    start = page.index('<form method="post" action="/staf/kabar/pelanggan"')
    new = page[start : page.index("</form>", start) + len("</form>")]
    with app.test_request_context("/staf/kabar/pelanggan", headers={"Accept-Language": lang}):
        old = render_template_string(OLD_OFFICE_FORM, form=SubscriptionForm())

    def blank(html: str) -> str:
        # The tests run without CSRF protection: the built form wrote no token then.
        return re.sub(r'<input name="csrf_token" type="hidden" value="[^"]*">', "", html)

    assert blank(new) == blank(old)
    assert new.count('<input name="csrf_token" type="hidden" value="') == 1


# The new-broadcast form as the page wrote it when every GET built the form.
OLD_BROADCAST_FORM = """{% from "_macros/ui.html" import field %}\
<form method="post" action="{{ url_for('notify_manage.new') }}" class="editor" novalidate>
  {{ form.csrf_token }}
  {{ field(form.title) }}
  {{ field(form.topic) }}
  {{ field(form.audience) }}
  {{ field(form.areas) }}
  {{ field(form.sms_id) }}
  {{ field(form.sms_en) }}
  {{ field(form.text_id) }}
  {{ field(form.text_en) }}
  {{ field(form.link) }}
  <button type="submit">{{ _("Preview") }}</button>
</form>"""


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_get_writes_the_broadcast_form_a_built_form_wrote(app, client, login_as, lang):
    """The first GET builds the form (its fields' markup is kept), the next ones write the
    kept markup without it; both as the old template wrote the built form, with the
    audiences read on each GET (a course added in between is offered)."""
    from flask import render_template_string

    from portal.notify import forms
    from tests import training_helpers as training

    def old() -> str:
        with app.test_request_context("/staf/kabar/baru", headers={"Accept-Language": lang}):
            form = forms.BroadcastForm()
            form.set_audiences(broadcasts.audience_options())
            return render_template_string(OLD_BROADCAST_FORM, form=form)

    def new() -> str:
        page = client.get("/staf/kabar/baru", query_string={"lang": lang}).get_data(as_text=True)
        start = page.index('<form method="post" action="/staf/kabar/baru"')
        return page[start : page.index("</form>", start) + len("</form>")]

    def blank(html: str) -> str:
        # The tests run without CSRF protection: the built form wrote no token then.
        return re.sub(r'<input name="csrf_token" type="hidden" value="[^"]*">', "", html)

    login_as("operator")
    training.course(title_id="Menjahit <b>&\"'", title_en="Sewing <b>&\"'")
    db.session.commit()
    assert new() == old()
    expected = old()
    built = []
    original = forms.BroadcastForm.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    forms.BroadcastForm.__init__ = counting
    try:
        kept = new()
        training.course(title_id="Kursus baru", title_en="A new course")
        db.session.commit()
        again = new()
    finally:
        forms.BroadcastForm.__init__ = original
    assert built == []  # the page built no form
    assert blank(kept) == blank(expected) != blank(again)
    assert blank(again) == blank(old())
    assert ("A new course" if lang == "en" else "Kursus baru") in again
    assert ("Sewing" if lang == "en" else "Menjahit") + " &lt;b&gt;&amp;&#34;&#39;" in again
