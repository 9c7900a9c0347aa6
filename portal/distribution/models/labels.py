"""Labels, status tags and quantity helpers of the distribution models."""

from __future__ import annotations

from decimal import Decimal

from portal.i18n import lazy_gettext as _l
from portal.status_tags import register as register_status

ROUND_STATUSES = {
    "draft": _l("Draft"),
    "approved": _l("Approved"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "reconciled": _l("Reconciled"),
    "cancelled": _l("Cancelled"),
}
# status -> the statuses it may move to (cancel only before the round opens).
ROUND_TRANSITIONS = {
    "draft": ("approved", "cancelled"),
    "approved": ("open", "cancelled"),
    "open": ("closed",),
    "closed": ("reconciled",),
    "reconciled": (),
    "cancelled": (),
}
ENTITLEMENT_STATUSES = {
    "due": _l("Due"),
    "collected": _l("Collected"),
    "partly_collected": _l("Partly collected"),
    "not_collected": _l("Not collected"),
    "cancelled": _l("Cancelled"),
}
COLLECTOR_KINDS = {
    "collector": _l("The household's collector"),
    "alternate": _l("The alternate"),
    "proxy": _l("A proxy with a power of attorney"),
}
UNITS = {"kg": "kg", "l": "l", "pcs": _l("pcs"), "pack": _l("pack")}
STOCK_KINDS = {
    "received": _l("Received"),
    "moved_in": _l("Moved in from another point"),
    "moved_out": _l("Moved out to another point"),
    "returned": _l("Returned"),
    "damaged": _l("Damaged"),
    "lost": _l("Lost"),
}
STOCK_SOURCES = {
    "supplier": _l("A supplier"),
    "csr": _l("A CSR delivery"),
    "purchase": _l("A purchase"),
    "other": _l("Other"),
}
CHECK_RESULTS = {
    "received_full": _l("Received in full"),
    "not_received": _l("Not received"),
    "problems": _l("Received with problems"),
}
CHECK_METHODS = {"call": _l("Phone call"), "visit": _l("Visit")}
CONFLICT_STATUSES = {
    "open": _l("Waiting for a decision"),
    "accepted": _l("Recorded after review"),
    "rejected": _l("Rejected after review"),
}

register_status(
    "distribution.round",
    ROUND_STATUSES,
    {
        "draft": "info",
        "approved": "warn",
        "open": "ok",
        "closed": "muted",
        "reconciled": "ok",
        "cancelled": "danger",
    },
)
register_status(
    "distribution.entitlement",
    ENTITLEMENT_STATUSES,
    {
        "due": "info",
        "collected": "ok",
        "partly_collected": "warn",
        "not_collected": "danger",
        "cancelled": "muted",
    },
)
register_status(
    "distribution.conflict",
    CONFLICT_STATUSES,
    {"open": "warn", "accepted": "ok", "rejected": "muted"},
)


def milli(quantity: Decimal | float | int | str) -> int:
    """A quantity as whole thousandths of its unit (2.5 -> 2500)."""
    return int((Decimal(str(quantity)) * 1000).to_integral_value())


def from_milli(value: int) -> Decimal:
    """Thousandths back to a quantity for people (2500 -> Decimal('2.5'))."""
    return (Decimal(value) / 1000).normalize()
