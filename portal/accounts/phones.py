"""Phone numbers: parsed as Indonesian (region ID) and stored in E.164 (+6281234567890).

People type their number as 0812-3456-7890, 62812..., +62 812 ... or with spaces; all
of these are the same account. The phonenumbers package (Google's libphonenumber) knows
which prefixes are real, so a typo in the length is caught at sign-up.
"""

from __future__ import annotations

import re

import phonenumbers

REGION = "ID"
# What a typed login or phone may hold besides digits: +, spaces, dashes, dots, brackets.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-]{7,24}$")


def normalise_phone(value: str | None) -> str | None:
    """The number in E.164, or None when it is not a valid phone number.

    "0812 3456 7890", "62812-3456-7890" and "+6281234567890" all give
    "+6281234567890". A number of another country works when typed with its "+".
    """
    raw = (value or "").strip()
    if not raw or not _PHONE_LIKE.match(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    if not raw.startswith("+") and digits.startswith("62"):
        raw = "+" + digits  # "62812..." is the international form without its "+"
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str | None) -> str:
    """+62812****7890: enough for its owner to recognise it, not to call it."""
    if not e164:
        return ""
    if len(e164) <= 8:
        return e164[:3] + "*" * (len(e164) - 3)
    return e164[:6] + "*" * (len(e164) - 10) + e164[-4:]
