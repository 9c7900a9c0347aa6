"""What every procurement process shares: the refusal, settings, clean text, the upload
folder and the per-line arithmetic."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal, InvalidOperation

from flask import current_app

from portal import uploads as shared
from portal.i18n import lazy_gettext as _l
from portal.roles import EDITORS
from portal.service_errors import ServiceError

MAX_TEXT = 1000
MAX_AMOUNT = 10**13  # rupiah: far above any village purchase, well inside BIGINT
MAX_QUANTITY_MILLI = 10**12
DEFAULTS = {
    # Village procurement rules (LKPP 12/2019; each regency sets its own amounts).
    "PROCUREMENT_DIRECT_MAX": 10_000_000,
    "PROCUREMENT_QUOTES_MAX": 200_000_000,
    "PROCUREMENT_MIN_QUOTES_DIRECT": 1,
    "PROCUREMENT_MIN_QUOTES_QUOTES": 2,
    "PROCUREMENT_MIN_QUOTES_TENDER": 3,
    # A price this many percent over the month's reference is flagged for the village head.
    "PROCUREMENT_PRICE_MARGIN_PERCENT": 20,
    # The weight of the single-use plastic bag a package would otherwise come in.
    "PROCUREMENT_PLASTIC_BAG_GRAMS": 15,
    "PROCUREMENT_UPLOAD_MAX_BYTES": 5 * 1024 * 1024,
}


class ProcurementError(ServiceError, ValueError):
    """A procurement rule refused the input; nothing was written."""


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def require_editor(actor) -> None:
    if getattr(actor, "role", None) not in EDITORS:
        raise ProcurementError(_l("Only the village office may change procurement records."))


def clean(text: str | None, limit: int = MAX_TEXT) -> str:
    return " ".join((text or "").split())[:limit]


def month_start(day: date) -> date:
    return day.replace(day=1)


def item_key(name: str) -> str:
    """An item's name as reference prices are looked up ("Beras " -> "beras")."""
    return clean(name, 80).lower()


def parse_quantity(text, field: str = "quantity") -> int:
    """A quantity typed by a person ("2,5" or "2.5") in thousandths; refused beside
    `field` when it is not a number above zero with at most three decimals."""
    raw = str(text if text is not None else "").strip().replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ProcurementError(_l("Enter a number, e.g. 25 or 2.5."), field)
    thousandths = value * 1000
    if thousandths != thousandths.to_integral_value():
        raise ProcurementError(_l("Use at most three decimals."), field)
    if int(thousandths) > MAX_QUANTITY_MILLI:
        raise ProcurementError(_l("That quantity is too large."), field)
    return int(thousandths)


def check_amount(value, field: str, *, allow_zero: bool = False) -> int:
    if value is None or not isinstance(value, int) or value < (0 if allow_zero else 1):
        raise ProcurementError(_l("Enter an amount in rupiah above zero."), field)
    if value > MAX_AMOUNT:
        raise ProcurementError(_l("That amount is too large."), field)
    return value


def line_amount(quantity_milli: int, unit_price: int) -> int:
    """Rupiah for a line (rounded down to the rupiah)."""
    return quantity_milli * unit_price // 1000


def upload_dir(*parts: str) -> str:
    base = current_app.config.get("PROCUREMENT_UPLOAD_DIR") or os.path.join(
        current_app.instance_path, "uploads", "procurement"
    )
    return shared.folder(base, *parts)


def store(clean_file: shared.CleanImage | None, folder: str) -> str | None:
    return shared.store(clean_file, upload_dir(folder)) if clean_file else None


def remove(folder: str, name: str | None) -> None:
    shared.remove(upload_dir(folder), name)


def stored_path(folder: str, name: str) -> str | None:
    return shared.stored_path(upload_dir(folder), name)


def upload_limit() -> int:
    return setting("PROCUREMENT_UPLOAD_MAX_BYTES")
