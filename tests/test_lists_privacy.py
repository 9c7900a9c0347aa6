"""mask_name: names on public pages, masked word by word as Indonesia's public look-ups do."""

from __future__ import annotations

import pytest

from portal.privacy import mask_name


@pytest.mark.parametrize(
    "name,masked",
    [
        ("Siti Aminah", "S**i A****h"),
        ("Budi", "B**i"),
        ("Ani", "A*i"),
        ("Al", "A*"),
        ("M", "M"),
        ("H. Ahmad Fauzi", "H. A***d F***i"),
        ("  Dewi   Lestari  ", "D**i L*****i"),
        ("Nur'aini", "N**'***i"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_masked_name_keeps_no_inner_letter():
    masked = mask_name("Kartika Sari Dewi")
    assert masked == "K*****a S**i D**i"
    assert "artik" not in masked and len(masked) == len("Kartika Sari Dewi")
