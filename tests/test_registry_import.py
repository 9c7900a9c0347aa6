"""Roster import and list export: the files villages really hold, preview, confirmation
in one transaction, idempotence, refusals, the upload pages and the command line.

Every file is built here as the real ones look: SIAK with Excel serial dates and RT/RW
as numbers, OpenSID with numbers as text and codes, the aid list with its two sheets
ended by "###", the national welfare data with BDT codes. The .xls file is a real BIFF
file written with xlwt.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
import xlwt
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.registry.importing import planner, services
from portal.registry.importing.models import ImportBatch
from portal.registry.importing.values import (
    ValueProblem,
    number_text,
    parse_date,
    parse_rt_rw,
)
from portal.registry.models import (
    ExternalEnrolment,
    Household,
    KKNumber,
    Membership,
    Person,
)
from portal.registry.validation import make_nik

TODAY = date(2026, 11, 28)

SIAK_HEADER = [
    "Nomor KK",
    "NIK",
    "Nama Penduduk",
    "Status",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Kelamin",
    "NIK Ayah",
    "Ayah",
    "NIK Ibu",
    "Ibu",
    "Status Kawin",
    "SHDK",
    "Agama",
    "Kecamatan",
    "Desa/Kel",
    "Alamat",
    "RW",
    "RT",
    "Pendidikan",
    "Pekerjaan",
    "Deskripsi Pekerjaan",
    "Gol. Darah",
    "Cacat",
    "Cetak KTP",
    "Ganti KTP",
    "KTP Berakhir",
    "Nomor Paspor",
    "Nomor Akta Lahir",
    "Nomor Akta Kawin",
    "Tanggal Kwn",
    "Nomor Akta Cerai",
    "Tgl Cerai",
    "Petugas Registrasi",
    "Tgl Ubah",
    "Petugas Entri",
    "Tgl Entri",
]
OPENSID_HEADER = [
    "alamat",
    "dusun",
    "rw",
    "rt",
    "nama",
    "no_kk",
    "nik",
    "sex",
    "tempatlahir",
    "tanggallahir",
    "agama_id",
    "pendidikan_kk_id",
    "pendidikan_sedang_id",
    "pekerjaan_id",
    "status_kawin",
    "kk_level",
    "warganegara_id",
    "ayah_nik",
    "nama_ayah",
    "ibu_nik",
    "nama_ibu",
    "golongan_darah_id",
    "akta_lahir",
    "dokumen_pasport",
    "tanggal_akhir_paspor",
    "dokumen_kitas",
    "akta_perkawinan",
    "tanggalperkawinan",
    "akta_perceraian",
    "tanggalperceraian",
    "cacat_id",
    "cara_kb_id",
    "hamil",
    "ktp_el",
    "status_rekam",
    "alamat_sekarang",
    "status_dasar",
    "suku",
    "tag_id_card",
    "id_asuransi",
    "no_asuransi",
    "lat",
    "lng",
]

KK_A = "3201010101100001"
KK_B = "3201010101100002"
BUDI = make_nik("320101", date(1995, 1, 4), "male", 1)  # 3201010401950001
SITI = make_nik("320101", date(1997, 4, 5), "female", 2)
ANI = make_nik("320101", date(2015, 7, 20), "female", 3)
JOKO = make_nik("320101", date(1950, 2, 1), "male", 4)
RINA = make_nik("320101", date(1990, 9, 9), "female", 5)
STRANGER = make_nik("320101", date(1980, 1, 1), "male", 77)


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def siak_row(
    kk,
    nik,
    name,
    *,
    status="Hidup",
    born=None,
    sex="Laki-Laki",
    relation="Anak",
    rt=8.0,
    rw=1.0,
    marital="Belum Kawin",
    disability="",
    occupation="PELAJAR",
):
    row = dict.fromkeys(SIAK_HEADER, "")
    row.update(
        {
            "Nomor KK": kk,
            "NIK": nik,
            "Nama Penduduk": name,
            "Status": status,
            "Tempat Lahir": "BOGOR",
            "Tanggal Lahir": born,
            "Kelamin": sex,
            "Status Kawin": marital,
            "SHDK": relation,
            "Agama": "Islam",
            "Kecamatan": "DURI",
            "Desa/Kel": "DURI SELATAN",
            "Alamat": "JL. MAWAR NO. 3",
            "RW": rw,
            "RT": rt,
            "Pendidikan": "SLTA/SEDERAJAT",
            "Pekerjaan": occupation,
            "Cacat": disability,
        }
    )
    return [row[h] for h in SIAK_HEADER]


def siak_rows():
    return [
        siak_row(KK_A, BUDI, "BUDI SANTOSO", born=serial(date(1995, 1, 4)),
                 relation="Kepala Keluarga", marital="Kawin", occupation="PETANI/PEKEBUN"),
        # Text date DD-MM-YYYY, a wife recorded as dead.
        siak_row(KK_A, SITI, "SITI AMINAH", status="Mati", born="05-04-1997",
                 sex="Perempuan", relation="Istri", marital="Kawin",
                 disability="Cacat Rungu/Wicara"),
        # The NIK encodes 20-07-15 but the record says 21-07-2015: kept, with a warning.
        siak_row(KK_A, ANI, "ANI", born=serial(date(2015, 7, 21)), sex="Perempuan"),
        siak_row(KK_B, JOKO, "JOKO WIDODO", born=serial(date(1950, 2, 1)),
                 relation="Kepala Keluarga", rt=3.0, rw=2.0, marital="Cerai Mati"),
        siak_row(KK_B, RINA, "RINA", born=serial(date(1990, 9, 9)), sex="Perempuan",
                 status="Pindah Dalam Negeri", rt=3.0, rw=2.0),
    ]  # fmt: skip


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_bytes(rows: list[list]) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding="utf-8-sig", delimiter=";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def english(app):
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def write(tmp_path):
    def make(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return make


def run_import(path: str, name: str | None = None, *, options=None, actor=None):
    batch = services.start_import(path, name or path, actor=actor, options=options, today=TODAY)
    return services.confirm_import(batch, actor=actor, today=TODAY)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def person(nik: str) -> Person:
    return db.session.scalar(select(Person).where(Person.nik == nik))


def messages(problems) -> str:
    return " ".join(p.text() for p in problems)


# --------------------------------------------------------------------------- values


def test_values_read_as_spreadsheets_store_them():
    assert parse_date(34703) == date(1995, 1, 4)
    assert parse_date(34703.0) == date(1995, 1, 4)
    assert parse_date("34703") == date(1995, 1, 4)
    assert parse_date("04-01-1995") == date(1995, 1, 4)
    assert parse_date("04/01/1995") == date(1995, 1, 4)
    assert parse_date("1995-01-04") == date(1995, 1, 4)
    assert parse_date("4 Januari 1995") == date(1995, 1, 4)
    assert parse_date("-") is None
    assert parse_rt_rw(8.0, "RT") == 8
    assert parse_rt_rw("'004", "RT") == 4
    assert parse_rt_rw("008", "RT") == 8
    assert parse_rt_rw("-", "RW") is None
    assert number_text("'3201010401950001", "NIK") == ("3201010401950001", False)
    assert number_text(" 3201 0104 0195 0001 ", "NIK") == ("3201010401950001", False)
    assert number_text(3201010401950001.0, "NIK") == ("3201010401950001", True)


def test_impossible_values_are_problems(english):
    with pytest.raises(ValueProblem):
        parse_date("31-02-2000")
    with pytest.raises(ValueProblem):
        parse_date("2030-01-01", today=TODAY)
    with pytest.raises(ValueProblem):
        parse_rt_rw("RT sebelah", "RT")
    with pytest.raises(ValueProblem) as shortened:
        number_text("3.20101E+15", "NIK")
    assert "3.20101E+15" in str(shortened.value.message)


# -------------------------------------------------------------------------- layouts


def check_siak_people():
    budi, siti, ani, joko, rina = (person(n) for n in (BUDI, SITI, ANI, JOKO, RINA))
    home_a = db.session.scalar(select(Household).where(Household.kk_number == KK_A))
    home_b = db.session.scalar(select(Household).where(Household.kk_number == KK_B))
    assert (home_a.rt, home_a.rw, home_b.rt, home_b.rw) == (8, 1, 3, 2)
    assert {p.id for p in home_a.members} == {budi.id, siti.id, ani.id}
    assert {p.id for p in home_b.members} == {joko.id, rina.id}
    assert (budi.relation, budi.sex, budi.birth_date, budi.status) == (
        "head", "male", date(1995, 1, 4), "alive"
    )  # fmt: skip
    assert (siti.relation, siti.sex, siti.status, siti.disability) == (
        "wife", "female", "dead", "Cacat Rungu/Wicara"
    )  # fmt: skip
    assert siti.birth_date == date(1997, 4, 5)
    assert (ani.relation, ani.nik_warning, ani.birth_date) == ("child", "birth_date",
                                                              date(2015, 7, 21))  # fmt: skip
    assert budi.nik_warning is None
    assert (joko.marital_status, budi.marital_status, rina.status) == ("widowed", "married",
                                                                       "moved")  # fmt: skip
    assert budi.occupation == "PETANI/PEKEBUN"
    # Each person has one open membership in their household, each household its KK.
    assert count(Membership) == 5
    assert {k.kk_number for k in db.session.scalars(select(KKNumber))} == {KK_A, KK_B}


def test_siak_xlsx_lands_everyone_in_the_right_household(app, english, write):
    path = write("siak.xlsx", xlsx_bytes({"Data Penduduk": [SIAK_HEADER, *siak_rows()]}))
    preview = services.start_import(path, "siak.xlsx", actor=None, today=TODAY)
    assert preview.layout == "siak"
    rows, total = services.preview_rows(preview)
    assert total == 5
    by_number = {r.number: r for r in rows}
    assert "dead" in messages(by_number[3].warnings)
    assert "birth date" in messages(by_number[4].warnings)
    assert by_number[4].status == "new"
    assert count(Person) == 0, "the preview writes nothing"
    batch = services.confirm_import(preview, actor=None, today=TODAY)
    assert batch.status == "confirmed"
    check_siak_people()
    assert batch.summary["households_new"] == 2
    assert batch.summary["people_new"] == 5


def test_siak_xls_is_read_too(app, english, write):
    rows = [SIAK_HEADER, *siak_rows()]
    data = xls_bytes(rows)
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    batch = run_import(write("siak.xls", data))
    assert batch.layout == "siak"
    check_siak_people()


def test_siak_with_a_title_above_the_header_and_a_csv_in_windows_encoding(app, english, write):
    rows = [["DATA PENDUDUK DESA DURI SELATAN"], [], SIAK_HEADER, *siak_rows()]
    rows[-1][2] = "RINA SÉPTIANI"
    for row in rows[3:]:
        row[5] = "" if row[5] == "" else str(row[5])
    data = csv_bytes(rows, encoding="cp1252")
    batch = run_import(write("siak.csv", data))
    assert batch.layout == "siak"
    check_siak_people()
    assert person(RINA).name == "RINA SÉPTIANI"


def opensid_row(**values):
    row = dict.fromkeys(OPENSID_HEADER, "")
    row.update(values)
    return [row[h] for h in OPENSID_HEADER]


def opensid_rows():
    kk = "'5201140104120001"
    return [
        OPENSID_HEADER,
        opensid_row(alamat="Dusun Karang", dusun="KARANG", rw="'001", rt="'004", nama="AHMAD",
                    no_kk=kk, nik="'5201140505850001", sex="1", tempatlahir="MATARAM",
                    tanggallahir="1985-05-05", pekerjaan_id="9", status_kawin="2",
                    kk_level="1", status_dasar="1", pendidikan_kk_id="3", cacat_id="7"),
        # The NIK encodes 10-03-97 (woman), the record says 1996-03-10: kept with a warning.
        opensid_row(alamat="Dusun Karang", dusun="KARANG", rw="'001", rt="'004",
                    nama="NURHAYATI", no_kk=kk, nik="'5201145003976995", sex="2",
                    tanggallahir="1996-03-10", kk_level="3", status_kawin="2", status_dasar="1",
                    cacat_id="2"),
        # status_dasar 2: dead; kk_level 7: parent.
        opensid_row(alamat="Dusun Karang", dusun="KARANG", rw="'001", rt="'004", nama="INAQ SARI",
                    no_kk=kk, nik="'5201144101400003", sex="2", tanggallahir="1940-01-01",
                    kk_level="7", status_kawin="4", status_dasar="2"),
        # No RW ('-'), as in villages without RWs: the household is created with no RW.
        opensid_row(alamat="Dusun Baru", dusun="BARU", rw="-", rt="'002", nama="AMAQ DEDI",
                    no_kk="'5201140104120002", nik="'5201140101700004", sex="1",
                    tanggallahir="1970-01-01", kk_level="1", status_dasar="1"),
    ]  # fmt: skip


def test_opensid_residents_codes_and_text_numbers(app, english, write):
    batch = run_import(write("contoh_penduduk.xlsx", xlsx_bytes({"Sheet1": opensid_rows()})))
    assert batch.layout == "opensid_penduduk"
    home = db.session.scalar(select(Household).where(Household.kk_number == "5201140104120001"))
    assert (home.rt, home.rw, home.dusun, home.address) == (4, 1, "KARANG", "Dusun Karang")
    ahmad = person("5201140505850001")
    assert (ahmad.relation, ahmad.sex, ahmad.status, ahmad.occupation) == (
        "head", "male", "alive", "Petani/Pekebun"
    )  # fmt: skip
    assert (ahmad.marital_status, ahmad.education, ahmad.disability) == (
        "married", "Tamat SD/Sederajat", None
    )  # fmt: skip
    nur = person("5201145003976995")
    assert (nur.relation, nur.sex, nur.nik_warning, nur.disability) == (
        "wife", "female", "birth_date", "Cacat Netra/Buta"
    )  # fmt: skip
    inaq = person("5201144101400003")
    assert (inaq.relation, inaq.status, inaq.marital_status) == ("parent", "dead", "widowed")
    dedi = person("5201140101700004")
    assert (dedi.household.rt, dedi.household.rw, dedi.household.rt_rw) == (2, None, "002/–")
    assert batch.summary.get("rejected", 0) == 0


def test_a_row_without_rt_cannot_create_a_household(app, english, write):
    rows = opensid_rows()
    rows[4][OPENSID_HEADER.index("rt")] = "-"
    batch = run_import(write("penduduk.xlsx", xlsx_bytes({"Sheet1": rows})))
    assert person("5201140101700004") is None
    rejected, total = services.preview_rows(batch, "rejected")
    assert total == 1
    assert "no RT or RW" in messages(rejected[0].errors)


def test_opensid_residents_as_a_semicolon_csv(app, english, write):
    batch = run_import(write("penduduk.csv", csv_bytes(opensid_rows())))
    assert batch.layout == "opensid_penduduk"
    assert person("5201145003976995").nik_warning == "birth_date"


def aid_list(rows, name="PKH 2026", target=1, start=None):
    start = serial(date(2026, 1, 1)) if start is None else start
    program = [
        ["ID Program", ""],
        ["Nama Program", name],
        ["Sasaran Program", target],
        ["Keterangan", "Program Keluarga Harapan"],
        ["Asal Dana", "Pusat"],
        ["Tanggal Mulai", start],
        ["Tanggal Selesai", serial(date(2026, 12, 31))],
        ["###", ""],
    ]
    header = ["Peserta", "No. Peserta", "NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat"]
    after_the_end = [BUDI, "X", BUDI, "AFTER END"]
    return xlsx_bytes({"Program": program, "Peserta": [header, *rows, ["###"], after_the_end]})


def test_opensid_aid_participants_become_national_enrolments(app, english, write):
    run_import(write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})))
    rows = [
        [BUDI, "PKH-001", BUDI, "BUDI SANTOSO", "BOGOR", "1995-01-04", "JL. MAWAR"],
        [SITI, "PKH-002", SITI, "SITI AMINAH", "BOGOR", "", ""],
        [STRANGER, "PKH-003", STRANGER, "ORANG LAIN", "", "", ""],
        [BUDI, "PKH-004", BUDI, "BUDI SANTOSO", "", "", ""],
    ]
    batch = run_import(write("format_impor_program_bantuan.xlsx", aid_list(rows)))
    assert batch.layout == "opensid_bantuan"
    assert batch.options["programme"] == "PKH"
    enrolments = list(db.session.scalars(select(ExternalEnrolment)))
    assert {(e.programme_code, e.person_id) for e in enrolments} == {
        ("PKH", person(BUDI).id),
        ("PKH", person(SITI).id),
    }
    assert {e.period_start for e in enrolments} == {date(2026, 1, 1)}
    assert {e.period_end for e in enrolments} == {date(2026, 12, 31)}
    outcome = {r.number: r for r in services.preview_rows(batch)[0]}
    assert "dead" in messages(outcome[3].warnings)  # a dead person still on the list
    assert outcome[4].status == "rejected" and "roster" in messages(outcome[4].errors)
    assert outcome[5].status == "rejected" and "row 2" in messages(outcome[5].errors)
    assert batch.summary["rows"] == 4, "nothing after ### is read"


def test_aid_list_with_an_unknown_programme_asks_which_one(app, english, write):
    path = write("bantuan.xlsx", aid_list([[BUDI, "1", BUDI, "BUDI", "", "", ""]],
                                          name="Bantuan Desa"))  # fmt: skip
    with pytest.raises(services.PreviewError) as refused:
        services.start_import(path, "bantuan.xlsx", actor=None, today=TODAY)
    assert refused.value.field == "programme"
    batch = services.start_import(
        path, "bantuan.xlsx", actor=None, options={"programme": "BLT"}, today=TODAY
    )
    assert batch.options["programme"] == "BLT"


def test_opensid_poor_households_set_the_household_number(app, english, write):
    run_import(write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})))
    rows = [
        ["NIK", "NOMOR RUMAH TANGGA", "STATUS HUBUNGAN DALAM RUMAH TANGGA"],
        [BUDI, "RTM-0001", 1],
        [ANI, "RTM-0001", 2],
        [JOKO, "RTM-0002", 1],
        [RINA, "RTM-0009", 2],
    ]
    batch = run_import(write("FormatImporRTM.xlsx", xlsx_bytes({"RTM": rows})))
    assert batch.layout == "opensid_rtm"
    homes = {h.kk_number: h.national_id for h in db.session.scalars(select(Household))}
    assert homes == {KK_A: "RTM-0001", KK_B: "RTM-0002"}
    assert batch.summary["rejected"] == 1  # RINA's family already got RTM-0002


def test_welfare_data_fills_indicators_desil_and_programmes(app, english, write):
    run_import(write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})))
    rows = [
        ["IDBDT", "No KK", "NIK", "Nama", "Jumlah ART", "Luas Lantai", "Lantai", "Dinding",
         "Sumber Air Minum", "Sumber Penerangan", "Bahan Bakar Memasak", "Fasilitas BAB",
         "Desil", "PKH", "BPNT", "PBI"],
        ["BDT-77", KK_A, BUDI, "BUDI SANTOSO", 3, 12, 9, 6, 10, 3, 8, 4, 1, "Ya", "Tidak", "Ya"],
        ["BDT-77", KK_A, ANI, "ANI", 3, 12, 9, 6, 10, 3, 8, 4, 1, "", "", "Ya"],
        ["BDT-78", KK_B, JOKO, "JOKO", 2, 60, "Keramik", "Tembok", "Leding meteran",
         "Listrik PLN", "Gas 3 kg", "Sendiri", 7, "Tidak", "Tidak", "Tidak"],
    ]  # fmt: skip
    batch = run_import(write("dtks.csv", csv_bytes(rows, delimiter=",")))
    assert batch.layout == "welfare"
    home_a = db.session.scalar(select(Household).where(Household.kk_number == KK_A))
    home_b = db.session.scalar(select(Household).where(Household.kk_number == KK_B))
    assert (home_a.national_id, home_a.desil) == ("BDT-77", 1)
    assert home_a.criteria | {} == {
        **dict.fromkeys(home_a.criteria),
        "floor_area": True,
        "floor": True,
        "wall": True,
        "toilet": True,
        "electricity": True,
        "water": True,
        "cooking_fuel": True,
    }
    assert home_a.need_level == "sangat_miskin"  # desil 1
    assert (home_b.desil, home_b.bps_floor, home_b.bps_floor_area, home_b.bps_toilet) == (
        7, False, False, False
    )  # fmt: skip
    codes = {(e.programme_code, e.person_id) for e in db.session.scalars(select(ExternalEnrolment))}
    assert codes == {("PKH", person(BUDI).id), ("PBI", person(BUDI).id), ("PBI", person(ANI).id)}
    again = services.start_import(write("dtks2.csv", csv_bytes(rows, delimiter=",")), "dtks.csv",
                                  actor=None, today=TODAY)  # fmt: skip
    assert again.summary["writes"] == 0


# -------------------------------------------------------- preview, confirm, idempotence


def mixed_rows():
    bad_nik = siak_row(KK_A, "12345", "SALAH NIK", born=serial(date(2000, 1, 1)))
    no_name = siak_row(KK_A, make_nik("320101", date(2001, 1, 1), "male", 9), "",
                       born=serial(date(2001, 1, 1)))  # fmt: skip
    bad_date = siak_row(KK_A, make_nik("320101", date(2002, 2, 2), "male", 10), "TANGGAL",
                        born="31-02-2002")  # fmt: skip
    duplicate = siak_row(KK_A, BUDI, "BUDI SANTOSO", born=serial(date(1995, 1, 4)),
                         relation="Kepala Keluarga")  # fmt: skip
    return [SIAK_HEADER, *siak_rows()[:3], bad_nik, no_name, bad_date, duplicate]


def test_preview_of_good_bad_and_duplicate_rows(app, english, write):
    batch = services.start_import(
        write("campur.xlsx", xlsx_bytes({"Data": mixed_rows()})), "campur.xlsx", actor=None,
        today=TODAY,
    )  # fmt: skip
    s = batch.summary
    assert (s["rows"], s["people_new"], s["households_new"], s["rejected"]) == (7, 3, 1, 4)
    assert s["duplicates_in_file"] == 1
    rejected = {r.number: r for r in services.preview_rows(batch, "rejected")[0]}
    assert set(rejected) == {5, 6, 7, 8}
    assert "16 digits" in messages(rejected[5].errors)
    assert "name is empty" in messages(rejected[6].errors)
    assert "does not exist" in messages(rejected[7].errors)
    assert "row 2" in messages(rejected[8].errors)
    assert [r.number for r in services.preview_rows(batch, "new")[0]] == [2, 3, 4]
    assert count(Person) == count(Household) == 0

    batch = services.confirm_import(batch, actor=None, today=TODAY)
    assert {p.nik for p in db.session.scalars(select(Person))} == {BUDI, SITI, ANI}
    assert count(Household) == 1

    content, mimetype, name = services.rejected_rows_file(batch, "csv")
    assert name.endswith(".csv") and mimetype.startswith("text/csv")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][-2:] == ["Row", "Reason"]
    assert [line[-2] for line in lines[1:]] == ["5", "6", "7", "8"]
    assert "16 digits" in lines[1][-1]
    content, mimetype, name = services.rejected_rows_file(batch, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == 5
    assert sheet.cell(row=5, column=2).value == BUDI  # kept as text, all 16 digits


def snapshot():
    def rows(model, *columns):
        return sorted(db.session.execute(select(*columns)).all())

    return (
        rows(Household, Household.id, Household.kk_number, Household.rt, Household.rw,
             Household.address, Household.updated_at, Household.score, Household.need_level),
        rows(Person, Person.id, Person.nik, Person.name, Person.household_id, Person.status,
             Person.relation, Person.updated_at, Person.nik_warning),
        rows(Membership, Membership.id, Membership.person_id, Membership.household_id,
             Membership.end_date),
        rows(KKNumber, KKNumber.id, KKNumber.kk_number, KKNumber.valid_to),
        rows(ExternalEnrolment, ExternalEnrolment.id, ExternalEnrolment.period_end),
    )  # fmt: skip


def test_importing_twice_changes_nothing(app, english, write):
    path = write("siak.xlsx", xlsx_bytes({"Data": mixed_rows()}))
    run_import(path)
    before = snapshot()
    audit_before = count(AuditEntry)
    again = services.start_import(path, "siak.xlsx", actor=None, today=TODAY)
    assert again.summary["writes"] == 0
    assert again.summary["same_file_as"]
    assert again.summary["people_unchanged"] == 3
    services.confirm_import(again, actor=None, today=TODAY)
    assert snapshot() == before
    # Only the batch's own entry: no record was created or changed.
    assert count(AuditEntry) == audit_before + 1


def test_a_changed_roster_updates_and_moves_people(app, english, write):
    run_import(write("v1.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})))
    ani_before = person(ANI)
    old_home = ani_before.household_id
    rows = siak_rows()
    # ANI now lives with JOKO's family; BUDI's occupation changed.
    rows[2][0] = KK_B
    rows[0][SIAK_HEADER.index("Pekerjaan")] = "WIRASWASTA"
    batch = run_import(write("v2.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *rows]})))
    assert batch.summary["people_moved"] == 1
    assert batch.summary["people_updated"] == 1
    assert batch.summary["people_unchanged"] == 3
    ani = person(ANI)
    new_home = db.session.scalar(select(Household.id).where(Household.kk_number == KK_B))
    assert ani.household_id == new_home
    stays = sorted(
        db.session.execute(
            select(Membership.household_id, Membership.end_date, Membership.end_reason).where(
                Membership.person_id == ani.id
            )
        ).all(),
        key=lambda r: r.end_date is None,
    )
    assert stays == [(old_home, TODAY, "moved_out"), (new_home, None, None)]
    assert person(BUDI).occupation == "WIRASWASTA"
    moves = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "move", AuditEntry.object_id == str(ani.id))
    ).all()
    assert len(moves) == 1


def test_a_failure_halfway_leaves_nothing_written(app, english, write, monkeypatch):
    batch = services.start_import(
        write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})), "siak.xlsx",
        actor=None, today=TODAY,
    )  # fmt: skip
    audit_before = count(AuditEntry)

    def broken(*args, **kwargs):
        # By now every household and person has been inserted in the transaction.
        assert db.session.scalar(select(func.count()).select_from(Person)) == 5
        raise RuntimeError("disk full")

    monkeypatch.setattr(planner.applying, "rescore", broken)
    with pytest.raises(services.ConfirmError):
        services.confirm_import(batch, actor=None, today=TODAY)
    db.session.expire_all()
    assert count(Person) == count(Household) == count(Membership) == count(KKNumber) == 0
    assert count(AuditEntry) == audit_before
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.status == "previewed"
    assert "disk full" in batch.error
    monkeypatch.undo()
    services.confirm_import(batch, actor=None, today=TODAY)
    assert count(Person) == 5


def test_a_batch_is_confirmed_once(app, english, write):
    batch = services.start_import(
        write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})), "siak.xlsx",
        actor=None, today=TODAY,
    )  # fmt: skip
    services.confirm_import(batch, actor=None, today=TODAY)
    stale = db.session.get(ImportBatch, batch.id)
    stale.status = "previewed"  # as another request may still believe
    with pytest.raises(services.ConfirmError):
        services.confirm_import(stale, actor=None, today=TODAY)
    db.session.rollback()
    assert count(Person) == 5


def test_a_preview_nobody_confirms_is_discarded_after_two_days(app, english, write):
    path = write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]}))
    old = services.start_import(path, "siak.xlsx", actor=None, today=TODAY)
    old.created_at = old.created_at - timedelta(hours=49)
    db.session.commit()
    assert services.expire_stale_batches() == 1
    assert db.session.get(ImportBatch, old.id).status == "discarded"
    assert not any(p.name.endswith(".upload") for p in services.uploads_dir().iterdir())
    with pytest.raises(services.ConfirmError):
        services.confirm_import(old, actor=None, today=TODAY)


# ------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)),
        b"PK\x03\x04" + b"\x00" * 100,
        b"Hanya catatan biasa, bukan data penduduk.\n",
    ],
    ids=["png", "pdf", "broken-zip", "plain-text"],
)
def test_what_is_not_a_spreadsheet_is_refused_clearly(app, english, write, data):
    with pytest.raises(services.PreviewError) as refused:
        services.start_import(write("data.xlsx", data), "data.xlsx", actor=None)
    assert refused.value.field == "file"
    text = str(refused.value.message)
    assert "not a spreadsheet" in text or "not recognised" in text or "damaged" in text
    assert list(services.uploads_dir().iterdir()) == [], "a refused file is not kept"


def test_a_file_over_the_limit_is_refused(app, english, write):
    app.config["REGISTRY_IMPORT_MAX_BYTES"] = 1000
    path = write("big.csv", csv_bytes([SIAK_HEADER, *siak_rows()] * 3))
    with pytest.raises(services.PreviewError) as refused:
        services.start_import(path, "big.csv", actor=None)
    assert "larger than" in str(refused.value.message)


# ------------------------------------------------------------------ pages and CLI


def upload(client, data: bytes, name: str, query: str = "", **fields):
    return client.post(
        "/staf/registrasi/impor/" + query,
        data={"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def test_operator_uploads_previews_and_confirms_without_javascript(app, client, login_as):
    login_as("operator")
    assert client.get("/staf/registrasi/impor/?lang=en").status_code == 200
    response = upload(client, xlsx_bytes({"Data": mixed_rows()}), "roster.xlsx")
    assert response.status_code == 302
    page_url = response.headers["Location"]
    page = client.get(page_url + "?lang=en")
    html = page.get_data(as_text=True)
    assert "A NIK has exactly 16 digits." in html
    assert 'action="/staf/registrasi/impor/' in html and "konfirmasi" in html
    assert count(Person) == 0
    rejected_only = client.get(page_url + "?baris=rejected&lang=en").get_data(as_text=True)
    assert "SALAH NIK" in rejected_only and "SITI AMINAH" not in rejected_only
    batch_id = int(page_url.rstrip("/").split("/")[-1])
    confirmed = client.post(f"/staf/registrasi/impor/{batch_id}/konfirmasi")
    assert confirmed.status_code == 302
    assert count(Person) == 3
    download = client.get(f"/staf/registrasi/impor/{batch_id}/ditolak.xlsx")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import")
        )
        == 1
    )


def test_upload_errors_are_shown_beside_the_field(app, client, login_as):
    login_as("operator")
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "foto.png", "?lang=en")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and "not a spreadsheet" in html
    # In Indonesian, the default language, too.
    response = upload(client, b"%PDF-1.4\n" + bytes(range(256)), "surat.pdf", "?lang=id")
    assert "Berkas ini bukan spreadsheet" in response.get_data(as_text=True)
    assert count(ImportBatch) == 0


def test_a_20_mb_upload_is_refused_with_a_clear_page(app, client, login_as):
    login_as("operator")
    # Encoded in memory: werkzeug would spill a large form to a temporary file that the
    # refused request never reads nor closes.
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"x" * (20 * 1024 * 1024)), "besar.csv")}
    )
    response = client.post(
        "/staf/registrasi/impor/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert 'type="file"' in html, "the upload form is shown again"
    assert "MB" in html
    assert count(ImportBatch) == 0


def test_a_too_large_post_from_a_stranger_shows_no_upload_page(app, client, write):
    # With CSRF on, the token check reads the body before any role check can run.
    services.start_import(
        write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})), "rahasia.xlsx",
        actor=None, today=TODAY,
    )  # fmt: skip
    app.config["WTF_CSRF_ENABLED"] = True
    boundary, body = encode_multipart(
        {"file": FileStorage(io.BytesIO(b"x" * (17 * 1024 * 1024)), "besar.csv")}
    )
    response = client.post(
        "/staf/registrasi/impor/", data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )  # fmt: skip
    assert response.status_code == 413
    assert "rahasia.xlsx" not in response.get_data(as_text=True)


def test_auditor_sees_batches_but_cannot_import(app, client, login_as, write):
    services.start_import(
        write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})), "siak.xlsx",
        actor=None, today=TODAY,
    )  # fmt: skip
    login_as("auditor")
    listing = client.get("/staf/registrasi/impor/")
    assert listing.status_code == 200 and "siak.xlsx" in listing.get_data(as_text=True)
    assert 'type="file"' not in listing.get_data(as_text=True)
    assert upload(client, b"NIK;Nama\n", "x.csv").status_code == 403
    batch_id = db.session.scalar(select(ImportBatch.id))
    assert client.post(f"/staf/registrasi/impor/{batch_id}/konfirmasi").status_code == 403


def test_export_of_a_filtered_list_is_audited(app, client, login_as, write):
    run_import(write("siak.xlsx", xlsx_bytes({"Data": [SIAK_HEADER, *siak_rows()]})))
    login_as("operator")
    assert client.get("/staf/registrasi/ekspor").status_code == 200
    response = client.post(
        "/staf/registrasi/ekspor/unduh", data={"isi": "people", "format": "xlsx", "rt": 8, "rw": 1}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    niks = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert niks == {BUDI, SITI, ANI}
    response = client.post(
        "/staf/registrasi/ekspor/unduh", data={"isi": "households", "format": "csv"}
    )
    lines = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert {line[0] for line in lines[1:]} == {KK_A, KK_B}
    exports = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert [(e.object_type, e.after["rows"]) for e in exports] == [("person", 3), ("household", 2)]
    assert exports[0].after["filters"]["rt"] == 8


def test_cli_imports_with_yes_and_asks_without(app, runner, write):
    path = write("siak.xlsx", xlsx_bytes({"Data": mixed_rows()}))
    declined = runner.invoke(args=["import-registry", path], input="n\n")
    assert declined.exit_code == 0, declined.output
    assert count(Person) == 0
    assert db.session.scalar(select(ImportBatch.status)) == "discarded"
    rejected = write("ditolak.csv", b"")
    result = runner.invoke(args=["import-registry", path, "--yes", "--rejected", rejected])
    assert result.exit_code == 0, result.output
    assert count(Person) == 3
    assert "16" in result.output  # the NIK problem is listed
    with open(rejected, encoding="utf-8-sig") as fh:
        assert len(fh.read().strip().splitlines()) == 5
    refused = runner.invoke(args=["import-registry", write("x.pdf", b"%PDF-1.4\x00\x01")])
    assert refused.exit_code != 0
