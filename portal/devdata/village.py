"""Demo data that looks like Desa Duri Selatan: programmes, announcements, meetings,
partners and staff accounts with random passwords. Only ever added to an empty database."""

from __future__ import annotations

from datetime import timedelta

from faker import Faker
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.accounts.services import create_user, generate_password
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.programmes.models import Programme
from portal.public.models import Announcement, Meeting, Partner

PROGRAMMES = [
    dict(
        slug="paket-pangan",
        aid_type="food",
        benefit_value=300000,
        name_id="Paket Pangan Keluarga",
        name_en="Family Food Package",
        summary_id="Paket sembako bulanan dari petani dan koperasi desa untuk keluarga "
        "yang paling membutuhkan.",
        summary_en="A monthly staple-food package, bought from local farmers and the village "
        "cooperative, for the families most in need.",
        eligibility_id="- Rumah tangga di Desa Duri Selatan dengan tingkat kebutuhan *sangat "
        "miskin* atau *miskin*\n- Desil 1-4 pada data nasional (DTSEN)\n- Belum menerima "
        "bantuan pangan lain (BPNT) pada periode yang sama",
        eligibility_en="- Households in Desa Duri Selatan with a need level of *very poor* or "
        "*poor*\n- Decile 1-4 in the national data (DTSEN)\n- Not already receiving other food "
        "aid (BPNT) in the same period",
        benefits_id="Beras, minyak goreng dan telur, ditambah kacang hijau untuk balita. "
        "Jumlahnya mengikuti susunan keluarga: keluarga dengan banyak anak menerima lebih "
        "banyak daripada lansia yang tinggal sendiri (lihat rumus di bawah).",
        benefits_en="Rice, cooking oil and eggs, with mung beans for children under five. The "
        "amounts follow the household's make-up: a family with many children receives more "
        "than an older person living alone (see the formula below).",
        collection_id="Setiap Sabtu pertama di Balai Desa, pukul 08.00-12.00 WIB. Bawa kartu "
        "keluarga (KK) asli. Kemasan memakai tas kain yang dapat dipakai ulang.",
        collection_en="Every first Saturday at the village hall, 08:00-12:00 WIB. Bring the "
        "original family card (KK). Packages come in reusable cloth bags.",
        contact_name="Ibu Sari (Kasi Kesejahteraan)",
        contact_phone="0812-3456-7801",
    ),
    dict(
        slug="perlengkapan-sekolah",
        aid_type="education",
        benefit_value=450000,
        name_id="Bantuan Perlengkapan Sekolah",
        name_en="School Supplies Assistance",
        summary_id="Seragam, sepatu, tas dan buku tulis untuk anak SD dan SMP dari keluarga "
        "kurang mampu, menjelang tahun ajaran baru.",
        summary_en="Uniforms, shoes, bags and exercise books for primary and junior secondary "
        "pupils from low-income families, before the new school year.",
        eligibility_id="- Anak usia 6-15 tahun yang bersekolah\n- Dari rumah tangga dengan "
        "tingkat kebutuhan *sangat miskin*, *miskin* atau *rentan*",
        eligibility_en="- Children aged 6-15 who attend school\n- From households with a need "
        "level of *very poor*, *poor* or *vulnerable*",
        benefits_id="Satu paket per anak: seragam, sepatu, tas, dan 20 buku tulis.",
        benefits_en="One set per child: uniform, shoes, bag and 20 exercise books.",
        collection_id="Dibagikan di sekolah masing-masing pada minggu kedua Juli.",
        collection_en="Handed out at each school in the second week of July.",
        contact_name="Bapak Hendra (Kaur Umum)",
        contact_phone="0812-3456-7802",
    ),
    dict(
        slug="kesehatan-lansia",
        aid_type="health",
        benefit_value=150000,
        name_id="Layanan Kesehatan Lansia",
        name_en="Health Care for the Elderly",
        summary_id="Pemeriksaan kesehatan bulanan, vitamin dan makanan tambahan bagi warga "
        "lanjut usia di Posyandu Lansia.",
        summary_en="Monthly health check-ups, vitamins and supplementary food for older "
        "residents at the elderly health post (Posyandu Lansia).",
        eligibility_id="- Warga berusia 60 tahun ke atas\n- Diutamakan lansia yang tinggal "
        "sendiri atau penyandang disabilitas",
        eligibility_en="- Residents aged 60 and over\n- Priority for older people who live "
        "alone or have a disability",
        benefits_id="Pemeriksaan tekanan darah dan gula darah, vitamin, serta makanan tambahan "
        "senilai Rp150.000 per bulan.",
        benefits_en="Blood pressure and blood sugar checks, vitamins, and supplementary food "
        "worth IDR 150,000 a month.",
        collection_id="Posyandu Lansia setiap Selasa kedua, pukul 08.00 WIB, di Poskesdes.",
        collection_en="Elderly health post every second Tuesday, 08:00 WIB, at the village "
        "health post (Poskesdes).",
        contact_name="Bidan Ratna",
        contact_phone="0812-3456-7803",
    ),
    dict(
        slug="blt-dana-desa",
        aid_type="cash",
        benefit_value=300000,
        is_open=False,
        name_id="BLT Dana Desa",
        name_en=None,
        summary_id="Bantuan langsung tunai dari Dana Desa, Rp300.000 per bulan, untuk keluarga "
        "yang ditetapkan dalam Musyawarah Desa Khusus.",
        eligibility_id="Keluarga miskin ekstrem yang belum menerima PKH atau BPNT, ditetapkan "
        "melalui Musyawarah Desa Khusus.",
        benefits_id="Rp300.000 per bulan per keluarga.",
        collection_id="Dibayarkan di Balai Desa setiap triwulan.",
        contact_name="Bapak Joko (Sekretaris Desa)",
        contact_phone="0812-3456-7804",
    ),
]

ANNOUNCEMENTS = [
    (
        "aid",
        True,
        "Jadwal pembagian paket pangan bulan Desember",
        "Schedule of the December food package distribution",
        "Pembagian paket pangan bulan Desember dilaksanakan hari **Sabtu, 5 Desember** di "
        "Balai Desa mulai pukul 08.00 WIB. Mohon membawa KK asli.",
        "The December food packages are handed out on **Saturday 5 December** at the village "
        "hall from 08:00 WIB. Please bring your original family card.",
    ),
    (
        "meeting",
        True,
        "Undangan Musyawarah Desa Khusus penetapan penerima BLT",
        "Invitation: special village meeting to decide BLT recipients",
        "Seluruh warga diundang hadir dalam Musyawarah Desa Khusus untuk membahas dan menetapkan "
        "daftar penerima BLT Dana Desa tahun 2027.",
        "All residents are invited to the special village meeting that discusses and decides "
        "the list of BLT Dana Desa recipients for 2027.",
    ),
    (
        "training",
        False,
        "Pendaftaran pelatihan kewirausahaan untuk ibu rumah tangga dibuka",
        "Sign-up open for entrepreneurship training for mothers",
        "Pelatihan pengolahan makanan dan pemasaran digital untuk ibu rumah tangga. Kuota "
        "terbatas 20 orang per angkatan. Daftar di kantor desa atau melalui portal.",
        "Food processing and digital marketing training for mothers. Limited to 20 places per "
        "group. Sign up at the village office or through the portal.",
    ),
    (
        "health",
        False,
        "Posyandu lansia pindah ke Poskesdes baru",
        "Elderly health post moves to the new village clinic",
        "Mulai bulan ini Posyandu Lansia dilaksanakan di gedung Poskesdes yang baru di RW 03.",
        "From this month the elderly health post is held in the new village clinic in RW 03.",
    ),
    (
        "general",
        False,
        "Pemutakhiran data keluarga per RT",
        "Family data being updated in each RT",
        "Relawan desa akan mengunjungi rumah warga untuk memperbarui data keluarga. Relawan "
        "membawa surat tugas dari kepala desa. Jangan pernah memberikan PIN atau kata sandi.",
        "Village volunteers will visit homes to update family data. Volunteers carry a letter "
        "from the village head. Never give anyone a PIN or password.",
    ),
    (
        "aid",
        False,
        "Cara mengajukan sanggahan daftar penerima bantuan",
        None,
        "Warga yang merasa berhak tetapi tidak tercantum, atau mengetahui penerima yang tidak "
        "layak, dapat mengajukan sanggahan dalam 7 hari setelah daftar diumumkan.",
        None,
    ),
    (
        "general",
        False,
        "Kerja bakti membersihkan saluran air",
        "Community clean-up of the drainage channels",
        "Kerja bakti bersama hari Minggu pagi pukul 07.00 WIB. Setiap RT membawa alat sendiri.",
        "Community work on Sunday morning at 07:00 WIB. Each RT brings its own tools.",
    ),
    (
        "aid",
        False,
        "Hasil evaluasi penyaluran bantuan triwulan III",
        "Evaluation of aid distribution, third quarter",
        "Sebanyak 412 keluarga menerima paket pangan pada triwulan III. Tiga pengaduan diterima "
        "dan seluruhnya telah diselesaikan.",
        "412 families received food packages in the third quarter. Three complaints were "
        "received and all have been resolved.",
    ),
    (
        "training",
        False,
        "Sertifikat pelatihan menjahit dapat diambil",
        "Sewing course certificates ready for collection",
        "Peserta pelatihan menjahit angkatan pertama dapat mengambil sertifikat di kantor desa.",
        "Participants of the first sewing course can collect their certificates at the "
        "village office.",
    ),
]

MEETINGS = [
    (
        "musdesus",
        9,
        "Musyawarah Desa Khusus: penetapan penerima BLT Dana Desa 2027",
        "Special village meeting: BLT Dana Desa recipients for 2027",
        "Balai Desa Duri Selatan",
        "1. Pembukaan oleh Ketua BPD\n2. Pemaparan hasil pendataan per RT/RW\n3. Pembahasan "
        "dan penetapan daftar calon penerima\n4. Penandatanganan berita acara",
        "1. Opening by the BPD chair\n2. Results of the data collection per RT/RW\n3. "
        "Discussion and decision on the list of recipients\n4. Signing of the minutes",
        None,
    ),
    (
        "musdes",
        30,
        "Musyawarah Desa: rencana kerja pemerintah desa 2027",
        "Village meeting: village work plan for 2027",
        "Balai Desa Duri Selatan",
        "Pembahasan prioritas pembangunan dan bantuan sosial tahun 2027.",
        "Priorities for development and social assistance in 2027.",
        None,
    ),
    (
        "musdus",
        -21,
        "Musyawarah Dusun II: usulan kebutuhan warga",
        "Hamlet II meeting: residents' proposals",
        "Pos Ronda RW 04",
        "Pengumpulan usulan kebutuhan warga Dusun II.",
        "Collecting residents' proposals in Hamlet II.",
        "Hadir 46 warga. Disepakati tiga usulan prioritas: perbaikan saluran air RT 02, "
        "pelatihan menjahit untuk ibu rumah tangga, dan tambahan paket pangan bagi lansia "
        "yang tinggal sendiri.",
    ),
    (
        "musdes",
        -60,
        "Musyawarah Desa: evaluasi penyaluran bantuan triwulan III",
        "Village meeting: evaluation of aid in the third quarter",
        "Balai Desa Duri Selatan",
        "Evaluasi penyaluran bantuan dan pembahasan pengaduan warga.",
        "Evaluation of aid distribution and of residents' complaints.",
        "Hadir 58 warga dan 7 anggota BPD. Penyaluran dinilai tepat waktu; dua nama penerima "
        "yang telah meninggal dunia dicoret dari daftar.",
    ),
]

PARTNERS = [
    (
        "institution",
        "BPD Desa Duri Selatan",
        "Badan Permusyawaratan Desa: mengawasi pemerintahan desa dan memimpin musyawarah desa.",
        "The village consultative body: oversees the village government and chairs village "
        "meetings.",
        None,
    ),
    (
        "institution",
        "PKK Desa Duri Selatan",
        "Tim Penggerak PKK: pemberdayaan keluarga, posyandu dan pelatihan ibu rumah tangga.",
        "The family welfare movement: family empowerment, health posts and training for mothers.",
        None,
    ),
    (
        "institution",
        "Koperasi Tani Maju Bersama",
        "Koperasi petani lokal yang memasok beras dan sayur untuk paket pangan desa.",
        "A local farmers' cooperative that supplies rice and vegetables for the food packages.",
        None,
    ),
    (
        "ngo",
        "Yayasan Peduli Anak Nusantara",
        "Lembaga swadaya masyarakat pendamping pendidikan anak dari keluarga kurang mampu.",
        "A non-governmental organisation supporting the schooling of children from low-income "
        "families.",
        "https://example.org",
    ),
    (
        "company",
        "PT Sumber Energi Duri",
        "Perusahaan energi yang mendukung pelatihan kewirausahaan melalui program CSR.",
        "An energy company supporting entrepreneurship training through its CSR programme.",
        "https://example.com",
    ),
    (
        "government",
        "Puskesmas Kecamatan",
        "Pusat kesehatan masyarakat yang mendampingi Posyandu Lansia.",
        "The district health centre that supports the elderly health post.",
        None,
    ),
]

STAFF = [("admin", "admin"), ("operator", "operator"), ("auditor", "bpd"), ("officer", "petugas")]


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def seed(households: int = 200) -> list[tuple[str, str, str]] | None:
    """Add demo data to an empty database. Returns the staff logins, or None if not empty."""
    if not is_empty():
        return None
    fake = Faker("id_ID")
    Faker.seed(2026)
    logins = []
    staff = {}
    for role, username in STAFF:
        password = generate_password()
        staff[role] = create_user(name=fake.name(), role=role, password=password, username=username)
        logins.append((role, username, password))
    db.session.flush()

    today = village_today()
    for data in PROGRAMMES:
        programme = Programme(start_date=today.replace(month=1, day=1), **data)
        programme.set_published(True)
        db.session.add(programme)

    now = utcnow()
    for i, (category, pinned, title_id, title_en, body_id, body_en) in enumerate(ANNOUNCEMENTS):
        item = Announcement(
            category=category,
            pinned=pinned,
            title_id=title_id,
            title_en=title_en,
            body_id=body_id,
            body_en=body_en,
            author_id=staff["operator"].id,
        )
        item.set_published(True)
        item.published_at = now - timedelta(days=3 * i, hours=i)
        db.session.add(item)

    for kind, days, title_id, title_en, place, agenda_id, agenda_en, minutes in MEETINGS:
        starts = (now + timedelta(days=days)).replace(hour=2, minute=0, second=0, microsecond=0)
        meeting = Meeting(
            kind=kind,
            starts_at=starts,
            place=place,
            title_id=title_id,
            title_en=title_en,
            agenda_id=agenda_id,
            agenda_en=agenda_en,
            minutes_id=minutes,
            attendance=46 if minutes else None,
        )
        meeting.set_published(True)
        db.session.add(meeting)

    for kind, name, desc_id, desc_en, website in PARTNERS:
        partner = Partner(
            kind=kind, name=name, description_id=desc_id, description_en=desc_en, website=website
        )
        partner.set_published(True)
        db.session.add(partner)

    _seed_features(households, logins)
    db.session.commit()
    from portal.devdata.distribution_point import seed as seed_handovers

    seed_handovers()  # after the commit: handovers are transactions of their own
    return logins


def _seed_features(households: int, logins: list | None = None) -> None:
    """Feature packages that have demo data of their own add it here (and may add
    logins to print)."""
    from portal.devdata.registry import generate as generate_registry

    if households > 0:
        generate_registry(households, seed=2026)
        from portal.devdata.lists import seed as seed_lists

        seed_lists()
        from portal.devdata.distribution_ledger import seed as seed_distribution_ledger

        seed_distribution_ledger()
        from portal.devdata.distribution import seed as seed_distribution

        seed_distribution()
    from portal.devdata.csr import seed as seed_csr

    seed_csr()
    from portal.devdata.complaints import seed as seed_complaints

    seed_complaints()
    from portal.devdata.accounts import seed as seed_residents

    (logins if logins is not None else []).extend(seed_residents())
    from portal.devdata.participation import seed as seed_participation

    seed_participation()
    from portal.devdata.training import seed as seed_training

    (logins if logins is not None else []).extend(seed_training())
    from portal.devdata.notify import seed as seed_notify

    seed_notify()
    _link_features()
    if households > 0:
        from portal.devdata.change_requests import seed as seed_change_requests

        seed_change_requests()
    from portal.devdata.monitoring import seed as seed_monitoring

    seed_monitoring()
    from portal.devdata.monitoring_evaluation import seed as seed_evaluation

    seed_evaluation()
    from portal.devdata.procurement import seed as seed_procurement

    seed_procurement()


def _link_features() -> None:
    """Show how the features meet: the CSR need for food packages was decided by the
    closed priority ballot (its winner is the monthly food package), and the digital
    marketing course is the confirmed training pledge of a partner."""
    from portal.csr.models import Need, Pledge
    from portal.participation.models import Ballot
    from portal.training.models import Course

    ballot = db.session.scalars(
        select(Ballot).where(Ballot.results_published_at.is_not(None)).order_by(Ballot.id)
    ).first()
    need = db.session.scalars(
        select(Need).where(Need.title_id.like("Beras untuk paket pangan%"))
    ).first()
    if ballot is not None and need is not None:
        need.ballot_id = ballot.id
    pledge = db.session.scalars(
        select(Pledge)
        .where(
            Pledge.kind == "training",
            Pledge.status.in_(("confirmed", "partly_delivered", "delivered", "closed")),
        )
        .order_by(Pledge.id)
    ).first()
    course = db.session.scalars(
        select(Course).where(Course.title_id.like("Pemasaran Digital%"))
    ).first()
    if pledge is not None and course is not None:
        course.pledge_id = pledge.id
        course.sponsor_company_id = pledge.company_id
    db.session.flush()
