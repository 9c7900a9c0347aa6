"""The codes and labels of SIAK, OpenSID and the national welfare data, mapped to the
registry's vocabulary. Keys are `values.key()` forms: upper case, letters and digits."""

from __future__ import annotations

SEX = {
    "1": "male", "L": "male", "LK": "male", "LAKILAKI": "male", "LAKI": "male", "PRIA": "male",
    "M": "male", "MALE": "male",
    "2": "female", "P": "female", "PR": "female", "PEREMPUAN": "female", "WANITA": "female",
    "F": "female", "FEMALE": "female",
}  # fmt: skip

# SIAK's SHDK labels and OpenSID's kk_level codes 1-11.
RELATION = {
    "1": "head", "KEPALAKELUARGA": "head", "KEPALA": "head", "KK": "head",
    "2": "husband", "SUAMI": "husband",
    "3": "wife", "ISTRI": "wife", "ISTERI": "wife",
    "4": "child", "ANAK": "child", "ANAKKANDUNG": "child", "ANAKANGKAT": "child",
    "ANAKTIRI": "child",
    "5": "child_in_law", "MENANTU": "child_in_law",
    "6": "grandchild", "CUCU": "grandchild",
    "7": "parent", "ORANGTUA": "parent", "ORTU": "parent", "AYAH": "parent", "IBU": "parent",
    "8": "parent_in_law", "MERTUA": "parent_in_law",
    "9": "other_family", "FAMILILAIN": "other_family", "FAMILI": "other_family",
    "FAMILY": "other_family", "KELUARGALAIN": "other_family",
    "10": "household_help", "PEMBANTU": "household_help",
    "PEMBANTURUMAHTANGGA": "household_help",
    "11": "other", "LAINNYA": "other", "LAIN": "other", "LAINLAIN": "other",
}  # fmt: skip

MARITAL = {
    "1": "single", "BK": "single", "BELUMKAWIN": "single", "BELUMMENIKAH": "single",
    "2": "married", "K": "married", "KAWIN": "married", "KAWINTERCATAT": "married",
    "KAWINBELUMTERCATAT": "married", "KAWINTIDAKTERCATAT": "married", "MENIKAH": "married",
    "3": "divorced", "CH": "divorced", "CERAIHIDUP": "divorced",
    "CERAIHIDUPTERCATAT": "divorced", "CERAIHIDUPBELUMTERCATAT": "divorced",
    "4": "widowed", "CM": "widowed", "CERAIMATI": "widowed",
}  # fmt: skip

# SIAK "Status" and OpenSID status_dasar (1 alive, 2 dead, 3 moved, 4 missing,
# 6 gone away, 9 not valid). "invalid" is not a registry status: such rows are refused.
LIFE_STATUS = {
    "1": "alive", "HIDUP": "alive", "ADA": "alive", "AKTIF": "alive",
    "2": "dead", "MATI": "dead", "MENINGGAL": "dead", "MENINGGALDUNIA": "dead", "WAFAT": "dead",
    "3": "moved", "PINDAH": "moved", "PINDAHDALAMNEGERI": "moved",
    "PINDAHLUARNEGERI": "moved", "PINDAHKELUAR": "moved",
    "6": "moved", "PERGI": "moved",
    "4": "missing", "HILANG": "missing",
    "9": "invalid", "TIDAKVALID": "invalid", "INVALID": "invalid",
}  # fmt: skip

# OpenSID cacat_id; 7 is "not disabled".
DISABILITY_CODES = {
    "1": "Cacat Fisik",
    "2": "Cacat Netra/Buta",
    "3": "Cacat Rungu/Wicara",
    "4": "Cacat Mental/Jiwa",
    "5": "Cacat Fisik dan Mental",
    "6": "Cacat Lainnya",
    "7": None,
}
NO_DISABILITY = frozenset({"TIDAKCACAT", "TIDAKADA", "TIDAK", "NORMAL", "0", "BUKANCACAT"})

# OpenSID pendidikan_kk_id.
EDUCATION_CODES = {
    "1": "Tidak/Belum Sekolah",
    "2": "Belum Tamat SD/Sederajat",
    "3": "Tamat SD/Sederajat",
    "4": "SLTP/Sederajat",
    "5": "SLTA/Sederajat",
    "6": "Diploma I/II",
    "7": "Akademi/Diploma III/S. Muda",
    "8": "Diploma IV/Strata I",
    "9": "Strata II",
    "10": "Strata III",
}

# OpenSID pekerjaan_id (the Dukcapil list).
_OCCUPATIONS = """
Belum/Tidak Bekerja|Mengurus Rumah Tangga|Pelajar/Mahasiswa|Pensiunan|
Pegawai Negeri Sipil (PNS)|Tentara Nasional Indonesia (TNI)|Kepolisian RI (POLRI)|
Perdagangan|Petani/Pekebun|Peternak|Nelayan/Perikanan|Industri|Konstruksi|Transportasi|
Karyawan Swasta|Karyawan BUMN|Karyawan BUMD|Karyawan Honorer|Buruh Harian Lepas|
Buruh Tani/Perkebunan|Buruh Nelayan/Perikanan|Buruh Peternakan|Pembantu Rumah Tangga|
Tukang Cukur|Tukang Listrik|Tukang Batu|Tukang Kayu|Tukang Sol Sepatu|
Tukang Las/Pandai Besi|Tukang Jahit|Tukang Gigi|Penata Rias|Penata Busana|Penata Rambut|
Mekanik|Seniman|Tabib|Paraji|Perancang Busana|Penterjemah|Imam Masjid|Pendeta|Pastor|
Wartawan|Ustadz/Mubaligh|Juru Masak|Promotor Acara|Anggota DPR-RI|Anggota DPD|Anggota BPK|
Presiden|Wakil Presiden|Anggota Mahkamah Konstitusi|Anggota Kabinet Kementerian|
Duta Besar|Gubernur|Wakil Gubernur|Bupati|Wakil Bupati|Walikota|Wakil Walikota|
Anggota DPRD Provinsi|Anggota DPRD Kabupaten/Kota|Dosen|Guru|Pilot|Pengacara|Notaris|
Arsitek|Akuntan|Konsultan|Dokter|Bidan|Perawat|Apoteker|Psikiater/Psikolog|
Penyiar Televisi|Penyiar Radio|Pelaut|Peneliti|Sopir|Pialang|Paranormal|Pedagang|
Perangkat Desa|Kepala Desa|Biarawati|Wiraswasta|Lainnya
"""
OCCUPATION_CODES = {
    str(number): label.strip()
    for number, label in enumerate(" ".join(_OCCUPATIONS.split("\n")).split("|"), start=1)
}

# OpenSID programme targets (Sasaran Program).
TARGET_PERSON, TARGET_FAMILY, TARGET_HOUSEHOLD, TARGET_GROUP = 1, 2, 3, 4

# Words in a programme's name that say which national programme it is.
PROGRAMME_WORDS = (
    ("PKH", ("PKH", "PROGRAMKELUARGAHARAPAN", "KELUARGAHARAPAN")),
    ("BPNT", ("BPNT", "SEMBAKO", "PANGANNONTUNAI", "BANTUANPANGAN")),
    ("PBI", ("PBI", "JKN", "KIS", "KARTUINDONESIASEHAT", "JAMKESMAS")),
    ("PIP", ("PIP", "KIP", "INDONESIAPINTAR")),
    ("BLT", ("BLT", "LANGSUNGTUNAI")),
)
