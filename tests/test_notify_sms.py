"""SMS segments: GSM-7 160/153, extension characters count two, UCS-2 70/67."""

from __future__ import annotations

from portal.notify import sms


def test_gsm_texts_fit_160_then_153_per_part():
    assert sms.segments("") == 0
    assert sms.segments("a" * 160) == 1
    assert sms.segments("a" * 161) == 2
    assert sms.segments("a" * 306) == 2
    assert sms.segments("a" * 307) == 3


def test_extension_characters_take_two_septets():
    assert sms.units("€") == ("gsm", 2)
    assert sms.segments("€" * 80) == 1
    assert sms.segments("€" * 80 + "a") == 2


def test_one_character_outside_gsm_makes_the_whole_text_ucs2():
    assert sms.units("Beras 10 kg ✓") == ("ucs2", 13)
    assert sms.segments("a" * 69 + "✓") == 1
    assert sms.segments("a" * 70 + "✓") == 2
    assert sms.segments("a" * 133 + "✓") == 2
    assert sms.segments("a" * 134 + "✓") == 3
    # An emoji is two UTF-16 units.
    assert sms.units("🙂") == ("ucs2", 2)
