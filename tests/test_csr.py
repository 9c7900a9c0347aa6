"""The CSR pledge board: status steps and who may take them, deliveries that add up
(also under concurrency), partners kept apart, uploads checked by content, receipts
and their verification, and the public board, feed and open data."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import threading
import zlib
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.csr import services, uploads
from portal.csr.models import Company, Delivery, Need, Pledge, PledgeEvent
from portal.extensions import db
from portal.models_base import village_today

# --- helpers ---------------------------------------------------------------------------


def text_of(response) -> str:
    return response.get_data(as_text=True)


def png_bytes(size=(40, 30), color=(11, 93, 59), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def huge_header_png(side: int = 10_000) -> bytes:
    """A valid little PNG whose IHDR chunk claims side x side pixels."""
    raw = bytearray(png_bytes((2, 2)))
    start = 8 + 8  # signature, then the IHDR chunk's length and type
    raw[start : start + 8] = side.to_bytes(4, "big") * 2
    crc = zlib.crc32(bytes(raw[12 : start + 13]))
    raw[start + 13 : start + 17] = crc.to_bytes(4, "big")
    return bytes(raw)


@pytest.fixture
def make_need(app):
    def make(published=True, **fields):
        fields.setdefault("kind", "goods")
        fields.setdefault("title_id", "Beras untuk lansia")
        fields.setdefault("title_en", "Rice for older residents")
        fields.setdefault("description_id", "Beras untuk paket pangan.")
        fields.setdefault("unit_id", "karung")
        fields.setdefault("unit_en", "sacks")
        fields.setdefault("target", 100)
        need = Need(**fields)
        need.set_published(published)
        db.session.add(need)
        db.session.commit()
        return need

    return make


@pytest.fixture
def make_company(app, make_user):
    """make_company(status="verified") -> a Company with its partner account."""

    numbers = itertools.count(1)

    def make(status="verified", name=None, locale="id", **fields):
        user = make_user("partner", email=f"csr{next(numbers)}@example.co.id")
        company = Company(
            user_id=user.id,
            name=name or f"PT Mitra {user.id}",
            sector="energy",
            contact_name=user.name,
            locale=locale,
            status=status,
            **fields,
        )
        db.session.add(company)
        db.session.commit()
        return company

    return make


@pytest.fixture
def words(app):
    """Service messages are lazy: they are put into words inside a request (English)."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Cheap argon2 parameters: these tests make many accounts and never test hashing."""
    from argon2 import PasswordHasher

    from portal.accounts import services as account_services

    quick = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(account_services, "hash_password", quick.hash)


class _Staff(dict):
    """staff["operator"] makes the account on first use."""

    def __init__(self, make_user):
        super().__init__()
        self.make_user = make_user

    def __missing__(self, role):
        self[role] = self.make_user(role)
        return self[role]


@pytest.fixture
def staff(make_user):
    return _Staff(make_user)


def pledge_for(company, need, amount=50, **kw) -> Pledge:
    return services.make_pledge(company, need.id, amount=amount, actor=company.user, **kw)


def confirmed(company, need, operator, amount=50) -> Pledge:
    pledge = pledge_for(company, need, amount)
    return services.change_status(pledge.id, "confirmed", actor=operator)


def login(client, user):
    """Log the test client in as an existing user (staff past their second factor)."""
    from portal.accounts import staff_session

    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        staff_session.mark_seen(session)
        if user.is_staff:
            staff_session.mark_verified(user, session)


def pdf_text(body: bytes) -> str:
    """The text of fpdf2's (deflated) page streams.

    The stream is taken up to the keyword and inflated with a decompressor that leaves
    what follows the deflate data alone: a compressed stream may itself end in a byte
    such as CR, which a pattern that strips an optional CR before "endstream" would eat.
    """
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.DOTALL):
        try:
            chunks.append(zlib.decompressobj().decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(chunks)


# --- status transitions ------------------------------------------------------------------


def test_a_pledge_walks_the_allowed_steps_each_dated_and_signed(make_need, make_company, staff):
    need = make_need(target=100)
    company = make_company()
    pledge = pledge_for(company, need, 60)
    assert pledge.status == "pledged"
    services.change_status(pledge.id, "confirmed", actor=staff["operator"])
    services.record_delivery(
        pledge.id, amount=20, delivered_on=village_today(), actor=staff["operator"]
    )
    services.record_delivery(
        pledge.id, amount=40, delivered_on=village_today(), actor=staff["admin"]
    )
    services.change_status(pledge.id, "closed", actor=staff["admin"])
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.status == "closed" and pledge.delivered == 60
    steps = [(e.from_status, e.to_status, e.actor_id) for e in pledge.events]
    assert steps == [
        (None, "pledged", company.user_id),
        ("pledged", "confirmed", staff["operator"].id),
        ("confirmed", "partly_delivered", staff["operator"].id),
        ("partly_delivered", "delivered", staff["admin"].id),
        ("delivered", "closed", staff["admin"].id),
    ]
    assert all(e.at is not None for e in pledge.events)
    assert pledge.receipt_code and services.normalize_code(pledge.receipt_code)
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "csr_pledge")
    ).all()
    assert actions == ["pledge", "confirmed", "deliver", "deliver", "closed"]


STEP_CASES = [
    # (from, to, roles that may, roles that may not)
    ("pledged", "confirmed", {"operator", "admin"}, {"owner", "other", "auditor", "resident"}),
    ("pledged", "withdrawn", {"operator", "admin", "owner"}, {"other", "auditor", "trainer"}),
    ("confirmed", "withdrawn", {"operator", "admin", "owner"}, {"other", "auditor"}),
    ("delivered", "closed", {"operator", "admin"}, {"owner", "other", "auditor"}),
]


def _reach(status, company, need, staff):
    pledge = pledge_for(company, need, 10)
    if status in ("confirmed", "delivered"):
        services.change_status(pledge.id, "confirmed", actor=staff["operator"])
    if status == "delivered":
        services.record_delivery(
            pledge.id, amount=10, delivered_on=village_today(), actor=staff["operator"]
        )
    return db.session.get(Pledge, pledge.id)


@pytest.mark.parametrize(("src", "dst", "allowed", "refused"), STEP_CASES)
def test_only_the_allowed_roles_take_a_step(
    make_need, make_company, staff, src, dst, allowed, refused
):
    need = make_need(target=1000)
    owner, other = make_company(), make_company()
    people = {"owner": owner.user, "other": other.user}
    for who in allowed | refused:
        if who not in people:
            people[who] = staff[who]
    for who in sorted(refused):
        pledge = _reach(src, owner, need, staff)
        with pytest.raises(services.NotAllowed):
            services.change_status(pledge.id, dst, actor=people[who])
        db.session.expire_all()
        assert db.session.get(Pledge, pledge.id).status == src
    for who in sorted(allowed):
        pledge = _reach(src, owner, need, staff)
        services.change_status(pledge.id, dst, actor=people[who], note="ok")
        db.session.expire_all()
        assert db.session.get(Pledge, pledge.id).status == dst


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("pledged", "closed"),
        ("pledged", "pledged"),
        ("withdrawn", "confirmed"),
        ("withdrawn", "pledged"),
        ("closed", "withdrawn"),
        ("delivered", "withdrawn"),
        ("confirmed", "offered"),
        ("confirmed", "nonsense"),
    ],
)
def test_steps_outside_the_table_are_refused_even_for_admins(
    make_need, make_company, staff, src, dst
):
    need = make_need(target=1000)
    company = make_company()
    pledge = pledge_for(company, need, 10)
    walk = {
        "pledged": [],
        "confirmed": ["confirmed"],
        "withdrawn": ["withdrawn"],
        "delivered": ["confirmed", "deliver"],
        "closed": ["confirmed", "deliver", "closed"],
    }[src]
    for step in walk:
        if step == "deliver":
            services.record_delivery(
                pledge.id, amount=10, delivered_on=village_today(), actor=staff["admin"]
            )
        else:
            services.change_status(pledge.id, step, actor=staff["admin"])
    events_before = db.session.scalar(select(func.count()).select_from(PledgeEvent))
    with pytest.raises(services.CsrError):
        services.change_status(pledge.id, dst, actor=staff["admin"])
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id).status == src
    assert db.session.scalar(select(func.count()).select_from(PledgeEvent)) == events_before


def test_delivered_statuses_come_only_from_a_delivery(make_need, make_company, staff):
    pledge = confirmed(make_company(), make_need(), staff["operator"])
    for step in ("partly_delivered", "delivered"):
        with pytest.raises(services.CsrError):
            services.change_status(pledge.id, step, actor=staff["admin"])


def test_confirming_needs_a_verified_company(make_need, make_company, staff, words):
    pledge = pledge_for(make_company(status="pending"), make_need())
    with pytest.raises(services.CsrError, match="not verified"):
        services.change_status(pledge.id, "confirmed", actor=staff["admin"])
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id).status == "pledged"


def test_closing_short_needs_a_reason(make_need, make_company, staff):
    pledge = confirmed(make_company(), make_need(), staff["operator"], amount=50)
    services.record_delivery(
        pledge.id, amount=10, delivered_on=village_today(), actor=staff["admin"]
    )
    with pytest.raises(services.CsrError) as caught:
        services.change_status(pledge.id, "closed", actor=staff["admin"])
    assert caught.value.field == "note"
    services.change_status(pledge.id, "closed", actor=staff["admin"], note="Gudang terbakar")
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id).status == "closed"


def test_pledges_are_never_deleted_and_history_never_rewritten(make_need, make_company, staff):
    pledge = confirmed(make_company(), make_need(), staff["operator"])
    services.record_delivery(
        pledge.id, amount=5, delivered_on=village_today(), actor=staff["admin"]
    )
    for statement in (
        "DELETE FROM csr_pledge",
        "DELETE FROM csr_pledge_event",
        "UPDATE csr_pledge_event SET note = 'rewritten'",
        "UPDATE csr_delivery SET amount = 1",
        "DELETE FROM csr_delivery",
    ):
        with pytest.raises((IntegrityError, DBAPIError)):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 1
    assert db.session.scalar(select(func.sum(Delivery.amount))) == 5


def test_staff_status_buttons_over_http_refuse_partners_and_auditors(
    client, make_need, make_company, staff
):
    company = make_company()
    pledge = pledge_for(company, make_need())
    for user in (company.user, staff["auditor"]):
        login(client, user)
        response = client.post(f"/staf/csr/janji/{pledge.id}/status", data={"to": "confirmed"})
        assert response.status_code == 403
    login(client, staff["operator"])
    response = client.post(f"/staf/csr/janji/{pledge.id}/status", data={"to": "confirmed"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id).status == "confirmed"
    # A step that is not allowed is explained, not a 500, and changes nothing.
    response = client.post(f"/staf/csr/janji/{pledge.id}/status", data={"to": "closed"})
    assert response.status_code == 200
    assert "cannot become" in text_of(response) or "tidak dapat" in text_of(response)


# --- deliveries ---------------------------------------------------------------------------


def test_partial_deliveries_add_up_and_cannot_pass_the_pledge(make_need, make_company, staff):
    need = make_need(target=100)
    pledge = confirmed(make_company(), need, staff["operator"], amount=50)
    services.record_delivery(
        pledge.id, amount=20, delivered_on=village_today(), actor=staff["admin"]
    )
    services.record_delivery(
        pledge.id, amount=25, delivered_on=village_today(), actor=staff["admin"]
    )
    with pytest.raises(services.CsrError) as caught:
        services.record_delivery(
            pledge.id, amount=6, delivered_on=village_today(), actor=staff["admin"]
        )
    assert caught.value.field == "amount"
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge.id)
    assert pledge.delivered == 45 and pledge.status == "partly_delivered"
    services.record_delivery(
        pledge.id, amount=5, delivered_on=village_today(), actor=staff["admin"]
    )
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge.id)
    assert (pledge.delivered, pledge.status) == (50, "delivered")
    assert [d.amount for d in pledge.deliveries] == [20, 25, 5]


def test_delivery_amounts_and_dates_are_validated(make_need, make_company, staff, words):
    pledge = confirmed(make_company(), make_need(), staff["operator"], amount=50)
    for amount in (0, -5, True, "10"):
        with pytest.raises(services.CsrError):
            services.record_delivery(
                pledge.id, amount=amount, delivered_on=village_today(), actor=staff["admin"]
            )
    with pytest.raises(services.CsrError) as caught:
        services.record_delivery(
            pledge.id,
            amount=1,
            delivered_on=village_today() + timedelta(days=5),
            actor=staff["admin"],
        )
    assert caught.value.field == "delivered_on"
    with pytest.raises(services.NotAllowed):
        services.record_delivery(
            pledge.id, amount=1, delivered_on=village_today(), actor=staff["auditor"]
        )
    unconfirmed = pledge_for(make_company(), make_need())
    with pytest.raises(services.CsrError, match="confirmed"):
        services.record_delivery(
            unconfirmed.id, amount=1, delivered_on=village_today(), actor=staff["admin"]
        )


def test_the_blank_delivery_form_is_kept_per_day_not_what_was_typed(
    client, make_need, make_company, staff
):
    """A GET's blank delivery form is kept per worker and day (kept_fragment): it is
    dated today, and what was typed in a refused one is not kept."""
    pledge = confirmed(make_company(), make_need(), staff["operator"], amount=50)
    login(client, staff["operator"])
    url = f"/staf/csr/janji/{pledge.id}?lang=en"

    def form() -> str:  # the delivery form, its CSRF token left out (it carries a time)
        page = text_of(client.get(url))
        part = page.split("/pengiriman")[1].split("</form>")[0]
        return re.sub(r'<input name="csrf_token"[^>]*>', "", part)

    blank = form()
    assert (
        f'value="{village_today().isoformat()}"' in blank
        and 'name="csrf_token"' in (text_of(client.get(url)).split("/pengiriman")[1])
    )
    refused = client.post(
        f"/staf/csr/janji/{pledge.id}/pengiriman", data={"amount": "999", "note": "Ketikan saya"}
    )
    assert "Ketikan saya" in text_of(refused)
    assert form() == blank


# templates/csr/_history.html's steps as a Jinja loop, before portal/csr/history.py.
JINJA_HISTORY = """{% from "_macros/csr.html" import pledge_qty %}
  {% for e in events %}
  <li>
    <span class="nowrap">{{ e.at|when('short') }}</span>:
    {% if e.from_status %}{{ pledge_statuses[e.from_status] }} → {% endif %}<strong>{{ pledge_statuses[e.to_status] }}</strong>
    {% if e.amount %}({{ pledge_qty(pledge, e.amount) }}){% endif %}
    · {{ e.actor_name or _("unknown") }}
    {% if e.note %}<br><span class="meta">{{ e.note }}</span>{% endif %}
  </li>
  {% endfor %}
"""  # noqa: E501


def test_the_history_steps_are_the_jinja_loops(app, make_need, make_company, staff):
    """csr_history_events writes what the template's loop wrote, in both languages: a
    pledge against a need and an offer in its own unit, steps with and without an
    amount, a note (escaped) and a signer."""
    from flask import render_template_string

    from portal.csr.history import history_events
    from portal.csr.services.deliveries import HistoryEvent

    company = make_company()
    pledge = pledge_for(company, make_need(kind="goods", unit_id="karung", unit_en="sack"))
    offer = services.make_offer(
        company, kind="goods", description="Semen", amount=7, unit="<sak>", actor=company.user
    )
    now = db.session.get(Pledge, pledge.id).created_at
    events = [
        HistoryEvent(now, None, "pledged", 50, "PT <Maju>", None),
        HistoryEvent(now, "pledged", "confirmed", None, None, "Catatan & <b>tebal</b>"),
        HistoryEvent(now, "confirmed", "partly_delivered", 20, "", ""),
    ]
    # The partner's and the staff's pledge pages (each blueprint's context has it).
    for lang, path in itertools.product(("id", "en"), ("/csr/akun", "/staf/csr/janji")):
        with app.app_context(), app.test_request_context(f"{path}?lang={lang}"):
            unit = "sack" if lang == "en" else "karung"
            for item, shown in ((pledge, f"(20 {unit})"), (offer, "(20 &lt;sak&gt;)")):
                item = db.session.get(Pledge, item.id)
                old = render_template_string(JINJA_HISTORY, pledge=item, events=events)
                new = render_template_string(
                    "{{ history_events(pledge, events) }}",
                    history_events=history_events,
                    pledge=item,
                    events=events,
                )
                assert new == old and shown in new and "&lt;b&gt;" in new


# templates/csr/_history.html's deliveries as the Jinja loop wrote them, before
# portal/csr/history.py.
JINJA_HISTORY_DELIVERIES = """{% set pledge_qty = csr_pledge_qty %}
  {% for d in history.deliveries %}
  <tr>
    <td class="nowrap">{{ d.delivered_on|day }}</td>
    <td class="num">{{ pledge_qty(pledge, d.amount) }}{% if d.beyond_target %} <span class="tag tag-over">{{ _("beyond target") }}</span>{% endif %}</td>
    <td>{{ d.note or "" }}<br><span class="meta">{{ _("Recorded by %(name)s", name=d.recorded_by_name or "?") }}</span></td>
    <td>
      <a href="{{ url_for('csr.delivery_receipt', delivery_id=d.id) }}">{{ _("Acknowledgement (PDF)") }}</a>
      {% if d.attachment_file %}<br><a href="{{ url_for('csr.attachment', delivery_id=d.id) }}">{{ _("Receipt or photo") }}</a>{% endif %}
    </td>
  </tr>
  {% endfor %}
"""  # noqa: E501


def test_the_history_deliveries_are_the_jinja_loop(app, make_need, make_company):
    """csr_history_deliveries writes what the template's loop wrote, in both languages,
    on the partner's and the staff's pages: a pledge against a need and an offer in its
    own unit, beyond the target or not, a note (escaped) or none, a recorder or none, an
    attachment or none."""
    from datetime import date

    from flask import render_template_string

    from portal.csr.history import history_deliveries
    from portal.csr.services.deliveries import HistoryDelivery, PledgeHistory

    company = make_company()
    pledge = pledge_for(company, make_need(kind="goods", unit_id="karung", unit_en="sack"))
    offer = services.make_offer(
        company, kind="goods", description="Semen", amount=7, unit="<sak>", actor=company.user
    )
    history = PledgeHistory(
        [],
        [
            HistoryDelivery(3, date(2026, 8, 17), 20, True, "Catatan & <b>", "Budi <B>", None),
            HistoryDelivery(4, date(2026, 12, 1), 5, False, None, None, "abc.png"),
            HistoryDelivery(5, date(2027, 1, 2), 1_500, False, "", "", "d.pdf"),
        ],
    )
    for lang, path in itertools.product(("id", "en"), ("/csr/akun", "/staf/csr/janji")):
        with app.app_context(), app.test_request_context(f"{path}?lang={lang}"):
            for item in (pledge, offer):
                item = db.session.get(Pledge, item.id)
                old = render_template_string(JINJA_HISTORY_DELIVERIES, pledge=item, history=history)
                new = render_template_string(
                    "{{ history_deliveries(pledge, history.deliveries, url_for) }}",
                    history_deliveries=history_deliveries,
                    pledge=item,
                    history=history,
                )
                assert new == old
                assert "&lt;b&gt;" in new and "Budi &lt;B&gt;" in new and "/csr/lampiran/4" in new
                assert new.count("tag-over") == 1 and new.count("?") == 2


# templates/csr/manage/pledges.html's rows as a Jinja loop, before portal/csr/rows.py
# (a company's page showed the same without the company column).
JINJA_STAFF_ROWS = """{% set pledge_qty = csr_pledge_qty %}{% from "_macros/ui.html" import status_tag %}
  {% for p in pledges %}
  <tr>
    <td><a href="{{ url_for('csr_manage.pledge', pledge_id=p.id) }}">{{ p.id }}</a></td>
{% if with_company %}    <td><a href="{{ url_for('csr_manage.company', company_id=p.company_id) }}">{{ p.company.name }}</a>{% if not p.company.is_verified %} <span class="tag tag-warn">{{ company_statuses[p.company.status] }}</span>{% endif %}</td>
{% endif %}    <td>{% if p.need %}{{ p.need.title_id }}{% else %}{{ _("Offer: %(what)s", what=p.description|truncate(60)) }}{% endif %}</td>
    <td class="num">{{ pledge_qty(p, p.amount) }}</td>
    <td class="num">{{ pledge_qty(p, p.delivered) }}</td>
    <td>{{ status_tag("csr.pledge", p.status) }}</td>
  </tr>
  {% endfor %}
"""  # noqa: E501


# templates/csr/account.html's rows (the partner's own pledges), before portal/csr/rows.py.
JINJA_PARTNER_ROWS = """{% set pledge_qty = csr_pledge_qty %}{% from "_macros/ui.html" import status_tag %}
  {% for p in pledges %}
  <tr>
    <td><a href="{{ url_for('csr.my_pledge', pledge_id=p.id) }}">{% if p.need %}{{ tr(p.need, 'title') }}{% else %}{{ _("Offer: %(what)s", what=p.description|truncate(60)) }}{% endif %}</a></td>
    <td class="num">{{ pledge_qty(p, p.amount) }}</td>
    <td class="num">{{ pledge_qty(p, p.delivered) }}</td>
    <td>{{ status_tag("csr.pledge", p.status) }}</td>
  </tr>
  {% endfor %}
"""  # noqa: E501


def test_the_staff_pledge_rows_are_the_jinja_loops(app, make_need, make_company, staff):
    """csr_staff_pledge_rows and csr_partner_pledge_rows write what the templates' loops
    wrote, in both languages:
    a pending company's tag, a need's unit, an offer's long description cut short and
    escaped, every pledge status."""
    from flask import render_template_string

    from portal.csr.models import COMPANY_STATUSES

    pending = make_company(status="pending", name="PT <Baru> & Co")
    need = make_need(kind="goods", unit_id="karung", unit_en="sack")
    made = [pledge_for(pending, need), confirmed(make_company(), need, staff["operator"])]
    made.append(
        services.make_offer(
            pending,
            kind="goods",
            description="Semen <portland> " + "sangat bagus " * 8,
            amount=7,
            unit="sak & <ikat>",
            actor=pending.user,
        )
    )
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/staf/csr/janji?lang={lang}"):
            pledges = [db.session.get(Pledge, p.id) for p in made]
            for with_company in (False, True):
                values = dict(
                    pledges=pledges, with_company=with_company, company_statuses=COMPANY_STATUSES
                )
                old = render_template_string(JINJA_STAFF_ROWS, **values)
                new = render_template_string(
                    "{{ csr_staff_pledge_rows(pledges, url_for, with_company) }}", **values
                )
                assert new == old
            assert "PT &lt;Baru&gt; &amp; Co" in new and "&lt;portland&gt;" in new
            assert "sak &amp; &lt;ikat&gt;" in new and "tag-warn" in new and "..." in new
        with app.app_context(), app.test_request_context(f"/csr/akun?lang={lang}"):
            pledges = [db.session.get(Pledge, p.id) for p in made]
            partner = render_template_string(
                "{{ csr_partner_pledge_rows(pledges, url_for) }}", pledges=pledges
            )
            assert partner == render_template_string(JINJA_PARTNER_ROWS, pledges=pledges)
            assert ("Rice" if lang == "en" else "Beras") in partner and "..." in partner


def test_the_overview_counts_are_the_status_counts_and_the_waiting_companies(
    make_need, make_company, staff
):
    assert services.overview_counts() == ({}, 0)
    waiting = make_company(status="pending")
    make_company(status="pending")
    need = make_need()
    pledge_for(waiting, need)
    confirmed(make_company(), need, staff["operator"])
    counts, pending = services.overview_counts()
    assert counts == services.status_counts() == {"pledged": 1, "confirmed": 1}
    assert pending == services.count_companies("pending") == 2


# templates/csr/manage/index.html's needs as a Jinja loop, before portal/csr/rows.py.
JINJA_NEED_ROWS = """{% from "_macros/ui.html" import published_tag %}
{% set editor = can('edit') %}{% set token = csrf_token() if editor else '' %}
{% set published, draft = published_tag(True), published_tag(False) %}
  {% for need in needs %}
  {% set p = progress[need.id] %}{% set pp = public_progress[need.id] %}
  <tr>
    <td class="num">{{ need.rank }}</td>
    <td>{% if editor %}<a href="{{ url_for('csr_manage.need_edit', need_id=need.id) }}">{{ need.title_id }}</a>{% else %}{{ need.title_id }}{% endif %}<br><span class="meta">{{ need_kinds[need.kind] }}</span></td>
    <td class="num">{{ csr_need_qty(need, need.target) }}</td>
    <td class="num">{{ pp.pct_pledged }}% / {{ p.pct_pledged }}%</td>
    <td class="num">{{ p.pct_delivered }}%</td>
    <td>
      {{ published if need.published else draft }}
      {% if not need.is_open %}<span class="tag tag-muted">{{ _("Closed for pledges") }}</span>{% endif %}
      {% if editor %}
      <form class="inline" method="post" action="{{ url_for('csr_manage.need_unpublish' if need.published else 'csr_manage.need_publish', need_id=need.id) }}">
        <input type="hidden" name="csrf_token" value="{{ token }}"><input type="hidden" name="back" value="list">
        <button type="submit" class="small">{% if need.published %}{{ _("Unpublish") }}{% else %}{{ _("Publish") }}{% endif %}<span class="visually-hidden">: {{ need.title_id }}</span></button>
      </form>
      {% endif %}
    </td>
  </tr>
  {% endfor %}
"""  # noqa: E501
NEW_NEED_ROWS = """{% from "_macros/ui.html" import published_tag %}
{% set editor = can('edit') %}{% set token = csrf_token() if editor else '' %}
{% set published, draft = published_tag(True), published_tag(False) %}
{{ csr_staff_need_rows(needs, progress, public_progress, (published, draft), token if editor else none, url_for) }}"""  # noqa: E501


def test_the_staff_need_rows_are_the_jinja_loops(app, client, make_need, make_company, staff):
    """csr_staff_need_rows writes what the staff index's loop wrote, for an editor and an
    auditor, in both languages: a draft, a need closed for pledges, money and goods."""
    from flask import render_template_string
    from flask_login import login_user

    need = make_need(title_id="Beras <murah> & sehat")
    make_need(published=False, kind="money", unit_id=None, unit_en=None, is_open=False)
    confirmed(make_company(), need, staff["operator"])
    pledge_for(make_company(status="pending"), need)
    for role in ("operator", "auditor"):
        for lang in ("id", "en"):
            with app.app_context(), app.test_request_context(f"/staf/csr/?lang={lang}"):
                login_user(staff[role])
                needs = services.list_needs()
                progress, public_progress = services.progress_both(needs)
                values = dict(needs=needs, progress=progress, public_progress=public_progress)
                new = render_template_string(NEW_NEED_ROWS, **values)
                assert new == render_template_string(JINJA_NEED_ROWS, **values)
                assert "tag-muted" in new and "&lt;murah&gt; &amp;" in new
                assert ("csrf_token" in new) == (role == "operator")


def test_over_pledging_is_shown_but_delivery_past_the_target_needs_a_tick(
    client, make_need, make_company, staff, words
):
    need = make_need(target=100)
    first = confirmed(make_company(), need, staff["operator"], amount=80)
    second = confirmed(make_company(), need, staff["operator"], amount=70)
    progress = services.progress_of(need)
    assert progress.pledged == 150 and progress.over_pledged and progress.pct_pledged == 150
    page = text_of(client.get(f"/csr/kebutuhan/{need.id}?lang=en"))
    assert "More pledged than needed" in page
    # The bar never runs past its end; the words tell the real share.
    assert f'id="need-{need.id}-pledged" class="pledged" max="100" value="100"' in page
    assert "150%" in page

    services.record_delivery(
        first.id, amount=80, delivered_on=village_today(), actor=staff["admin"]
    )
    with pytest.raises(services.CsrError) as caught:
        services.record_delivery(
            second.id, amount=70, delivered_on=village_today(), actor=staff["admin"]
        )
    assert caught.value.field == "amount" and "target" in str(caught.value.message)
    assert services.progress_of(need).delivered == 80
    services.record_delivery(
        second.id, amount=70, delivered_on=village_today(), actor=staff["admin"], beyond_target=True
    )
    progress = services.progress_of(need)
    assert progress.delivered == 150 and progress.over_delivered
    assert "More delivered than needed" in text_of(client.get(f"/csr/kebutuhan/{need.id}?lang=en"))


def test_the_check_constraint_is_a_backstop(make_need, make_company, staff):
    pledge = confirmed(make_company(), make_need(), staff["operator"], amount=50)
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE csr_pledge SET delivered = 51 WHERE id = :id"), {"id": pledge.id}
        )
        db.session.flush()
    db.session.rollback()


@pytest.mark.concurrency
def test_concurrent_deliveries_never_pass_the_pledged_amount(app, make_need, make_company, staff):
    """20 threads, each with its own app context and session, deliver 10 against a
    pledge of 150: exactly 15 succeed, the others are refused, the sums agree."""
    need = make_need(target=10_000)
    pledge = confirmed(make_company(), need, staff["operator"], amount=150)
    operator_id, pledge_id = staff["operator"].id, pledge.id
    db.session.commit()
    barrier = threading.Barrier(20, timeout=60)
    outcomes: list[str] = []
    lock = threading.Lock()

    def deliver():
        with app.app_context():
            actor = db.session.get(User, operator_id)
            # Give the connection back before waiting: 20 threads waiting at the
            # barrier must not hold more connections than the pool has.
            db.session.close()
            barrier.wait()
            try:
                services.record_delivery(
                    pledge_id, amount=10, delivered_on=village_today(), actor=actor
                )
                result = "ok"
            except services.CsrError:
                result = "refused"
            except Exception as error:  # anything else is a failure of the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(outcomes)) == ["ok", "refused"], outcomes
    assert outcomes.count("ok") == 15 and outcomes.count("refused") == 5
    db.session.expire_all()
    pledge = db.session.get(Pledge, pledge_id)
    assert pledge.delivered == 150 and pledge.status == "delivered"
    total = db.session.scalar(
        select(func.sum(Delivery.amount)).where(Delivery.pledge_id == pledge_id)
    )
    assert total == 150
    events = db.session.scalar(
        select(func.count()).where(PledgeEvent.pledge_id == pledge_id, PledgeEvent.amount == 10)
    )
    assert events == 15


@pytest.mark.concurrency
def test_concurrent_deliveries_on_one_need_respect_its_target(app, make_need, make_company, staff):
    """Two over-pledged pledges on one need: deliveries from both race, and the need's
    delivered total stops at its target."""
    need = make_need(target=100)
    a = confirmed(make_company(), need, staff["operator"], amount=100)
    b = confirmed(make_company(), need, staff["operator"], amount=100)
    ids, operator_id = [a.id, b.id], staff["operator"].id
    db.session.commit()
    barrier = threading.Barrier(20, timeout=60)

    def deliver(i):
        with app.app_context():
            actor = db.session.get(User, operator_id)
            db.session.close()
            barrier.wait()
            try:
                services.record_delivery(
                    ids[i % 2], amount=10, delivered_on=village_today(), actor=actor
                )
            except services.CsrError:
                pass
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    db.session.expire_all()
    assert services.progress_of(need).delivered == 100


# --- partners kept apart ---------------------------------------------------------------------


def test_a_partner_cannot_see_or_change_another_partners_pledges(
    client, make_need, make_company, staff
):
    need = make_need()
    mine, theirs = make_company(), make_company()
    pledge = confirmed(theirs, need, staff["operator"])
    delivery = services.record_delivery(
        pledge.id,
        amount=5,
        delivered_on=village_today(),
        actor=staff["operator"],
        attachment=uploads.clean_image(png_bytes(), max_side=100, as_logo=False),
    )
    with pytest.raises(services.NotAllowed):
        services.change_status(pledge.id, "withdrawn", actor=mine.user)
    assert services.own_pledge(mine, pledge.id) is None

    login(client, mine.user)
    for url in (
        f"/csr/akun/janji/{pledge.id}",
        f"/csr/kuitansi/janji/{pledge.id}.pdf",
        f"/csr/kuitansi/pengiriman/{delivery.id}.pdf",
        f"/csr/lampiran/{delivery.id}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/csr/akun/janji/{pledge.id}/tarik").status_code == 404
    account = text_of(client.get("/csr/akun"))
    assert f"/csr/akun/janji/{pledge.id}" not in account
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id).status == "partly_delivered"

    login(client, theirs.user)
    assert client.get(f"/csr/akun/janji/{pledge.id}").status_code == 200
    assert client.get(f"/csr/lampiran/{delivery.id}").status_code == 200
    assert client.get(f"/csr/kuitansi/janji/{pledge.id}.pdf").status_code == 200


def test_an_unverified_partners_pledges_are_not_public(client, make_need, make_company, staff):
    need = make_need(target=100)
    company = make_company(status="pending", name="PT Belum Diverifikasi")
    pledge = pledge_for(company, need, 40)
    places = (
        "/csr/",
        f"/csr/kebutuhan/{need.id}",
        "/csr/janji.atom",
        "/csr/data/janji.csv",
        "/csr/data/janji.json",
    )
    for url in places:
        assert "PT Belum Diverifikasi" not in text_of(client.get(url)), url
    assert client.get(f"/csr/mitra/{company.id}").status_code == 404
    assert services.progress_of(need).pledged == 0
    assert services.progress_of(need, public=False).pledged == 40

    services.verify_company(company, actor=staff["admin"])
    for url in places:
        assert "PT Belum Diverifikasi" in text_of(client.get(url)), url
    assert client.get(f"/csr/mitra/{company.id}").status_code == 200

    services.reject_company(company, actor=staff["admin"], note="Tidak dikenal")
    for url in places:
        assert "PT Belum Diverifikasi" not in text_of(client.get(url)), url
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id) is not None  # hidden, not deleted


def test_a_partner_page_shows_twenty_pledges_a_page_and_totals_over_all(
    client, make_need, make_company, staff
):
    need = make_need(target=10_000)
    company = make_company(name="PT Banyak Janji")
    pledges = [pledge_for(company, need, n + 1, value=1_000 * (n + 1)) for n in range(45)]
    done = services.change_status(pledges[0].id, "confirmed", actor=staff["operator"])
    services.record_delivery(
        done.id, amount=1, delivered_on=village_today(), actor=staff["operator"]
    )
    pages = [text_of(client.get(f"/csr/mitra/{company.id}?halaman={n}")) for n in (1, 2, 3)]
    counts = [page.count('class="card csr-pledge"') for page in pages]
    assert counts == [20, 20, 5]
    assert "Halaman 1 dari 3" in pages[0] and f"/csr/mitra/{company.id}?halaman=2" in pages[0]
    # Newest first: the last pledge (45 units) opens page 1, the first closes page 3.
    assert "45 karung" in pages[0] and "45 karung" not in pages[2]
    # The totals are the company's, not the page's: 1,000 + ... + 45,000 rupiah.
    total = sum(1_000 * (n + 1) for n in range(45))
    for page in pages:
        assert "Rp " + f"{total:,}".replace(",", ".") in page
    assert client.get(f"/csr/mitra/{company.id}?halaman=4").status_code == 404
    assert client.get(f"/csr/mitra/{company.id}?halaman=0").status_code == 404
    assert client.get(f"/csr/mitra/{company.id}?halaman=x").status_code == 404
    every = services.company_pledges_page(company, public=True, page=1, per_page=100).items
    assert len(every) == 45
    assert services.company_totals(company) == services.company_summary(every)
    assert services.company_totals(company)["delivered"] == 1_000
    # A pledge's history in one statement: the same steps and deliveries, in order.
    history = services.pledge_history(done.id)
    stored = db.session.get(type(done), done.id)
    assert [(e.at, e.from_status, e.to_status, e.amount, e.note) for e in history.events] == [
        (e.at, e.from_status, e.to_status, e.amount, e.note) for e in stored.events
    ]
    assert [(d.id, d.delivered_on, d.amount, d.beyond_target) for d in history.deliveries] == [
        (d.id, d.delivered_on, d.amount, d.beyond_target) for d in stored.deliveries
    ]
    assert history.deliveries and len(history.events) >= 2
    # The page and the totals from one read of the counted pledges (public or staff).
    for public in (True, False):
        found, totals = services.company_pledges_and_totals(
            company, public=public, page=3, deliveries=public
        )
        alone = services.company_pledges_page(company, public=public, page=3)
        assert (found.total, found.pages, [p.id for p in found.items]) == (
            alone.total,
            alone.pages,
            [p.id for p in alone.items],
        )
        assert totals == services.company_totals(company)
    # The partner's own page and the staff page of the company are paged too.
    login(client, company.user)
    mine = [text_of(client.get(f"/csr/akun?halaman={n}")) for n in (1, 3)]
    assert [m.count("/csr/akun/janji/") for m in mine] == [20, 5]
    assert "/csr/akun?halaman=2" in mine[0]
    assert client.get("/csr/akun?halaman=4").status_code == 404  # past the end
    login(client, staff["auditor"])
    seen = text_of(client.get(f"/staf/csr/mitra/{company.id}?page=3"))
    assert seen.count("/staf/csr/janji/") == 5 and "Rp 1.035.000" in seen
    assert client.get(f"/staf/csr/mitra/{company.id}?page=4").status_code == 404


def test_only_an_admin_verifies_and_the_directory_entry_is_optional(client, make_company, staff):
    company = make_company(status="pending", name="PT Direktori")
    with pytest.raises(services.NotAllowed):
        services.verify_company(company, actor=staff["operator"])
    login(client, staff["operator"])
    assert client.post(f"/staf/csr/mitra/{company.id}/verifikasi").status_code == 403
    login(client, staff["admin"])
    response = client.post(
        f"/staf/csr/mitra/{company.id}/verifikasi", data={"list_in_directory": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    company = db.session.get(Company, company.id)
    assert company.is_verified and company.verified_by_id == staff["admin"].id
    assert "PT Direktori" in text_of(client.get("/mitra"))


def test_a_rejected_company_cannot_pledge(make_need, make_company):
    company = make_company(status="rejected")
    with pytest.raises(services.NotAllowed):
        pledge_for(company, make_need())


# --- registration and uploads ---------------------------------------------------------------

REGISTRATION = {
    "name": "PT Contoh Peduli",
    "sector": "retail",
    "contact_name": "Sari Dewi",
    "email": "Sari@Contoh.co.id",
    "password": "kata sandi panjang",
    "password2": "kata sandi panjang",
    "locale": "en",
    "consent": "y",
}


def test_a_company_registers_and_waits_for_verification(client, app):
    data = {**REGISTRATION, "logo": (io.BytesIO(png_bytes((900, 300))), "logo.png")}
    response = client.post("/csr/daftar", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"].endswith("/csr/akun")
    company = db.session.scalars(select(Company)).one()
    assert company.status == "pending" and company.locale == "en"
    assert company.user.role == "partner" and company.user.email == "sari@contoh.co.id"
    # The logo was re-encoded into the upload folder, outside static/, at most 512 px.
    path = uploads.stored_path("logos", company.logo_file)
    assert path and "/uploads/csr/logos/" in path and "static" not in path
    with Image.open(path) as stored:
        assert stored.format == "PNG" and max(stored.size) == 512
    # The new partner is logged in and sees its own logo; the public does not yet.
    assert client.get("/csr/akun").status_code == 200
    assert client.get(f"/csr/logo/{company.id}").status_code == 200
    client.post("/keluar")
    assert client.get(f"/csr/logo/{company.id}").status_code == 404


def test_registration_keeps_input_and_explains_errors(client, make_user):
    make_user("partner", email="sari@contoh.co.id")
    response = client.post("/csr/daftar?lang=en", data={**REGISTRATION, "password2": "x"})
    page = text_of(response)
    assert response.status_code == 200
    assert "The two passwords are not the same." in page
    assert 'value="PT Contoh Peduli"' in page
    response = client.post("/csr/daftar?lang=en", data=REGISTRATION)
    assert "already has an account" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 2000 + b"This program cannot be run in DOS mode", "not a PNG"),
        (png_bytes()[:60] + b"\x00garbage" * 40, "damaged"),
        (b"", "empty"),
        (b"%PDF-1.4 not an image", "not a PNG"),
    ],
    ids=["renamed-exe", "broken-png", "empty", "pdf"],
)
def test_bad_uploads_are_refused_clearly(client, payload, message):
    data = {**REGISTRATION, "logo": (io.BytesIO(payload), "logo.png")}
    response = client.post("/csr/daftar?lang=en", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    assert 'id="logo-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


def test_an_oversize_image_is_refused(client, app):
    app.config["CSR_UPLOAD_MAX_BYTES"] = 50_000
    noisy = Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3))
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    assert len(out.getvalue()) > 50_000
    data = {**REGISTRATION, "logo": (io.BytesIO(out.getvalue()), "logo.png")}
    response = client.post("/csr/daftar?lang=en", data=data, content_type="multipart/form-data")
    assert "larger than" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(Company)) == 0


def test_clean_image_checks_content_not_name(app):
    for fmt in ("PNG", "JPEG", "WEBP"):
        clean = uploads.clean_image(png_bytes(fmt=fmt), max_side=100, as_logo=False)
        assert clean.mimetype == "image/jpeg" and clean.data[:3] == b"\xff\xd8\xff"
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, format="GIF")
    with pytest.raises(uploads.UploadError):
        uploads.clean_image(gif.getvalue(), max_side=100, as_logo=True)
    # A small file whose header claims 10,000 x 10,000 pixels (a decompression bomb).
    with pytest.raises(uploads.UploadError):
        uploads.clean_image(huge_header_png(), max_side=100, as_logo=True)


def test_logo_upload_on_the_account_page(client, make_company):
    company = make_company(status="pending")
    login(client, company.user)
    bad = {"logo": (io.BytesIO(b"MZ" + b"\x00" * 100), "logo.webp")}
    response = client.post("/csr/akun/logo?lang=en", data=bad, content_type="multipart/form-data")
    assert response.status_code == 200 and "not a PNG" in text_of(response)
    good = {"logo": (io.BytesIO(png_bytes(fmt="WEBP")), "logo.webp")}
    response = client.post("/csr/akun/logo", data=good, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Company, company.id).logo_file.endswith(".png")


def test_registration_is_rate_limited(app, client):
    app.config["CSR_REGISTER_LIMIT"] = "2 per hour"
    for _ in range(2):
        client.post("/csr/daftar", data={"name": "x"})
    assert client.post("/csr/daftar", data={"name": "x"}).status_code == 429


# --- pledging and offers over HTTP ----------------------------------------------------------


def test_a_partner_pledges_with_js_off_and_the_amount_may_carry_dots(
    client, make_need, make_company
):
    need = make_need(kind="money", target=10_000_000, unit_id=None, unit_en=None)
    company = make_company()
    login(client, company.user)
    response = client.post(f"/csr/kebutuhan/{need.id}/janji?lang=en", data={"amount": "2,5"})
    assert response.status_code == 200 and "whole number" in text_of(response)
    assert 'value="2,5"' in text_of(response)
    response = client.post(f"/csr/kebutuhan/{need.id}/janji", data={"amount": "Rp 2.500.000"})
    assert response.status_code == 302
    pledge = db.session.scalars(select(Pledge)).one()
    assert (pledge.amount, pledge.value, pledge.status) == (2_500_000, 2_500_000, "pledged")


def test_an_offer_becomes_a_pledge_through_staff(client, make_need, make_company, staff):
    need = make_need(kind="training", target=40, unit_id="peserta")
    company = make_company()
    login(client, company.user)
    response = client.post(
        "/csr/tawaran",
        data={"kind": "training", "description": "Kelas literasi keuangan", "amount": "2"},
    )
    assert response.status_code == 302
    offer = db.session.scalars(select(Pledge)).one()
    assert offer.status == "offered" and offer.need_id is None
    assert "literasi" not in text_of(client.get("/csr/data/janji.json"))
    login(client, staff["operator"])
    response = client.post(
        f"/staf/csr/janji/{offer.id}/terima", data={"need_id": need.id, "amount": "20"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    offer = db.session.get(Pledge, offer.id)
    assert (offer.status, offer.need_id, offer.amount) == ("pledged", need.id, 20)


# --- receipts and the verify page ------------------------------------------------------------


def test_receipts_are_pdfs_in_the_partners_language_with_a_code_anyone_can_check(
    client, make_need, make_company, staff
):
    need = make_need(target=100)
    english = make_company(locale="en", name="PT English Receipts")
    pledge = confirmed(english, need, staff["operator"], amount=30)
    delivery = services.record_delivery(
        pledge.id, amount=10, delivered_on=village_today(), actor=staff["operator"]
    )
    login(client, english.user)
    # The reader browses in Indonesian; the receipt follows the company's language.
    response = client.get(f"/csr/kuitansi/janji/{pledge.id}.pdf?lang=id")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    body = pdf_text(response.data)
    assert pledge.receipt_code in body and "Acknowledgement of pledge" in body

    indonesian = make_company(locale="id")
    other = confirmed(indonesian, need, staff["operator"], amount=10)
    login(client, staff["auditor"])
    body = pdf_text(client.get(f"/csr/kuitansi/janji/{other.id}.pdf?lang=en").data)
    assert other.receipt_code in body and "Acknowledgement of pledge" not in body

    body = pdf_text(client.get(f"/csr/kuitansi/pengiriman/{delivery.id}.pdf").data)
    assert delivery.receipt_code in body

    client.post("/keluar")
    raw = delivery.receipt_code.replace("-", "").lower()
    page = text_of(client.get(f"/csr/verifikasi?kode={raw}&lang=en"))
    assert "This acknowledgement is genuine." in page and "PT English Receipts" in page
    page = text_of(client.get("/csr/verifikasi?kode=AAAA-BBBB-CCCC-DDDD&lang=en"))
    assert "No acknowledgement has this code" in page
    assert client.get(f"/csr/kuitansi/janji/{pledge.id}.pdf").status_code == 302


def test_codes_are_random_and_well_formed():
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}", c) for c in codes)
    assert services.normalize_code("abcd efgh jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert services.normalize_code("ABCD-EFGH-JKMN-PQR0") is None  # 0 is never used


# --- the public board, feed and open data ----------------------------------------------------


def test_the_board_lists_urgent_needs_first_with_progress_in_both_languages(
    client, make_need, make_company, staff
):
    later = make_need(title_id="Kebutuhan kedua", title_en="Second need", rank=5)
    first = make_need(
        title_id="Kebutuhan pertama",
        title_en="First need",
        kind="money",
        target=10_000_000,
        unit_id=None,
        rank=1,
    )
    make_need(title_id="Draf rahasia", published=False)
    company = make_company(name="PT Dermawan")
    pledge = confirmed(company, first, staff["operator"], amount=4_000_000)
    for part in (1_000_000, 500_000):
        services.record_delivery(
            pledge.id, amount=part, delivered_on=village_today(), actor=staff["operator"]
        )
    confirmed(company, later, staff["operator"], amount=10)

    page = text_of(client.get("/csr/?lang=id"))
    assert page.index("Kebutuhan pertama") < page.index("Kebutuhan kedua")
    assert "Draf rahasia" not in page
    assert 'max="10000000" value="1500000"' in page
    assert "Rp 4.000.000" in page and "Rp 1.500.000" in page
    assert "style=" not in page

    page = text_of(client.get("/csr/?lang=en"))
    assert page.index("First need") < page.index("Second need")
    assert "IDR 4,000,000" in page and "IDR 1,500,000" in page

    fragment = client.get("/csr/?jenis=money&lang=id", headers={"HX-Request": "true"})
    assert "<html" not in text_of(fragment) and "First need" not in text_of(fragment)
    assert "Kebutuhan pertama" in text_of(fragment)
    assert client.get("/csr/?jenis=nothing").status_code == 404


def test_totals_per_partner_kind_and_year(make_need, make_company, staff):
    money = make_need(kind="money", target=50_000_000, unit_id=None)
    goods = make_need(kind="goods", target=100)
    a, b = make_company(name="PT A"), make_company(name="PT B")
    confirmed(a, money, staff["operator"], amount=20_000_000)
    p = pledge_for(b, goods, 10, value=3_000_000)
    services.change_status(p.id, "confirmed", actor=staff["operator"])
    services.record_delivery(p.id, amount=5, delivered_on=village_today(), actor=staff["operator"])
    withdrawn = pledge_for(b, money, 1_000_000)
    services.change_status(withdrawn.id, "withdrawn", actor=b.user)
    totals = services.totals()
    assert [(name, pledged, done) for _id, name, pledged, done in totals["partners"]] == [
        ("PT A", 20_000_000, 0),
        ("PT B", 3_000_000, 1_500_000),
    ]
    assert totals["kinds"] == [("goods", 3_000_000, 1_500_000), ("money", 20_000_000, 0)]
    assert totals["years"] == [(village_today().year, 23_000_000, 1_500_000)]


def test_feed_and_open_data(client, make_need, make_company, staff):
    need = make_need(title_id='=HYPERLINK("http://evil")')
    company = make_company(name="PT Terbuka")
    pledge = confirmed(company, need, staff["operator"], amount=12)
    services.record_delivery(
        pledge.id, amount=7, delivered_on=village_today(), actor=staff["admin"]
    )

    feed = client.get("/csr/janji.atom?lang=en")
    assert feed.mimetype == "application/atom+xml"
    assert feed.data.count(b"<entry>") == 3 and b"PT Terbuka" in feed.data

    rows = list(
        csv.DictReader(io.StringIO(text_of(client.get("/csr/data/janji.csv")).lstrip("\ufeff")))
    )
    assert rows[0]["company"] == "PT Terbuka" and rows[0]["delivered"] == "7"
    assert rows[0]["need"].startswith("'=")  # no formula runs in a spreadsheet
    data = json.loads(client.get("/csr/data/pengiriman.json").data)
    assert data["count"] == 1 and data["rows"][0]["amount"] == 7
    assert "receipt_code" not in data["rows"][0]
    assert "attachment" not in json.dumps(data)


def test_generator_makes_a_bench_sized_board(app):
    from portal.devdata import csr as demo

    demo.generate(needs=20, pledges=300, companies=5)
    db.session.commit()
    active, done = services.board(per_page=50), services.board(done=True, per_page=50)
    assert active.total + done.total == 20 and active.other == done.total
    for need, progress in active.items + done.items:
        assert progress.bar(progress.delivered) <= need.target
    assert db.session.scalar(select(func.count()).where(Pledge.delivered > Pledge.amount)) == 0


def test_demo_seed_runs_on_the_demo_database(app):
    from portal.devdata import village as demo

    assert demo.seed(households=0) is not None
    assert db.session.scalar(select(func.count()).select_from(Need)) == 6
    assert db.session.scalar(select(func.count()).select_from(Company)) == 3
    statuses = set(db.session.scalars(select(Pledge.status)))
    assert {
        "pledged",
        "confirmed",
        "partly_delivered",
        "closed",
        "withdrawn",
        "offered",
    } <= statuses


def test_the_whole_flow_over_plain_forms(client, make_need, staff):
    """Register, be verified, pledge, be confirmed, two partial deliveries with a photo,
    and the board shows the progress in both languages: all with plain POSTs (no JS)."""
    need = make_need(title_id="Beras lansia", title_en="Rice for the elderly", target=100, rank=1)
    response = client.post("/csr/daftar", data={**REGISTRATION, "name": "PT Alur Lengkap"})
    assert response.status_code == 302
    company = db.session.scalars(select(Company)).one()
    partner = company.user

    response = client.post(f"/csr/kebutuhan/{need.id}/janji", data={"amount": "60"})
    assert response.status_code == 302
    assert f"/csr/mitra/{company.id}" not in text_of(client.get("/csr/"))

    login(client, staff["admin"])
    assert client.get(f"/staf/csr/mitra/{company.id}").status_code == 200
    assert client.post(f"/staf/csr/mitra/{company.id}/verifikasi").status_code == 302
    pledge = db.session.scalars(select(Pledge)).one()
    login(client, staff["operator"])
    assert client.get(f"/staf/csr/janji/{pledge.id}").status_code == 200
    response = client.post(f"/staf/csr/janji/{pledge.id}/status", data={"to": "confirmed"})
    assert response.status_code == 302
    for amount, photo in (("20", True), ("15", False)):
        data = {"amount": amount, "delivered_on": village_today().isoformat(), "note": "Diterima"}
        if photo:
            data["attachment"] = (io.BytesIO(png_bytes(fmt="JPEG")), "foto.jpg")
        response = client.post(
            f"/staf/csr/janji/{pledge.id}/pengiriman",
            data=data,
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, text_of(response)
    # Too much is explained beside the field, with the typed value kept.
    response = client.post(
        f"/staf/csr/janji/{pledge.id}/pengiriman?lang=en",
        data={"amount": "30", "delivered_on": village_today().isoformat()},
    )
    assert response.status_code == 200
    assert 'id="amount-error"' in text_of(response) and 'value="30"' in text_of(response)

    client.post("/keluar")
    board_id = text_of(client.get("/csr/?lang=id"))
    assert "Beras lansia" in board_id and "PT Alur Lengkap" in board_id
    assert f'id="need-{need.id}-delivered" class="delivered" max="100" value="35"' in board_id
    assert "35%" in board_id and "Diserahkan" in board_id
    board_en = text_of(client.get("/csr/?lang=en"))
    assert "Rice for the elderly" in board_en and "Delivered" in board_en
    assert "35 sacks" in board_en

    login(client, partner)
    page = text_of(client.get(f"/csr/akun/janji/{pledge.id}"))
    assert page.count("/csr/kuitansi/pengiriman/") == 2 and "/csr/lampiran/" in page


def test_forms_carry_their_csrf_token(app, client, make_need, make_company, staff):
    app.config["WTF_CSRF_ENABLED"] = True
    need = make_need()
    company = make_company()
    login(client, company.user)
    url = f"/csr/kebutuhan/{need.id}/janji"
    assert client.post(url, data={"amount": "5"}).status_code == 400
    page = text_of(client.get(f"/csr/kebutuhan/{need.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(url, data={"amount": "5", "csrf_token": token}).status_code == 302
    pledge = db.session.scalars(select(Pledge)).one()

    login(client, staff["operator"])
    page = text_of(client.get(f"/staf/csr/janji/{pledge.id}"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/staf/csr/janji/{pledge.id}/status", data={"to": "confirmed", "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pledge, pledge.id).status == "confirmed"


def test_staff_write_needs_in_both_languages_and_publish_them(client, staff):
    login(client, staff["auditor"])
    assert client.get("/staf/csr/").status_code == 200
    assert client.get("/staf/csr/kebutuhan/baru").status_code == 403
    login(client, staff["operator"])
    assert client.get("/staf/csr/kebutuhan/baru").status_code == 200
    data = {
        "kind": "equipment",
        "title_id": "Laptop kantor desa",
        "title_en": "",
        "description_id": "Untuk pendataan.",
        "target": "abc",
        "unit_id": "unit",
        "programme_id": "0",
        "rank": "2",
        "is_open": "y",
    }
    response = client.post("/staf/csr/kebutuhan/baru?lang=en", data=data)
    assert response.status_code == 200 and "whole number" in text_of(response)
    response = client.post("/staf/csr/kebutuhan/baru", data={**data, "target": "5"})
    assert response.status_code == 302
    need = db.session.scalars(select(Need)).one()
    assert need.title_en is None and need.programme_id is None and not need.published
    assert client.get(f"/staf/csr/kebutuhan/{need.id}").status_code == 200
    assert "Laptop kantor desa" not in text_of(client.get("/csr/"))
    client.post(f"/staf/csr/kebutuhan/{need.id}/terbitkan")
    page = text_of(client.get(f"/csr/kebutuhan/{need.id}?lang=en"))
    assert "Laptop kantor desa" in page and "Only available in Indonesian." in page


def test_the_blank_new_need_form_is_kept_but_its_choices_are_read_each_time(client, staff):
    """A GET's blank need form keeps its fields without read choices per worker
    (NEED_FIELD_RUNS, kept_fragment): they are NeedForm's in order, what was typed in a
    refused form is not kept, and a ballot made since is offered."""
    from portal.csr.forms import NEED_FIELD_RUNS, NeedForm
    from tests.test_participation import make_ballot

    names = [name for _kept, run in NEED_FIELD_RUNS for name in run]
    assert names == [name for name in NeedForm.__dict__ if name in names]
    assert set(names) == {n for n, f in vars(NeedForm).items() if hasattr(f, "field_class")}
    login(client, staff["operator"])

    def form() -> str:  # the need form, its CSRF token left out (it carries a time)
        page = text_of(client.get("/staf/csr/kebutuhan/baru?lang=en"))
        return re.sub(r'<input name="csrf_token"[^>]*>', "", page.split('class="editor"')[1])

    blank = form()
    assert blank.index('name="kind"') < blank.index('name="programme_id"')
    assert blank.index('name="ballot_id"') < blank.index('name="is_open"')
    refused = client.post("/staf/csr/kebutuhan/baru?lang=en", data={"title_id": "Ketikan saya"})
    assert "Ketikan saya" in text_of(refused)
    assert form() == blank
    make_ballot(staff["admin"], question_id="Prioritas 2028", question_en="Priorities 2028")
    login(client, staff["operator"])
    assert "Prioritas 2028" in text_of(client.get("/staf/csr/kebutuhan/baru?lang=en"))


def test_a_need_links_to_the_ballot_that_decided_it(client, staff, make_need):
    from tests.test_participation import make_ballot

    ballot = make_ballot(
        staff["admin"], question_id="Prioritas 2027", question_en="Priorities 2027"
    )
    need = make_need()
    login(client, staff["operator"])
    form = text_of(client.get(f"/staf/csr/kebutuhan/{need.id}?lang=en"))
    assert "Priority ballot that decided it" in form and "Prioritas 2027" in form
    data = {
        "kind": need.kind,
        "title_id": need.title_id,
        "title_en": need.title_en,
        "description_id": need.description_id,
        "target": "100",
        "unit_id": "karung",
        "programme_id": "0",
        "ballot_id": str(ballot.id),
        "rank": "1",
        "is_open": "y",
    }
    # A ballot that does not exist is refused beside the field; nothing changes.
    response = client.post(f"/staf/csr/kebutuhan/{need.id}", data={**data, "ballot_id": "999"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Need, need.id).ballot_id is None
    assert client.post(f"/staf/csr/kebutuhan/{need.id}", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Need, need.id).ballot_id == ballot.id
    client.post("/keluar")
    with client.session_transaction() as session:
        session.clear()
    page = text_of(client.get(f"/csr/kebutuhan/{need.id}?lang=en"))
    assert "Decided by the ballot" in page
    assert f"/partisipasi/pemungutan/{ballot.id}/hasil" in page and "Priorities 2027" in page


def test_the_database_keeps_a_need_from_naming_a_missing_ballot(staff, make_need):
    from sqlalchemy.exc import IntegrityError

    from tests.test_participation import make_ballot

    need = make_need()
    need.ballot_id = 424242
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    ballot = make_ballot(staff["admin"])
    need = db.session.get(Need, need.id)
    need.ballot_id = ballot.id
    db.session.commit()
    # A ballot removed by hand (the application never deletes one) only clears the link.
    db.session.execute(text("DELETE FROM ballot_option WHERE ballot_id = :b"), {"b": ballot.id})
    db.session.execute(text("DELETE FROM ballot WHERE id = :b"), {"b": ballot.id})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Need, need.id).ballot_id is None


# --- the board in pages, aggregated ----------------------------------------------------------


@pytest.fixture
def count_queries(app):
    """count_queries() -> a context manager whose value is the list of SQL statements run."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        seen: list[str] = []

        def before(_conn, _cursor, statement, *_args):
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


def test_the_board_shows_twenty_needs_a_page_most_urgent_first_with_plain_links(
    client, make_need, make_company, staff
):
    far = village_today() + timedelta(days=90)
    for i in range(45):
        # Ranks 1..15, three needs each; within a rank the nearest deadline first.
        make_need(
            title_id=f"Kebutuhan nomor {i:02d}",
            title_en=None,
            rank=i // 3 + 1,
            deadline=None if i % 3 == 2 else far - timedelta(days=i % 3),
        )
    met = make_need(title_id="Kebutuhan terpenuhi", title_en=None, rank=1, target=10)
    closed = make_need(title_id="Kebutuhan ditutup", title_en=None, rank=1, is_open=False)
    pledge = confirmed(make_company(), met, staff["operator"], amount=10)
    services.record_delivery(
        pledge.id, amount=10, delivered_on=village_today(), actor=staff["admin"]
    )

    first = services.board()
    assert (first.page, first.pages, first.total, first.other) == (1, 3, 45, 2)
    titles = [n.title_id for n, _p in first.items]
    assert titles[:3] == ["Kebutuhan nomor 01", "Kebutuhan nomor 00", "Kebutuhan nomor 02"]
    assert len(titles) == 20 and met.title_id not in titles
    assert len(services.board(page=3).items) == 5
    assert services.board(page=99).page == 3  # past the end: the last page
    done = services.board(done=True)
    assert {n.id for n, _p in done.items} == {met.id, closed.id}

    page = text_of(client.get("/csr/?lang=id"))
    assert "Kebutuhan nomor 19" in page and "Kebutuhan nomor 20" not in page
    assert 'href="/csr/?halaman=2"' in page and "45 kebutuhan terbuka" in page
    page = text_of(client.get("/csr/?halaman=2&lang=en"))
    assert "Kebutuhan nomor 20" in page and "Kebutuhan nomor 19" not in page
    assert 'href="/csr/?halaman=1"' in page and 'href="/csr/?halaman=3"' in page
    assert "Page 2 of 3" in page
    page = text_of(client.get("/csr/?daftar=selesai&lang=en"))
    assert "Kebutuhan terpenuhi" in page and "Kebutuhan ditutup" in page
    assert "Kebutuhan nomor 00" not in page and "2 needs met or closed" in page
    fragment = text_of(client.get("/csr/?halaman=3", headers={"HX-Request": "true"}))
    assert "<html" not in fragment and "Kebutuhan nomor 44" in fragment
    assert client.get("/csr/?halaman=0").status_code == 404
    assert client.get("/csr/?halaman=x").status_code == 404
    assert client.get("/csr/?daftar=semua").status_code == 404


def test_a_bench_sized_board_stays_light_and_its_queries_do_not_grow(
    client, app, make_need, count_queries
):
    from portal.devdata import csr as demo

    demo.generate(needs=12, pledges=60, companies=4)
    db.session.commit()
    with count_queries() as small:
        assert client.get("/csr/?bench-miss=1").status_code == 200
    demo.generate(needs=200, pledges=5000, companies=40, seed=2)
    db.session.commit()
    with count_queries() as big:
        response = client.get("/csr/?bench-miss=2")
    assert response.status_code == 200
    # The same statements whatever the size (no query per need, pledge or company).
    assert len(big) == len(small) <= 12, big
    assert len(response.data) < 60_000, len(response.data)
    assert text_of(response).count('class="card"') == 20
    with count_queries() as one_need:
        need_id = db.session.scalar(select(Need.id).order_by(Need.id.desc()))
        assert client.get(f"/csr/kebutuhan/{need_id}").status_code == 200
    assert len(one_need) <= 12, one_need


def test_the_board_is_kept_in_the_page_cache_and_a_change_shows_at_once(
    client, make_need, make_company, staff
):
    need = make_need(title_id="Semen untuk jalan", target=100)
    company = make_company(name="PT Cepat")
    first = client.get("/csr/")
    assert first.headers["X-Portal-Cache"] == "miss"
    assert client.get("/csr/").headers["X-Portal-Cache"] == "hit"
    pledge = confirmed(company, need, staff["operator"], amount=60)
    # The delivery moves the running sum with a bulk UPDATE: that too empties the cache.
    client.get("/csr/")
    services.record_delivery(
        pledge.id, amount=25, delivered_on=village_today(), actor=staff["admin"]
    )
    page = client.get("/csr/")
    assert page.headers["X-Portal-Cache"] == "miss"
    assert 'max="100" value="25"' in text_of(page)


# --- an unverified company's pledges are never public ------------------------------------------


def test_an_unverified_companys_pledges_reach_no_public_output(
    client, make_need, make_company, staff
):
    """Stored, but absent from the board (bars, counts, totals), the need's page, the
    partner page, the feed, the CSV and JSON of pledges and deliveries."""
    need = make_need(title_id="Pupuk organik", target=100, rank=1)
    shown = make_company(name="PT Terverifikasi")
    confirmed(shown, need, staff["operator"], amount=10)
    waiting = make_company(status="pending", name="PT Menunggu")
    pledge_for(waiting, need, 30)
    # A company verified, then no longer: its delivered pledge must vanish too.
    dropped = make_company(name="PT Dicabut")
    gone = confirmed(dropped, need, staff["operator"], amount=90)
    services.record_delivery(gone.id, amount=90, delivered_on=village_today(), actor=staff["admin"])
    services.reject_company(dropped, actor=staff["admin"], note="Dokumen palsu")

    assert db.session.scalar(select(func.count()).select_from(Pledge)) == 3  # all stored
    progress = services.progress_of(need)
    assert (progress.pledged, progress.delivered, progress.pledges) == (10, 0, 1)
    totals = services.totals()
    assert [row[1] for row in totals["partners"]] == ["PT Terverifikasi"]
    assert totals["kinds"] == [("goods", 0, 0)]  # goods without an estimated value
    # 90 of 100 delivered by the rejected company does not make the need nearly met.
    assert services.board().total == 1 and services.board(done=True).total == 0

    outputs = {
        "board": "/csr/",
        "board, English": "/csr/?lang=en",
        "need page": f"/csr/kebutuhan/{need.id}",
        "verified partner page": f"/csr/mitra/{shown.id}",
        "feed": "/csr/janji.atom",
        "pledges CSV": "/csr/data/janji.csv",
        "pledges JSON": "/csr/data/janji.json",
        "deliveries CSV": "/csr/data/pengiriman.csv",
        "deliveries JSON": "/csr/data/pengiriman.json",
    }
    for what, url in outputs.items():
        response = client.get(url)
        assert response.status_code == 200, what
        body = text_of(response)
        for name in ("PT Menunggu", "PT Dicabut"):
            assert name not in body, f"{name} on the {what}"
    board = text_of(client.get("/csr/?lang=id"))
    assert 'max="100" value="10"' in board and 'max="100" value="0"' in board
    assert json.loads(client.get("/csr/data/janji.json").data)["count"] == 1
    assert json.loads(client.get("/csr/data/pengiriman.json").data)["count"] == 0
    for company in (waiting, dropped):
        assert client.get(f"/csr/mitra/{company.id}").status_code == 404
        assert client.get(f"/csr/logo/{company.id}").status_code == 404
    assert services.recent_events() and all(
        e.pledge.company_id == shown.id for e in services.recent_events()
    )


def test_a_partner_cannot_pledge_for_or_read_the_offers_of_another_company(
    client, make_need, make_company, staff
):
    need = make_need()
    mine, theirs = make_company(name="PT Saya"), make_company(name="PT Mereka")
    with pytest.raises(services.NotAllowed):
        services.make_pledge(theirs, need.id, amount=5, actor=mine.user)
    with pytest.raises(services.NotAllowed):
        services.make_offer(
            theirs, kind="goods", description="Semen", amount=5, unit="sak", actor=mine.user
        )
    offer = services.make_offer(
        theirs, kind="goods", description="Semen rahasia", amount=5, unit="sak", actor=theirs.user
    )
    pledge = pledge_for(theirs, need, 7)
    with pytest.raises(services.NotAllowed):
        services.change_status(offer.id, "withdrawn", actor=mine.user)
    assert services.allowed_steps(pledge, mine.user) == []

    login(client, mine.user)
    for url in (f"/csr/akun/janji/{offer.id}", f"/csr/akun/janji/{pledge.id}"):
        assert client.get(url).status_code == 404, url
        assert client.post(url + "/tarik", data={"note": "x"}).status_code == 404, url
    for url in (f"/staf/csr/janji/{pledge.id}", "/staf/csr/janji", "/staf/csr/mitra"):
        assert client.get(url).status_code == 403, url
    assert "Semen rahasia" not in text_of(client.get("/csr/akun"))
    # Even the other company's public page never shows its offers.
    assert "Semen rahasia" not in text_of(client.get(f"/csr/mitra/{theirs.id}"))
    db.session.expire_all()
    assert db.session.get(Pledge, offer.id).status == "offered"
    assert db.session.get(Pledge, pledge.id).status == "pledged"


# --- the hook for the training package -------------------------------------------------------


def test_a_training_pledge_links_to_course_creation_only_when_training_is_there(
    app, client, make_need, make_company, staff, monkeypatch
):
    from portal.csr import manage

    need = make_need(kind="training", title_id="Pelatihan menjahit", unit_id="peserta")
    goods = make_need(kind="goods")
    company = make_company(name="PT Pelatih")
    training = confirmed(company, need, staff["operator"], amount=20)
    other = confirmed(company, goods, staff["operator"], amount=5)
    if manage.COURSE_NEW_ENDPOINT not in app.view_functions:
        # What the training package will register; before the first request of this app.
        app.add_url_rule(
            "/staf/pelatihan/kursus/baru",
            endpoint=manage.COURSE_NEW_ENDPOINT,
            view_func=lambda: "",
        )
    login(client, staff["operator"])
    page = text_of(client.get(f"/staf/csr/janji/{training.id}?lang=en"))
    assert f'href="/staf/pelatihan/kursus/baru?pledge={training.id}"' in page
    assert "Create course from this pledge" in page
    assert "/staf/pelatihan/kursus/baru" not in text_of(client.get(f"/staf/csr/janji/{other.id}"))
    login(client, staff["auditor"])
    assert "/staf/pelatihan/kursus/baru" not in text_of(
        client.get(f"/staf/csr/janji/{training.id}")
    )

    # Without the training package the button is not there (checked at request time).
    monkeypatch.delitem(app.view_functions, manage.COURSE_NEW_ENDPOINT)
    login(client, staff["admin"])
    page = text_of(client.get(f"/staf/csr/janji/{training.id}"))
    assert "/staf/pelatihan/kursus/baru" not in page


def _pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Kuitansi: 20 karung beras")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 400, "This file is not a PDF or a picture"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "The PDF is damaged or incomplete"),
    ],
    ids=["renamed-exe", "truncated-pdf"],
)
def test_a_bad_delivery_receipt_is_refused_beside_the_field(
    client, make_need, make_company, staff, payload, message
):
    pledge = confirmed(make_company(), make_need(target=100), staff["operator"], amount=50)
    login(client, staff["operator"])
    response = client.post(
        f"/staf/csr/janji/{pledge.id}/pengiriman?lang=en",
        data={
            "amount": "20",
            "delivered_on": village_today().isoformat(),
            "attachment": (io.BytesIO(payload), "kuitansi.pdf"),
        },
        content_type="multipart/form-data",
    )
    page = text_of(response)
    assert response.status_code == 200
    assert 'id="attachment-error"' in page and message in page
    assert 'value="20"' in page  # the typed amount is kept
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_a_delivery_receipt_may_be_a_pdf(client, make_need, make_company, staff):
    company = make_company()
    pledge = confirmed(company, make_need(target=100), staff["operator"], amount=50)
    login(client, staff["operator"])
    body = _pdf_bytes()
    response = client.post(
        f"/staf/csr/janji/{pledge.id}/pengiriman",
        data={
            "amount": "20",
            "delivered_on": village_today().isoformat(),
            "attachment": (io.BytesIO(body), "kuitansi.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text_of(response)
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.attachment_file.endswith(".pdf")
    served = client.get(f"/csr/lampiran/{delivery.id}")
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.get_data() == body
    client.post("/keluar")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/csr/lampiran/{delivery.id}").status_code in (302, 401, 403)
    login(client, company.user)
    assert client.get(f"/csr/lampiran/{delivery.id}").mimetype == "application/pdf"


def test_receipt_renders_share_the_process_cap(client, make_need, make_company, staff, app):
    """PDF renders are capped per process (RENDER_SLOTS): one more answers 503."""
    from portal import filecache

    app.config["RENDER_SLOTS"] = 1
    company = make_company()
    pledge = confirmed(company, make_need(target=100), staff["operator"], amount=30)
    login(client, company.user)
    url = f"/csr/kuitansi/janji/{pledge.id}.pdf"
    with filecache.render_slot():
        busy = client.get(url)
    assert busy.status_code == 503 and busy.headers["Retry-After"]
    assert client.get(url).status_code == 200


# The need edit page's loop over a NeedForm filled from the need, as the template wrote it.
JINJA_NEED_FIELDS = """\
  {% set field = form_field %}
  {% for f in form if f.name != 'csrf_token' %}
    {{ field(f) }}
  {% endfor %}
"""


def test_the_need_edit_fields_are_the_filled_in_forms_loop(app):
    """need_fields writes what the template's loop wrote for NeedForm(obj=need), in both
    languages and on the first and a later page (kept markup): every kind, empty and
    escaped values, a deadline, closed for pledges, a programme and a ballot chosen or
    not, a choice's label escaped."""
    from datetime import date
    from types import SimpleNamespace

    from flask import render_template_string

    from portal.csr import need_fields

    def need(**fields):
        blank = dict.fromkeys(
            ("title_en", "description_en", "unit_id", "unit_en", "priority_id", "priority_en")
        )
        base = dict(
            kind="goods",
            title_id="Beras untuk lansia",
            description_id="Beras untuk paket pangan.",
            target=100,
            programme_id=None,
            ballot_id=None,
            deadline=None,
            rank=100,
            is_open=True,
        )
        return SimpleNamespace(**{**blank, **base, **fields})

    needs = [
        need(
            kind="money",
            title_id='Dana "darurat" <banjir> & longsor',
            description_id='Baris satu\nbaris <dua> & "tiga"',
            target=1_500_000,
            is_open=False,
            deadline=date(2027, 1, 5),
            programme_id=3,
            ballot_id=2,
        ),
        need(title_en="Rice", unit_id="karung", unit_en="sacks", priority_id="Musdes 12 Maret"),
        need(kind="training", rank=7, description_en="Why <b>", programme_id=9),
        need(kind="expertise", priority_en="Village meeting", ballot_id=2),
        need(kind="equipment", target=1, programme_id=3),
    ]
    programmes = [(0, "None"), (3, 'Pangan <"keluarga">'), (9, "")]
    ballots = [(0, "None"), (2, "Prioritas & bantuan")]
    need_fields._KEPT.clear()
    written = []
    for _turn, lang in itertools.product((1, 2), ("id", "en")):
        with app.app_context(), app.test_request_context(f"/staf/csr/kebutuhan/1?lang={lang}"):
            for item in needs:
                form = _filled_need_form(item, programmes, ballots)
                old = render_template_string(JINJA_NEED_FIELDS, form=form)
                new = render_template_string(
                    "{{ fields }}", fields=need_fields.need_fields(item, programmes, ballots)
                )
                assert new == old
                written.append(new)
    assert sorted(need_fields._KEPT) == ["en", "id"]
    assert "&#34;darurat&#34; &lt;banjir&gt; &amp;" in written[0]
    assert '<option selected value="3">Pangan &lt;&#34;keluarga&#34;&gt;</option>' in written[0]
    assert "Why the village needs it" in written[-1] and "Why &lt;b&gt;" in written[-3]
    assert '<input checked id="is_open"' in written[1] and "checked" not in written[0]


def _filled_need_form(need, programmes, ballots):
    """NeedForm(obj=need) with the selects' choices as manage._need_form sets them on a
    GET."""
    from wtforms.fields.choices import SelectChoice

    from portal.csr.forms import NeedForm

    form = NeedForm(obj=need)
    form.programme_id.choices = [SelectChoice(value=v, label=label) for v, label in programmes]
    form.ballot_id.choices = [SelectChoice(value=v, label=label) for v, label in ballots]
    form.programme_id.data = need.programme_id or 0
    form.ballot_id.data = need.ballot_id or 0
    return form


def test_a_pledge_with_its_progress_is_the_pledge_and_progress_of_its_need(
    make_need, make_company, staff
):
    """pledge_with_progress reads the staff pledge page's pledge and its need's progress
    over every company (verified or not, closed pledges at what they delivered) in one
    statement: the same as progress_of(need, public=False); an offer has none."""
    need = make_need(target=100)
    other = make_need(target=10)
    first = confirmed(make_company(), need, staff["operator"], amount=40)
    services.record_delivery(
        first.id, amount=5, delivered_on=village_today(), actor=staff["operator"]
    )
    services.change_status(first.id, "closed", actor=staff["operator"], note="Cukup")
    pending = pledge_for(make_company(status="pending"), need, 30)
    pledge_for(make_company(), other, 3)
    confirmed(make_company(), need, staff["operator"], amount=20)
    offering = make_company()
    offer = services.make_offer(
        offering, kind="goods", description="Semen", amount=7, unit="sak", actor=offering.user
    )
    assert services.pledge_with_progress(10_000) is None
    item, progress = services.pledge_with_progress(pending.id)
    assert item.id == pending.id and item.company.status == "pending"
    assert progress == services.progress_of(need, public=False)
    assert (progress.pledged, progress.confirmed, progress.delivered) == (55, 25, 5)
    assert progress.pledges == 3
    assert services.pledge_with_progress(offer.id)[1] is None


def test_the_pledge_lines_write_the_rows_the_pledges_wrote(app, make_need, make_company, staff):
    """The staff list's and the company pages' pledges are read as plain columns
    (PledgeLine): their rows are what the ORM objects gave, in both languages (a pending
    company, an offer, a need's unit), newest change first, one status or all."""
    from flask import render_template_string

    pending = make_company(status="pending", name="PT <Baru> & Co")
    need = make_need(kind="goods", unit_id="karung", unit_en="sack")
    made = [pledge_for(pending, need), confirmed(make_company(), need, staff["operator"])]
    made.append(
        services.make_offer(
            pending,
            kind="goods",
            description="Semen <x> " * 9,
            amount=7,
            unit="sak",
            actor=pending.user,
        )
    )
    staff_rows = "{{ csr_staff_pledge_rows(pledges, url_for) }}"
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/staf/csr/janji?lang={lang}"):
            for status in (None, "pledged", "confirmed", "closed"):
                lines = services.staff_pledges(status)
                orm = sorted(
                    (db.session.get(Pledge, p.id) for p in made),
                    key=lambda p: (p.updated_at, p.id),
                    reverse=True,
                )
                orm = [p for p in orm if status is None or p.status == status]
                assert [p.id for p in lines] == [p.id for p in orm]
                new = render_template_string(staff_rows, pledges=lines)
                assert new == render_template_string(staff_rows, pledges=orm)
            assert "tag-warn" in new or status == "closed"
        with app.app_context(), app.test_request_context(f"/csr/akun?lang={lang}"):
            lines = services.company_pledges_page(pending, public=False, page=1).items
            orm = [
                db.session.get(Pledge, p.id) for p in reversed(made) if p.company_id == pending.id
            ]
            partner = "{{ csr_partner_pledge_rows(pledges, url_for) }}"
            assert render_template_string(partner, pledges=lines) == render_template_string(
                partner, pledges=orm
            )


# templates/csr/_needs.html's cards as the Jinja loop wrote them, before portal/csr/rows.py.
JINJA_BOARD_CARDS = """\
  {% for need, p in board.items %}
  {% set title = tr(need, 'title') %}
  <li class="card">
    <p class="meta"><span class="tag">{{ need_kinds[need.kind] }}</span>
    {% if need.deadline %}{{ _("Needed by %(date)s", date=need.deadline|day) }}{% endif %}</p>
    <h2 class="h3"><a href="{{ url_for('csr.need', need_id=need.id) }}"{% if title.fallback %} lang="id"{% endif %}>{{ title }}</a></h2>
    <p>{{ _("Target: %(amount)s", amount=csr_need_qty(need, need.target)) }}</p>
    {{ csr_bars(need, p) }}
  </li>
  {% endfor %}
"""  # noqa: E501


def test_the_board_cards_are_the_jinja_loop(app, make_need, make_company, staff):
    """csr_board_cards writes what the board's loop wrote, in both languages: a deadline
    or none, a title only in Indonesian (lang="id") and one escaped, money and goods,
    over-pledged and not."""
    from datetime import date

    from flask import render_template_string

    need = make_need(title_id="Beras <murah> & sehat", deadline=date(2027, 3, 1), target=10)
    make_need(kind="money", title_en=None, unit_id=None, unit_en=None, target=1_000_000)
    make_need(kind="training", unit_id="jam", unit_en=None, rank=1)
    confirmed(make_company(), need, staff["operator"], amount=15)
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/csr/?lang={lang}"):
            board = services.board()
            assert len(board.items) == 3
            new = render_template_string("{{ csr_board_cards(board.items, url_for) }}", board=board)
            assert new == render_template_string(JINJA_BOARD_CARDS, board=board)
            assert ("&lt;murah&gt; &amp;" in new) == (lang == "id")
            assert f"/csr/kebutuhan/{need.id}" in new
            assert ('lang="id"' in new) == (lang == "en") and "tag-over" in new


# templates/csr/need.html's pledges as the Jinja loop wrote them, before portal/csr/rows.py.
JINJA_NEED_PLEDGES = """{% set pledge_qty = csr_pledge_qty %}{% from "_macros/ui.html" import status_tag %}
  {% for p in pledges %}
  <tr>
    <td data-label="{{ _('Partner') }}"><a href="{{ url_for('csr.company', company_id=p.company_id) }}">{{ p.company.name }}</a></td>
    <td data-label="{{ _('Pledged') }}" class="num">{{ pledge_qty(p, p.amount) }}</td>
    <td data-label="{{ _('Delivered') }}" class="num">{{ pledge_qty(p, p.delivered) }}</td>
    <td data-label="{{ _('Status') }}">{{ status_tag("csr.pledge", p.status) }}</td>
    <td data-label="{{ _('Date') }}" class="nowrap">{{ p.created_at|day }}</td>
  </tr>
  {% endfor %}
"""  # noqa: E501


def test_the_need_pledge_rows_are_the_jinja_loop(app, make_need, make_company, staff):
    """csr_need_pledge_rows writes what the need page's loop wrote, in both languages:
    goods in the need's unit and money, a company's name escaped, several statuses."""
    from flask import render_template_string

    goods = make_need(kind="goods", unit_id="karung", unit_en="sack")
    money = make_need(kind="money", unit_id=None, unit_en=None, target=1_000_000)
    company = make_company(name="PT <Maju> & Jaya")
    confirmed(company, goods, staff["operator"], amount=20)
    pledge_for(make_company(), goods, 5)
    withdrawn = pledge_for(make_company(), goods, 3)
    services.change_status(withdrawn.id, "withdrawn", actor=withdrawn.company.user)
    pledge_for(company, money, 250_000, value=250_000)
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/csr/kebutuhan/1?lang={lang}"):
            for need in (goods, money):
                need = db.session.get(Need, need.id)
                pledges = services.public_pledges_for_need(need)
                values = dict(need=need, pledges=pledges)
                new = render_template_string(
                    "{{ csr_need_pledge_rows(need, pledges, url_for) }}", **values
                )
                assert new == render_template_string(JINJA_NEED_PLEDGES, **values)
                assert "PT &lt;Maju&gt; &amp; Jaya" in new
                assert len(pledges) == (3 if need.id == goods.id else 1)


# templates/csr/manage/pledge.html's status steps as the Jinja loop wrote them, before
# portal/csr/rows.py.
JINJA_STEP_FORMS = """\
  {% for step in steps %}
  <form method="post" action="{{ url_for('csr_manage.pledge_status', pledge_id=pledge.id) }}" novalidate class="card csr-step">
    <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
    <input type="hidden" name="to" value="{{ step }}">
    <h2 class="h3">{% if step == 'confirmed' %}{{ _("Confirm the pledge") }}{% elif step == 'closed' %}{{ _("Close the pledge") }}{% else %}{{ _("Withdraw the pledge") }}{% endif %}</h2>
    {% if step == 'confirmed' %}<p class="hint">{{ _("Confirm once the village and the company have agreed. An acknowledgement with a verification code is issued.") }}</p>{% endif %}
    {% if step == 'closed' and pledge.remaining %}<p class="hint">{{ _("Not everything was delivered: say why in the note.") }}</p>{% endif %}
    <div class="field">
      <label for="note-{{ step }}">{{ _("Note (optional)") }}</label>
      <textarea id="note-{{ step }}" name="note" rows="2" maxlength="1000"></textarea>
    </div>
    <button type="submit"{% if step != 'confirmed' %} class="secondary"{% endif %}>{% if step == 'confirmed' %}{{ _("Confirm") }}{% elif step == 'closed' %}{{ _("Close") }}{% else %}{{ _("Withdraw") }}{% endif %}</button>
  </form>
  {% endfor %}
"""  # noqa: E501


def test_the_step_forms_are_the_jinja_loop(app):
    """csr_step_forms writes what the staff pledge page's loop wrote, in both languages:
    confirming (with its hint), closing with something left (a hint) or not, withdrawing."""
    from types import SimpleNamespace

    from flask import render_template_string

    cases = [
        (SimpleNamespace(id=7, remaining=3), ["confirmed", "withdrawn"]),
        (SimpleNamespace(id=8, remaining=3), ["closed", "withdrawn"]),
        (SimpleNamespace(id=9, remaining=0), ["closed"]),
        (SimpleNamespace(id=10, remaining=0), []),
    ]
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/staf/csr/janji/7?lang={lang}"):
            for pledge, steps in cases:
                values = dict(pledge=pledge, steps=steps)
                new = render_template_string(
                    "{{ csr_step_forms(pledge, steps, csrf_token(), url_for) }}", **values
                )
                assert new == render_template_string(JINJA_STEP_FORMS, **values)
                assert new.count("<form ") == len(steps)
                assert ('class="hint"' in new) == (pledge.id in (7, 8))


# templates/csr/board.html's totals tables as the Jinja loops wrote them, before
# portal/csr/board_html.py.
JINJA_TOTALS = """\
{% call scroll_table(_('Per partner')) %}
<table>
  <caption>{{ _("Per partner") }}</caption>
  <thead><tr><th scope="col">{{ _("Partner") }}</th><th scope="col" class="num">{{ _("Pledged") }}</th><th scope="col" class="num">{{ _("Delivered") }}</th></tr></thead>
  <tbody>
  {% for company_id, name, pledged, delivered in totals.partners %}
  <tr><td><a href="{{ url_for('csr.company', company_id=company_id) }}">{{ name }}</a></td><td class="num">{{ pledged|money }}</td><td class="num">{{ delivered|money }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endcall %}
{% call scroll_table(_('Per kind')) %}
<table>
  <caption>{{ _("Per kind") }}</caption>
  <thead><tr><th scope="col">{{ _("Kind") }}</th><th scope="col" class="num">{{ _("Pledged") }}</th><th scope="col" class="num">{{ _("Delivered") }}</th></tr></thead>
  <tbody>
  {% for key, pledged, delivered in totals.kinds %}
  <tr><td>{{ need_kinds[key] }}</td><td class="num">{{ pledged|money }}</td><td class="num">{{ delivered|money }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endcall %}
{% call scroll_table(_('Per year')) %}
<table>
  <caption>{{ _("Per year") }}</caption>
  <thead><tr><th scope="col">{{ _("Year") }}</th><th scope="col" class="num">{{ _("Pledged") }}</th><th scope="col" class="num">{{ _("Delivered") }}</th></tr></thead>
  <tbody>
  {% for year, pledged, delivered in totals.years %}
  <tr><td>{{ year }}</td><td class="num">{{ pledged|money }}</td><td class="num">{{ delivered|money }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endcall %}
"""  # noqa: E501


def test_the_board_totals_are_the_jinja_tables(app, make_need, make_company, staff):
    """csr_totals_tables writes what the board's three tables wrote, in both languages:
    a company's name escaped, several kinds, money and goods."""
    from flask import render_template_string

    goods = make_need(kind="goods", unit_id="karung", unit_en="sack")
    money = make_need(kind="money", unit_id=None, unit_en=None, target=1_000_000)
    confirmed(make_company(name="PT <Maju> & Jaya"), goods, staff["operator"], amount=20)
    pledge_for(make_company(), money, 250_000, value=250_000)
    for lang in ("id", "en"):
        with app.app_context(), app.test_request_context(f"/csr/?lang={lang}"):
            totals = services.totals()
            assert len(totals["partners"]) == 2 and len(totals["kinds"]) == 2
            new = render_template_string("{{ csr_totals_tables(totals, url_for) }}", totals=totals)
            assert new == render_template_string(JINJA_TOTALS, totals=totals)
            assert "PT &lt;Maju&gt; &amp; Jaya" in new and "/csr/mitra/" in new
