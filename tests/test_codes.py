"""portal/codes.py: the one maker and reader of typed-back codes (certificates, CSR
receipts, complaint tracking)."""

from __future__ import annotations

from portal import codes
from portal.complaints import services as complaints
from portal.csr import services as csr
from portal.training import services as training

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def test_a_new_code_is_grouped_from_its_alphabet():
    code = codes.new_code(ALPHABET, 12)
    assert len(code) == 14 and code.count("-") == 2
    assert set(code.replace("-", "")) <= set(ALPHABET)
    assert "-" not in codes.new_code(ALPHABET, 12, group=0)


def test_a_typed_code_is_read_back_or_refused():
    assert codes.normalize_code(" abcd efgh-jkmn ", ALPHABET, 12) == "ABCD-EFGH-JKMN"
    assert codes.normalize_code("abcdefghjkmn", ALPHABET, 12, group=0) == "ABCDEFGHJKMN"
    assert codes.normalize_code("ABCD-EFGH-JKM0", ALPHABET, 12) is None  # 0 is not in it
    assert codes.normalize_code("ABCD-EFGH", ALPHABET, 12) is None
    assert codes.normalize_code("ABCD²EFGHJKMN", ALPHABET, 12) is None
    assert codes.normalize_code(None, ALPHABET, 12) is None
    # With explicit separators, anything else is refused rather than dropped.
    assert codes.normalize_code("ABCD/EFGH/JKMN", ALPHABET, 12, group=0, ignore=" -") is None


def test_each_feature_reads_back_the_codes_it_makes():
    for feature in (csr, training):
        made = feature.new_code()
        assert feature.normalize_code(made.lower().replace("-", " ")) == made
    made = complaints.new_code()
    assert complaints.normalise_code(f"{made[:4]}-{made[4:8]} {made[8:]}".lower()) == made
