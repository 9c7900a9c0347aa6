"""Whole numbers as people type them or files hold them, and the largest id the database
holds. One rule for the whole portal: Python's `str.isdigit()` also accepts "²" or "①",
which `int()` then refuses (a 500 wherever a typed number was checked that way)."""

from __future__ import annotations

# PostgreSQL's `integer`, the type of every id here (SQLite's are wider).
DB_INT_MAX = 2**31 - 1


def is_whole(text: str) -> bool:
    """Only the digits 0 to 9, at least one."""
    return text.isascii() and text.isdigit()


def db_int(value) -> int | None:
    """An id the database can hold (1 to DB_INT_MAX), from typed text or a number read
    from JSON; None for anything else."""
    if isinstance(value, str):
        if not is_whole(value) or len(value) > 10:
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= DB_INT_MAX else None
