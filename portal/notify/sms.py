"""SMS segments: how many messages an SMS text costs.

GSM 03.38's 7-bit alphabet holds 160 characters in one SMS, 153 per part once it is
split (the rest is the concatenation header); characters of its extension table take
two. Any other character makes the whole text UCS-2: 70 in one, 67 per part (counted in
UTF-16 units, so an emoji counts two).
"""

from __future__ import annotations

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")


def is_gsm(text: str) -> bool:
    """Whether the text fits the GSM 7-bit alphabet (with its extension table)."""
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def units(text: str) -> tuple[str, int]:
    """("gsm", septets) or ("ucs2", UTF-16 code units)."""
    if is_gsm(text):
        return "gsm", sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS the text is sent as (0 for an empty text)."""
    encoding, length = units(text)
    if length == 0:
        return 0
    single, part = (160, 153) if encoding == "gsm" else (70, 67)
    if length <= single:
        return 1
    return -(-length // part)
