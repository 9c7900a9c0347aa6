"""Random codes people read off paper and type back: certificate and receipt codes,
complaint tracking codes.

Each feature picks its alphabet (without look-alikes such as 0/O, 1/I) and length;
the code is drawn with `secrets` and shown in groups of `group` characters joined by
dashes ("ABCD-EFGH-JKLM"), or ungrouped with `group=0`.
"""

from __future__ import annotations

import secrets


def _grouped(raw: str, group: int) -> str:
    if not group:
        return raw
    return "-".join(raw[i : i + group] for i in range(0, len(raw), group))


def new_code(alphabet: str, length: int, *, group: int = 4) -> str:
    """A fresh random code of `length` characters from `alphabet`."""
    return _grouped("".join(secrets.choice(alphabet) for _ in range(length)), group)


def normalize_code(
    text: str | None, alphabet: str, length: int, *, group: int = 4, ignore: str | None = None
) -> str | None:
    """A code as typed (lower case, spaces, dashes or none) in its stored form, or None
    when it cannot be one (wrong length, a character outside `alphabet`). `ignore`: the
    separators dropped; by default anything that is not a letter or digit."""
    if not text:
        return None
    upper = text.upper()
    if ignore is None:
        raw = "".join(ch for ch in upper if ch.isalnum())
    else:
        raw = "".join(ch for ch in upper if ch not in ignore)
    if len(raw) != length or any(ch not in alphabet for ch in raw):
        return None
    return _grouped(raw, group)
