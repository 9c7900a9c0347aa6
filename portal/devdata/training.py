"""Demo courses: several for mothers (entrepreneurship, catering, sewing, digital
marketing), with sessions in the coming weeks and a few places."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.csr import queries as csr_queries
from portal.extensions import db
from portal.models_base import village_today, village_tz
from portal.training import services
from portal.training.models import Course, TrainingSession

COURSES = [
    {
        "title_id": "Pelatihan Kewirausahaan untuk Ibu Rumah Tangga",
        "title_en": "Entrepreneurship training for homemakers",
        "description_id": (
            "Memulai usaha kecil dari rumah: memilih produk, menghitung modal dan harga jual, "
            "mencatat keuangan sederhana, dan menjual ke tetangga serta warung."
        ),
        "description_en": (
            "Starting a small business from home: choosing a product, working out capital "
            "and prices, simple bookkeeping, and selling to neighbours and shops."
        ),
        "category": "entrepreneurship",
        "priority_rule": "women",
        "sponsored": True,
        "seats": 25,
    },
    {
        "title_id": "Usaha Katering Rumahan",
        "title_en": "Home catering business",
        "description_id": (
            "Mengolah makanan untuk dijual: kebersihan dapur, pengemasan, izin PIRT, dan "
            "menerima pesanan nasi kotak untuk acara desa."
        ),
        "description_en": (
            "Cooking food to sell: kitchen hygiene, packaging, the home-industry licence "
            "(PIRT) and taking orders for boxed meals at village events."
        ),
        "category": "food",
        "priority_rule": "need_level",
        "priority_levels": "sangat_miskin miskin rentan",
        "seats": 15,
    },
    {
        "title_id": "Menjahit dan Permak Pakaian",
        "title_en": "Sewing and clothing repairs",
        "description_id": "Dasar-dasar menjahit dengan mesin, membuat pola, dan jasa permak.",
        "description_en": "Machine sewing basics, pattern making and a repair service.",
        "category": "sewing",
        "priority_rule": "open",
        "seats": 12,
    },
    {
        "title_id": "Pemasaran Digital untuk UMKM",
        "title_en": "Digital marketing for small businesses",
        "description_id": (
            "Memotret produk dengan ponsel, berjualan lewat WhatsApp Business dan lokapasar, "
            "serta menerima pembayaran QRIS."
        ),
        "description_en": (
            "Photographing products with a phone, selling through WhatsApp Business and "
            "marketplaces, and accepting QRIS payments."
        ),
        "category": "digital",
        "priority_rule": "open",
        "seats": 20,
    },
    {
        "title_id": "Literasi Keuangan Keluarga",
        "title_en": "Family financial literacy",
        "description_id": (
            "Mengatur anggaran rumah tangga, menabung, dan menghindari pinjol ilegal."
        ),
        "description_en": "Household budgets, saving, and avoiding illegal online lenders.",
        "category": "finance",
        "priority_rule": "open",
        "seats": 30,
    },
]

NAMES = ["Siti Aminah", "Dewi Lestari", "Rina Wati", "Nur Hasanah", "Sri Wahyuni"]


def seed() -> list[tuple[str, str, str]]:
    """Add the demo courses. No trainer account (its password would be one more to
    print): operators and admins take attendance on the trainer pages."""
    company = next(iter(csr_queries.verified_companies()), None)
    operator = db.session.scalars(select(User).where(User.role == "operator")).first()
    tz = village_tz()
    today = village_today()
    sessions = []
    for i, data in enumerate(COURSES):
        data = dict(data)
        seats = data.pop("seats")
        sponsored = data.pop("sponsored", False)
        course = Course(
            **data,
            place="Balai Desa Duri Selatan" if i % 2 == 0 else "Aula PKK Dusun II",
            trainer_name="Ibu Yuliana Sari",
            sponsor_company_id=company.id if sponsored and company else None,
            published=True,
            created_by_id=operator.id if operator else None,
        )
        db.session.add(course)
        db.session.flush()
        for week in (1, 3):
            day = today + timedelta(days=7 * week + i)
            start = datetime.combine(day, time(9, 0), tz).astimezone(UTC)
            ts = TrainingSession(
                course_id=course.id,
                starts_at=start,
                ends_at=start + timedelta(hours=4),
                seats=seats,
                taken=0,
                waitlist_seq=0,
                cancelled=False,
            )
            db.session.add(ts)
            sessions.append(ts)
    db.session.flush()
    db.session.commit()
    # A few places in the first course, through the same rules as everyone.
    first = sessions[0]
    for n, name in enumerate(NAMES[:3]):
        applicant = services.applicant_by_phone(name, f"0812000000{n:02d}")
        services.sign_up(first.id, applicant, actor=operator, check_rule=False)
    return []
