"""Demo data: one published list of BLT Dana Desa, decided at a special village meeting.

Runs after the registry demo (portal.devdata.village._seed_features); fast enough for the browser
tests, which seed a fresh database. The caller commits.

Duties are kept apart as in real use: the operator draws the list and records the
meeting; the meeting names the administrator's account as the village head and the
auditor's (BPD) account as a BPD member, besides typed names; the village head (the
administrator, who neither drew nor changed the list) approves; the operator publishes.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.lists import duties, services
from portal.models_base import village_today
from portal.programmes.models import Programme

# The named attendees without an account (the demo's bench period names them all).
TYPED_ATTENDEES = """Siti Aminah; Ketua BPD
Rina Marlina; Pendamping Desa
Joko Widodo; Sekretaris Desa"""
ATTENDEES = """Hendra Saputra; Kepala Desa
Siti Aminah; Ketua BPD
Budi Santoso; Anggota BPD
Rina Marlina; Pendamping Desa
Joko Widodo; Sekretaris Desa"""


def _period_data(programme: Programme, today: date) -> dict:
    start = date(today.year + 1, 1, 1)
    return dict(
        programme_id=programme.id,
        title_id=f"BLT Dana Desa Januari-Maret {start.year}",
        title_en=f"BLT Dana Desa, January to March {start.year}",
        starts_on=start,
        ends_on=date(start.year, 3, 31),
        budget=None,
        amount=900000,
        benefit_id="Rp300.000 per bulan selama tiga bulan, dibayar tunai di Balai Desa",
        benefit_en="IDR 300,000 a month for three months, paid in cash at the village hall",
        rule_need_levels="sangat_miskin miskin",
        rule_max_desil=None,
        rule_min_members=None,
        rule_composition="",
        rule_aid_fit=False,
        rule_not_covered=True,
        objection_days=14,
    )


def seed(today: date | None = None):
    """Add the demo period, its draft, meeting, approval and first published version."""
    today = today or village_today()
    programme = db.session.scalar(select(Programme).where(Programme.slug == "blt-dana-desa"))
    operator = db.session.scalar(select(User).where(User.role == "operator").limit(1))
    head = db.session.scalar(select(User).where(User.role == "admin").limit(1))
    bpd = db.session.scalar(select(User).where(User.role == "auditor").limit(1))
    if programme is None or operator is None or head is None or bpd is None:
        return None
    period = services.save_period(None, _period_data(programme, today), actor=operator)
    if not services.propose_draft(period, actor=operator):
        return period
    data = dict(
        held_on=today - timedelta(days=3),
        place="Balai Desa Duri Selatan",
        attendees_count=62,
        quorum_required=40,
        decisions="Daftar calon penerima BLT Dana Desa ditetapkan sesuai usulan hasil "
        "pendataan per RT/RW, dengan catatan verifikasi ulang tiga nama.",
        minutes="Musyawarah dibuka oleh Ketua BPD pukul 09.00 WIB. Hasil pendataan dipaparkan "
        "per RT/RW, peserta menyetujui daftar, berita acara ditandatangani.",
    )
    accounts = duties.attendee_accounts([bpd.id], head.id)
    services.record_decision(period, data, TYPED_ATTENDEES, actor=operator, accounts=accounts)
    services.approve(period, actor=head, note="Disetujui Kepala Desa.")
    services.publish(period, actor=operator, today=today)
    return period


def bench_period(households: int = 2000, today: date | None = None):
    """A published period with `households` households, for bench/lists.py.

    The registry must hold at least that many households with a living member (the
    registry's demo generator). Entries go in with one bulk insert; the meeting, the
    approval and the publishing go through the services as in real use.
    """
    from sqlalchemy import exists

    from portal.lists.models import ListEntry
    from portal.models_base import utcnow
    from portal.registry.models import Household, Person

    today = today or village_today()
    programme = db.session.scalar(select(Programme).where(Programme.slug == "blt-dana-desa"))
    operator = db.session.scalar(select(User).where(User.role == "operator").limit(1))
    head = db.session.scalar(select(User).where(User.role == "auditor").limit(1))
    data = _period_data(programme, today)
    data.update(
        title_id=f"{data['title_id']} (uji beban)", title_en=f"{data['title_en']} (load test)"
    )
    period = services.save_period(None, data, actor=operator)
    living = exists().where(
        Person.household_id == Household.id,
        Person.status == "alive",
        Person.merged_into_id.is_(None),
    )
    ids = list(
        db.session.scalars(
            select(Household.id).where(living).order_by(Household.id).limit(households)
        )
    )
    if len(ids) < households:
        raise RuntimeError(f"the registry has only {len(ids)} households with a living member")
    now = utcnow()
    db.session.execute(
        ListEntry.__table__.insert(),
        [
            dict(period_id=period.id, household_id=h, active=True, source="rule", added_at=now)
            for h in ids
        ],
    )
    period.changed_at = now
    db.session.commit()
    decision = dict(
        held_on=today - timedelta(days=1),
        place="Balai Desa Duri Selatan",
        attendees_count=80,
        quorum_required=40,
        decisions="Daftar ditetapkan.",
        minutes="Notulen musyawarah.",
    )
    services.record_decision(period, decision, ATTENDEES, actor=operator)
    services.approve(period, actor=head)
    services.publish(period, actor=operator, today=today)
    return period
