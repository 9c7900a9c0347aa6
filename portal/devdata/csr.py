"""Demo data for the CSR board (six needs, three companies, pledges in every state) and
a generator of many needs and pledges for load tests.

Rows are written directly (not through the services) so that the whole demo lands in
the caller's single transaction; the states, events and sums are kept consistent with
what the services would have produced.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services import create_user, generate_password
from portal.csr.models import NEED_KINDS, SECTORS, Company, Delivery, Need, Pledge, PledgeEvent
from portal.csr.services import new_code
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.programmes.models import Programme

NEEDS = [
    dict(
        kind="goods",
        rank=1,
        days=30,
        target=200,
        programme="paket-pangan",
        title_id="Beras untuk paket pangan lansia",
        title_en="Rice for the food packages of older residents",
        description_id="Paket pangan bulanan bagi 100 lansia yang tinggal sendiri membutuhkan "
        "tambahan beras selama dua bulan. Beras dibeli dari petani lokal bila memungkinkan.",
        description_en="The monthly food packages for 100 older residents who live alone need "
        "extra rice for two months. Rice from local farmers where possible.",
        unit_id="karung 25 kg",
        unit_en="sacks of 25 kg",
        priority_id="Usulan prioritas Musyawarah Dusun II",
        priority_en="Priority proposed at the Hamlet II meeting",
    ),
    dict(
        kind="money",
        rank=2,
        days=90,
        target=75_000_000,
        programme="kesehatan-lansia",
        title_id="Dana renovasi Posyandu Lansia",
        title_en="Funds to renovate the elderly health post",
        description_id="Atap bocor dan lantai retak di Posyandu Lansia RW 03. Dana dipakai "
        "untuk atap, lantai dan jalur kursi roda.",
        description_en="The roof leaks and the floor is cracked at the elderly health post in "
        "RW 03. The funds pay for the roof, the floor and a wheelchair ramp.",
        unit_id=None,
        unit_en=None,
        priority_id="Musyawarah Desa rencana kerja 2027",
        priority_en="Village meeting on the 2027 work plan",
    ),
    dict(
        kind="training",
        rank=3,
        days=60,
        target=40,
        programme=None,
        title_id="Pelatihan pemasaran digital untuk usaha ibu rumah tangga",
        title_en="Digital marketing training for home businesses run by mothers",
        description_id="Dua angkatan pelatihan (masing-masing 20 peserta): foto produk, "
        "katalog daring dan pembayaran digital.",
        description_en="Two groups of 20 participants: product photos, online catalogues and "
        "digital payments.",
        unit_id="peserta",
        unit_en="participants",
        priority_id="Usulan PKK Desa",
        priority_en=None,
    ),
    dict(
        kind="equipment",
        rank=4,
        days=45,
        target=5,
        programme=None,
        title_id="Laptop untuk pelayanan kantor desa",
        title_en="Laptops for the village office's services",
        description_id="Operator desa memakai satu komputer lama untuk pendataan dan "
        "pelayanan. Lima laptop mempercepat pemutakhiran data keluarga.",
        description_en=None,
        unit_id="unit",
        unit_en="laptops",
        priority_id=None,
        priority_en=None,
    ),
    dict(
        kind="expertise",
        rank=5,
        days=None,
        target=60,
        programme=None,
        title_id="Pendampingan pembukuan koperasi tani",
        title_en="Bookkeeping mentoring for the farmers' cooperative",
        description_id="Pendampingan oleh akuntan selama enam bulan agar laporan koperasi "
        "rapi dan dapat diaudit.",
        description_en="Six months of mentoring by an accountant so that the cooperative's "
        "reports are in order and can be audited.",
        unit_id="jam",
        unit_en="hours",
        priority_id=None,
        priority_en=None,
    ),
    dict(
        kind="goods",
        rank=6,
        days=-10,
        target=150,
        programme="perlengkapan-sekolah",
        title_id="Seragam dan sepatu sekolah",
        title_en="School uniforms and shoes",
        description_id="Paket seragam dan sepatu untuk anak SD dari keluarga kurang mampu.",
        description_en="Uniforms and shoes for primary pupils from low-income families.",
        unit_id="paket",
        unit_en="sets",
        priority_id=None,
        priority_en=None,
    ),
]

# (name, sector, receipt language, status, contact person, login e-mail)
COMPANIES = [
    ("PT Sumber Energi Duri", "energy", "id", "verified", "Rina Kartika",
     "csr@sumberenergi.example"),
    ("PT Bank Sejahtera Nusantara", "finance", "en", "verified", "David Santoso",
     "csr@banksejahtera.example"),
    ("CV Tani Makmur Abadi", "agriculture", "id", "pending", "Agus Salim",
     "halo@tanimakmur.example"),
]  # fmt: skip

# (company index, need index, amount, value, status, delivered amounts)
PLEDGES = [
    (0, 0, 120, 36_000_000, "partly_delivered", [50, 30]),
    (1, 0, 100, 30_000_000, "pledged", []),
    (1, 1, 50_000_000, 50_000_000, "confirmed", []),
    (0, 1, 10_000_000, 10_000_000, "withdrawn", []),
    (0, 2, 20, 40_000_000, "confirmed", []),
    (1, 4, 40, 20_000_000, "partly_delivered", [12]),
    (0, 5, 150, 45_000_000, "closed", [100, 50]),
    (2, 3, 2, 16_000_000, "pledged", []),
]

STEPS = {
    "pledged": ["pledged"],
    "confirmed": ["pledged", "confirmed"],
    "partly_delivered": ["pledged", "confirmed"],
    "closed": ["pledged", "confirmed"],
    "withdrawn": ["pledged", "withdrawn"],
}


def _staff(role: str) -> User | None:
    return db.session.scalars(select(User).where(User.role == role).order_by(User.id)).first()


def _event(pledge, src, dst, actor, at, note=None, amount=None):
    db.session.add(
        PledgeEvent(
            pledge_id=pledge.id,
            from_status=src,
            to_status=dst,
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            actor_role=actor.role if actor else None,
            at=at,
            note=note,
            amount=amount,
        )
    )


def seed() -> None:
    """Add the demo needs, companies and pledges (the caller commits)."""
    operator = _staff("operator")
    admin = _staff("admin") or operator
    now = utcnow()
    needs = _demo_needs(operator)
    companies = _demo_companies(admin, now)
    for i, row in enumerate(PLEDGES):
        _demo_pledge(i, row, companies, needs, operator, now)
    _demo_offer(companies[1], now)


def _demo_needs(operator: User | None) -> list[Need]:
    today = village_today()
    programmes = {p.slug: p.id for p in db.session.scalars(select(Programme))}
    needs = []
    for data in NEEDS:
        data = dict(data)
        days = data.pop("days")
        slug = data.pop("programme")
        need = Need(
            deadline=today + timedelta(days=days) if days is not None else None,
            programme_id=programmes.get(slug),
            created_by_id=operator.id if operator else None,
            **data,
        )
        need.set_published(True)
        db.session.add(need)
        needs.append(need)
    return needs


def _demo_companies(admin: User | None, now) -> list[Company]:
    companies = []
    for name, sector, locale, status, contact, email in COMPANIES:
        user = create_user(name=contact, role="partner", password=generate_password(), email=email)
        user.locale = locale
        db.session.flush()
        company = Company(
            user_id=user.id,
            name=name,
            sector=sector,
            contact_name=contact,
            locale=locale,
            status=status,
            description=f"Program tanggung jawab sosial {name}.",
            verified_at=now - timedelta(days=60) if status == "verified" else None,
            verified_by_id=admin.id if admin and status == "verified" else None,
        )
        db.session.add(company)
        companies.append(company)
    db.session.flush()
    return companies


def _demo_pledge(i: int, row, companies, needs, operator: User | None, now) -> None:
    """One pledge of PLEDGES with its status history and deliveries."""
    ci, ni, amount, value, status, parts = row
    company, need = companies[ci], needs[ni]
    started = now - timedelta(days=50 - i * 5)
    delivered = sum(parts)
    if status in ("partly_delivered", "closed") and delivered >= amount:
        final = "delivered" if status == "partly_delivered" else status
    else:
        final = status
    pledge = Pledge(
        company_id=company.id,
        need_id=need.id,
        kind=need.kind,
        amount=amount,
        value=value,
        delivered=delivered,
        status=final,
        created_at=started,
        updated_at=started,
        created_by_id=company.user_id,
        expected_on=village_today() + timedelta(days=20 + i),
    )
    if final not in ("pledged", "withdrawn"):
        pledge.confirmed_at = started + timedelta(days=1)
        pledge.receipt_code = new_code()
    db.session.add(pledge)
    db.session.flush()
    partner = db.session.get(User, company.user_id)
    state = None
    for step in STEPS.get(status, ["pledged", "confirmed"]):
        actor = partner if step in ("pledged", "withdrawn") else operator
        at = started if step == "pledged" else started + timedelta(days=1)
        _event(pledge, state, step, actor, at)
        state = step
    state = _demo_deliveries(pledge, parts, state, operator, started)
    if status == "closed":
        _event(pledge, state, "closed", operator, started + timedelta(days=30))


def _demo_deliveries(pledge: Pledge, parts, state, operator: User | None, started) -> str:
    """The pledge's deliveries, a week apart; the status after the last."""
    running = 0
    for k, part in enumerate(parts):
        running += part
        at = started + timedelta(days=5 + 7 * k)
        after = "delivered" if running >= pledge.amount else "partly_delivered"
        db.session.add(
            Delivery(
                pledge_id=pledge.id,
                amount=part,
                delivered_on=at.date(),
                note="Diterima di Balai Desa.",
                recorded_at=at,
                recorded_by_id=operator.id if operator else None,
                recorded_by_name=operator.name if operator else None,
                receipt_code=new_code(),
            )
        )
        _event(pledge, state, after, operator, at, amount=part)
        state = after
    return state


def _demo_offer(company: Company, now) -> None:
    """An offer not tied to a need."""
    offer = Pledge(
        company_id=company.id,
        need_id=None,
        kind="expertise",
        amount=16,
        unit="jam",
        value=8_000_000,
        status="offered",
        description="Relawan karyawan kami dapat mengajar literasi keuangan untuk kelompok "
        "ibu rumah tangga, empat sesi.",
        created_by_id=company.user_id,
    )
    db.session.add(offer)
    db.session.flush()
    _event(offer, None, "offered", db.session.get(User, company.user_id), now)


def generate(needs: int = 200, pledges: int = 5000, companies: int = 40, seed: int = 1) -> dict:
    """Add many published needs, verified companies and pledges in assorted states with
    deliveries (for a load test of the public board). The caller commits."""
    rng = random.Random(seed)
    now = utcnow()
    operator = _staff("operator") or _staff("admin")
    made_needs = _bench_needs(rng, needs)
    made_companies = _bench_companies(rng, companies, seed, now)
    made = _bench_pledges(rng, pledges, made_needs, made_companies, operator, now)
    _bench_history(made, operator, now)
    return {"needs": needs, "companies": companies, "pledges": pledges}


def _bench_needs(rng: random.Random, count: int) -> list[Need]:
    kinds = list(NEED_KINDS)
    made_needs = []
    for i in range(count):
        kind = rng.choice(kinds)
        need = Need(
            kind=kind,
            title_id=f"Kebutuhan uji {i + 1}",
            title_en=f"Test need {i + 1}" if i % 2 else None,
            description_id="Kebutuhan buatan untuk uji beban.",
            unit_id=None if kind == "money" else "unit",
            target=rng.randint(10, 500) * (1_000_000 if kind == "money" else 1),
            rank=rng.randint(1, 300),
            deadline=village_today() + timedelta(days=rng.randint(-30, 180)),
        )
        need.set_published(True)
        made_needs.append(need)
    db.session.add_all(made_needs)
    return made_needs


def _bench_companies(rng: random.Random, count: int, seed: int, now) -> list[Company]:
    made_companies = []
    for i in range(count):
        user = create_user(
            name=f"Kontak {i + 1}",
            role="partner",
            password=generate_password(),
            email=f"bench-{seed}-{i + 1}@example.invalid",
        )
        db.session.flush()
        made_companies.append(
            Company(
                user_id=user.id,
                name=f"PT Uji Beban {i + 1}",
                sector=rng.choice(list(SECTORS)),
                contact_name=user.name,
                status="verified" if i % 10 else "pending",
                verified_at=now,
            )
        )
    db.session.add_all(made_companies)
    db.session.flush()
    return made_companies


def _bench_pledges(rng, count, made_needs, made_companies, operator, now) -> list[Pledge]:
    statuses = ["pledged", "confirmed", "partly_delivered", "delivered", "closed", "withdrawn"]
    made = []
    for _ in range(count):
        need = rng.choice(made_needs)
        amount = max(1, need.target // rng.randint(2, 20))
        status = rng.choice(statuses)
        delivered = {
            "partly_delivered": amount // 2 if amount > 1 else 0,
            "delivered": amount,
            "closed": amount // 3,
        }.get(status, 0)
        if status == "partly_delivered" and delivered == 0:
            status = "confirmed"
        made.append(
            Pledge(
                company_id=rng.choice(made_companies).id,
                need_id=need.id,
                kind=need.kind,
                amount=amount,
                value=amount if need.kind == "money" else amount * 100_000,
                delivered=delivered,
                status=status,
                created_at=now - timedelta(days=rng.randint(0, 900)),
                receipt_code=new_code() if status not in ("pledged", "withdrawn") else None,
                created_by_id=operator.id if operator else None,
            )
        )
    db.session.add_all(made)
    db.session.flush()
    return made


def _bench_history(made: list[Pledge], operator: User | None, now) -> None:
    """One event per pledge and one delivery for what it delivered."""
    events = []
    deliveries = []
    for p in made:
        events.append(PledgeEvent(pledge_id=p.id, from_status=None, to_status=p.status, at=now))
        if p.delivered:
            deliveries.append(
                Delivery(
                    pledge_id=p.id,
                    amount=p.delivered,
                    delivered_on=village_today(),
                    recorded_by_id=operator.id if operator else None,
                    receipt_code=new_code(),
                )
            )
    db.session.add_all(events + deliveries)
    db.session.flush()
