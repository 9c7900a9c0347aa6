"""Build the benchmark's village-sized database.

    .venv/bin/python bench/generate.py            # SQLite in bench/results/ (reused when current)
    .venv/bin/python bench/generate.py --fresh    # throw the SQLite file away and build again
    DATABASE_URL=postgresql://... .venv/bin/python bench/generate.py   # an EMPTY PostgreSQL db

The schema comes from the migrations (flask_migrate.upgrade), never from create_all().
Content: the demo programmes, meetings, partners and staff (portal.devdata.village), 500
announcements in Indonesian with most of them also in English, and 5,000 households
with about 20,000 people from the registry's own generator (see `add_registry`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
INSTANCE = RESULTS / "instance"
SQLITE_PATH = RESULTS / "bench.sqlite3"

# Bump when the generated content changes, so that `run.py` builds the database again.
GENERATOR_VERSION = 2
ANNOUNCEMENTS = 500
HOUSEHOLDS = 5000
SEED = 2026

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PLACES = (
    ("Balai Desa Duri Selatan", "the village hall"),
    ("Poskesdes RW 03", "the village health post in RW 03"),
    ("Masjid Al-Ikhlas", "Al-Ikhlas mosque"),
    ("SD Negeri 014 Duri Selatan", "State Primary School 014"),
    ("Pos Ronda RW 02", "the RW 02 guard post"),
    ("Gedung PKK", "the PKK building"),
    ("Lapangan Desa", "the village field"),
)

# (category, title_id, title_en, body_id, body_en): {placeholders} are filled per item.
TOPICS = (
    (
        "aid",
        "Jadwal pembagian paket pangan bulan {month_id} untuk RW {rw}",
        "{month_en} food package distribution for RW {rw}",
        "Pembagian paket pangan untuk warga RW {rw} dilaksanakan hari **{day_id}, {date} "
        "{month_id}** di {place_id} mulai pukul {hour}.00 WIB. Mohon membawa kartu keluarga "
        "(KK) asli dan tas belanja sendiri.\n\nPaket berisi beras 10 kg, minyak goreng 2 liter "
        "dan telur 1 kg. Keluarga dengan balita menerima tambahan kacang hijau.",
        "Food packages for RW {rw} are handed out on **{day_en} {date} {month_en}** at "
        "{place_en} from {hour}:00 WIB. Please bring your original family card (KK) and your "
        "own shopping bag.\n\nEach package holds 10 kg of rice, 2 litres of cooking oil and "
        "1 kg of eggs. Families with children under five also receive mung beans.",
    ),
    (
        "aid",
        "Daftar sementara penerima BLT Dana Desa tahap {n} diumumkan",
        "Provisional list of BLT Dana Desa recipients, stage {n}",
        "Daftar sementara penerima Bantuan Langsung Tunai Dana Desa tahap {n} telah ditempel "
        "di papan pengumuman kantor desa dan di setiap pos RT.\n\n- Jumlah keluarga: {count}\n"
        "- Masa sanggah: 7 hari sejak hari ini\n\nWarga yang merasa berhak tetapi tidak "
        "tercantum dapat mengajukan sanggahan melalui portal atau langsung ke kantor desa.",
        "The provisional list of BLT Dana Desa cash assistance, stage {n}, is posted on the "
        "village office notice board and at every RT post.\n\n- Families: {count}\n- Objection "
        "period: 7 days from today\n\nResidents who believe they qualify but are not listed can "
        "object through the portal or at the village office.",
    ),
    (
        "aid",
        "Penyaluran bantuan perlengkapan sekolah untuk {count} anak",
        "School supplies handed to {count} children",
        "Sebanyak {count} anak SD dan SMP dari keluarga kurang mampu menerima seragam, sepatu, "
        "tas dan buku tulis. Terima kasih kepada mitra desa yang mendukung program ini.",
        "{count} primary and junior secondary pupils from low-income families received "
        "uniforms, shoes, bags and exercise books. Thanks to the village partners who support "
        "this programme.",
    ),
    (
        "aid",
        "Perubahan lokasi pengambilan bantuan di RT {rt}/RW {rw}",
        "New collection point for aid in RT {rt}/RW {rw}",
        "Mulai bulan {month_id}, warga RT {rt}/RW {rw} mengambil bantuan di {place_id}. "
        "Lokasi lama sedang diperbaiki. Jam pelayanan tidak berubah.",
        "From {month_en}, residents of RT {rt}/RW {rw} collect their aid at {place_en}. The old "
        "location is under repair. Opening hours do not change.",
    ),
    (
        "meeting",
        "Undangan Musyawarah Dusun {n}: usulan kebutuhan warga",
        "Invitation: Hamlet {n} meeting on residents' needs",
        "Seluruh warga Dusun {n} diundang hadir pada hari {day_id}, {date} {month_id}, pukul "
        "{hour}.00 WIB di {place_id}.\n\nAgenda:\n\n1. Pembukaan\n2. Pengumpulan usulan "
        "kebutuhan warga\n3. Penetapan tiga usulan prioritas\n\nPerempuan, pemuda dan "
        "penyandang disabilitas sangat diharapkan hadir.",
        "All residents of Hamlet {n} are invited on {day_en} {date} {month_en} at {hour}:00 "
        "WIB at {place_en}.\n\nAgenda:\n\n1. Opening\n2. Collecting residents' proposals\n3. "
        "Choosing three priorities\n\nWomen, young people and people with disabilities are "
        "especially welcome.",
    ),
    (
        "meeting",
        "Notulen Musyawarah Desa {month_id} dapat dibaca",
        "Minutes of the {month_en} village meeting published",
        "Notulen Musyawarah Desa bulan {month_id} yang dihadiri {count} warga kini dapat "
        "dibaca di halaman musyawarah. Keputusan utama: anggaran bantuan pangan dinaikkan dan "
        "pendataan ulang dilakukan per RT.",
        "The minutes of the {month_en} village meeting, attended by {count} residents, can "
        "now be read on the meetings page. Main decisions: the food aid budget goes up and the "
        "data are collected again per RT.",
    ),
    (
        "meeting",
        "Rapat BPD membahas laporan penyaluran bantuan",
        "BPD session on the aid distribution report",
        "Badan Permusyawaratan Desa menggelar rapat terbuka pada {day_id}, {date} {month_id} "
        "di {place_id} untuk membahas laporan penyaluran bantuan. Warga boleh hadir sebagai "
        "pendengar.",
        "The village consultative body (BPD) holds an open session on {day_en} {date} "
        "{month_en} at {place_en} on the aid distribution report. Residents may attend and "
        "listen.",
    ),
    (
        "training",
        "Pendaftaran pelatihan {course_id} angkatan {n} dibuka",
        "Sign-up open: {course_en} course, group {n}",
        "Pelatihan {course_id} untuk warga, terutama ibu rumah tangga, dibuka untuk angkatan "
        "{n}. Kuota 20 orang. Pelatihan berlangsung setiap {day_id} di {place_id}.\n\nDaftar "
        "melalui portal atau di kantor desa. Peserta yang tidak memiliki alamat surel cukup "
        "mendaftar dengan nomor telepon.",
        "The {course_en} course for residents, especially mothers, opens group {n}. 20 places. "
        "Sessions every {day_en} at {place_en}.\n\nSign up through the portal or at the village "
        "office. Participants without an e-mail address can sign up with a phone number.",
    ),
    (
        "training",
        "Sertifikat pelatihan {course_id} angkatan {n} dapat diambil",
        "Certificates for the {course_en} course, group {n}, ready",
        "Peserta pelatihan {course_id} angkatan {n} dapat mengambil sertifikat di kantor desa "
        "pada jam kerja, atau mengunduhnya dari portal.",
        "Participants of the {course_en} course, group {n}, can collect their certificates at "
        "the village office during working hours, or download them from the portal.",
    ),
    (
        "training",
        "Bazar hasil pelatihan {course_id} di {place_id}",
        "Market day for the {course_en} course at {place_en}",
        "Hasil karya peserta pelatihan {course_id} dijual pada bazar hari {day_id}, {date} "
        "{month_id}. Seluruh hasil penjualan menjadi milik peserta.",
        "Work from the {course_en} course is on sale at a market on {day_en} {date} "
        "{month_en}. All proceeds go to the participants.",
    ),
    (
        "health",
        "Posyandu balita RW {rw} bulan {month_id}",
        "Child health post for RW {rw} in {month_en}",
        "Posyandu balita RW {rw} dibuka hari {day_id}, {date} {month_id}, pukul {hour}.00 WIB "
        "di {place_id}. Kegiatan: penimbangan, imunisasi dan pemberian makanan tambahan.\n\n"
        "Bawa buku KIA anak.",
        "The child health post for RW {rw} opens on {day_en} {date} {month_en} at {hour}:00 "
        "WIB at {place_en}: weighing, vaccinations and supplementary food.\n\nBring the "
        "child's health book (KIA).",
    ),
    (
        "health",
        "Pemeriksaan kesehatan gratis untuk lansia di {place_id}",
        "Free health checks for older residents at {place_en}",
        "Puskesmas Kecamatan mengadakan pemeriksaan tekanan darah, gula darah dan kolesterol "
        "gratis bagi warga berusia 60 tahun ke atas pada {day_id}, {date} {month_id}.",
        "The district health centre offers free blood pressure, blood sugar and cholesterol "
        "checks for residents aged 60 and over on {day_en} {date} {month_en}.",
    ),
    (
        "health",
        "Waspada demam berdarah: fogging di RT {rt}/RW {rw}",
        "Dengue alert: fogging in RT {rt}/RW {rw}",
        "Setelah ditemukan {n} kasus demam berdarah, pengasapan (fogging) dilakukan di RT "
        "{rt}/RW {rw} pada {day_id} pagi. Lakukan 3M Plus: menguras, menutup, mendaur ulang, "
        "dan cegah gigitan nyamuk.",
        "After {n} cases of dengue fever, fogging takes place in RT {rt}/RW {rw} on {day_en} "
        "morning. Drain, cover and recycle water containers, and avoid mosquito bites.",
    ),
    (
        "general",
        "Kerja bakti membersihkan saluran air RW {rw}",
        "Community clean-up of the RW {rw} drains",
        "Kerja bakti bersama warga RW {rw} hari {day_id}, {date} {month_id}, pukul 07.00 WIB. "
        "Setiap RT membawa cangkul, parang dan karung sendiri.",
        "Community work for RW {rw} on {day_en} {date} {month_en} at 07:00 WIB. Each RT brings "
        "its own hoes, machetes and sacks.",
    ),
    (
        "general",
        "Pelayanan administrasi kependudukan keliling di {place_id}",
        "Mobile civil registration service at {place_en}",
        "Dinas Kependudukan dan Pencatatan Sipil membuka layanan keliling untuk perekaman "
        "KTP-el, perubahan KK dan akta kelahiran pada {day_id}, {date} {month_id}.",
        "The civil registration office runs a mobile service for ID cards, family card "
        "changes and birth certificates on {day_en} {date} {month_en}.",
    ),
    (
        "general",
        "Pemadaman listrik terjadwal di Dusun {n}",
        None,
        "PLN memberitahukan pemadaman listrik terjadwal di Dusun {n} pada {day_id}, {date} "
        "{month_id}, pukul 09.00-15.00 WIB, untuk pemeliharaan jaringan.",
        None,
    ),
    (
        "general",
        "Kantor desa tutup pada hari libur nasional {date} {month_id}",
        "Village office closed on the public holiday, {date} {month_en}",
        "Kantor desa tutup pada hari libur nasional. Pengaduan tetap dapat disampaikan melalui "
        "portal dan akan ditanggapi pada hari kerja berikutnya.",
        "The village office is closed on the public holiday. Complaints can still be filed "
        "through the portal and are answered on the next working day.",
    ),
)
COURSES = (
    ("menjahit", "sewing"),
    ("pengolahan makanan", "food processing"),
    ("pemasaran digital", "digital marketing"),
    ("tata rias", "make-up"),
    ("budidaya ikan lele", "catfish farming"),
    ("pembukuan usaha kecil", "small-business bookkeeping"),
)


def announcement_rows(rng: random.Random, n: int, now, author_id: int | None) -> list[dict]:
    """`n` announcements spread over about three years, newest first, some pinned.

    About one in twenty is a draft (not published) and about one in eight has no
    English version, as staff-written content really looks.
    """
    rows = []
    for i in range(n):
        category, title_id, title_en, body_id, body_en = rng.choice(TOPICS)
        month = rng.randrange(12)
        weekday = rng.randrange(7)
        place_id, place_en = rng.choice(PLACES)
        course_id, course_en = rng.choice(COURSES)
        values = dict(
            month_id=MONTHS_ID[month],
            month_en=MONTHS_EN[month],
            day_id=DAYS_ID[weekday],
            day_en=DAYS_EN[weekday],
            date=rng.randint(1, 28),
            hour=rng.choice((7, 8, 9, 13)),
            rt=f"{rng.randint(1, 12):02d}",
            rw=f"{rng.randint(1, 4):02d}",
            n=rng.randint(1, 9),
            count=rng.randint(25, 480),
            place_id=place_id,
            place_en=place_en,
            course_id=course_id,
            course_en=course_en,
        )
        english = title_en is not None and rng.random() > 0.12
        published_at = now - timedelta(days=i * 2.2 + rng.random(), hours=rng.randint(0, 9))
        rows.append(
            dict(
                category=category,
                pinned=i < 60 and rng.random() < 0.1,
                title_id=title_id.format(**values)[:200],
                title_en=title_en.format(**values)[:200] if english else None,
                body_id=body_id.format(**values),
                body_en=body_en.format(**values) if english else None,
                published=rng.random() > 0.05,
                published_at=published_at,
                author_id=author_id,
                created_at=published_at,
                updated_at=published_at,
            )
        )
    return rows


def add_registry(households: int) -> dict | None:
    """HOOK: households and residents come from the registry feature's own generator.

    The benchmark never creates registry tables itself: the migrations do, and
    `portal.devdata.registry.generate` fills them with the same rules the application
    uses. When the registry package is not there (an older checkout), say so and go on
    without households.
    """
    try:
        from portal.devdata.registry import generate
    except ImportError as exc:
        print(f"  registry: NOT THERE YET ({exc}); the database has no households or residents")
        return None
    return generate(households, seed=SEED)


def _table_counts(db) -> dict[str, int]:
    from sqlalchemy import func, inspect, select, table

    names = set(inspect(db.engine).get_table_names())
    out = {}
    for name in ("announcement", "programme", "meeting", "partner", "household", "person"):
        if name in names:
            out[name] = db.session.scalar(select(func.count()).select_from(table(name)))
    return out


def build(households: int = HOUSEHOLDS, announcements: int = ANNOUNCEMENTS) -> dict:
    """Fill the (migrated, empty) database of the current app; returns what was made."""
    from sqlalchemy import func, insert, select

    from portal.accounts.models import User
    from portal.devdata import village as demo
    from portal.extensions import db
    from portal.models_base import utcnow
    from portal.public.models import Announcement

    started = time.monotonic()
    # Staff, programmes, meetings, partners and the handful of hand-written announcements.
    if demo.seed(households=0) is None:
        raise SystemExit("the database already holds data: point the benchmark at an empty one")
    operator = db.session.scalar(select(User.id).where(User.username == "operator"))
    have = db.session.scalar(select(func.count()).select_from(Announcement))
    oldest = db.session.scalar(select(func.min(Announcement.published_at))) or utcnow()
    rng = random.Random(SEED)
    rows = announcement_rows(rng, announcements - have, oldest - timedelta(days=2), operator)
    db.session.execute(insert(Announcement), rows)
    db.session.commit()
    print(f"  content: {have + len(rows)} announcements (demo programmes, meetings, partners)")

    registry = add_registry(households)
    db.session.commit()
    if registry is not None:
        print(f"  registry: {registry}")
    counts = _table_counts(db)
    return {
        "generator": GENERATOR_VERSION,
        "registry": registry is not None,
        "counts": counts,
        "seconds": round(time.monotonic() - started, 1),
    }


def database_url() -> str:
    """DATABASE_URL when set (PostgreSQL), else the benchmark's own SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"


def environment() -> dict[str, str]:
    """Environment for the app (here and in gunicorn): its own instance folder and database."""
    return {"PORTAL_INSTANCE": str(INSTANCE), "DATABASE_URL": database_url()}


def stamp_path() -> Path:
    """What was generated into the database, one file per database URL."""
    url = database_url()
    if url.startswith("sqlite"):
        return RESULTS / "bench-db-sqlite.json"
    return RESULTS / f"bench-db-{hashlib.sha256(url.encode()).hexdigest()[:10]}.json"


def _registry_available() -> bool:
    try:
        from portal.devdata.registry import generate  # noqa: F401
    except ImportError:
        return False
    return True


def _current(stamp: dict | None) -> bool:
    return bool(
        stamp
        and stamp.get("generator") == GENERATOR_VERSION
        and stamp.get("url") == database_url()
        and stamp.get("registry") == _registry_available()
    )


def ensure(fresh: bool = False) -> dict:
    """Migrate the database and fill it, unless it was already filled by this generator.

    A SQLite file is rebuilt when `fresh` is set or the generator changed; PostgreSQL
    is never dropped from here: give it an empty database.
    """
    RESULTS.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment())
    url = database_url()
    sqlite = url.startswith("sqlite")
    stamp_file = stamp_path()
    stamp = json.loads(stamp_file.read_text()) if stamp_file.exists() else None
    if sqlite and (fresh or not _current(stamp)):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        stamp = None

    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()  # also brings a reused database up to newer migrations
        if sqlite and _current(stamp) and SQLITE_PATH.exists():
            print(f"database: reusing {SQLITE_PATH.relative_to(ROOT)} ({stamp['counts']})")
        elif not sqlite and _current(stamp):
            print(f"database: reusing {_redact(url)} ({stamp['counts']})")
        else:
            where = SQLITE_PATH.relative_to(ROOT) if sqlite else _redact(url)
            print(f"database: building {where} ...")
            stamp = {**build(), "url": url}
            stamp_file.write_text(json.dumps(stamp, indent=2) + "\n")
            print(f"database: built in {stamp['seconds']} s: {stamp['counts']}")
        db.session.remove()
        db.engine.dispose()
    return stamp


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="rebuild the SQLite database")
    args = parser.parse_args(argv)
    ensure(fresh=args.fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
