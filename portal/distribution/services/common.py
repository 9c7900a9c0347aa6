"""What every distribution process shares: the refusal, the entitlement code, the
round's status moves and locking a round's row."""

from __future__ import annotations

from functools import lru_cache, partial

from sqlalchemy import select

from portal.codes import new_code, normalize_code
from portal.database import read
from portal.distribution.models import (
    ROUND_STATUSES,
    ROUND_TRANSITIONS,
    DistributionRound,
    from_milli,
)
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.numbers import DB_INT_MAX
from portal.service_errors import ServiceError

# 32 letters and digits without the look-alikes 0/O and 1/I: 16 of them are 80 bits,
# printed in four groups of four ("7KQ2-M9XD-...") and as a QR code.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
MAX_REASON = 1000


class DistributionError(ServiceError, ValueError):
    """A distribution rule refused the input; nothing was written."""


def new_entitlement_code() -> str:
    return new_code(CODE_ALPHABET, CODE_LENGTH)


def normalize_entitlement_code(text: str | None) -> str | None:
    """A code as typed or scanned in its stored form, or None when it cannot be one."""
    return normalize_code(text, CODE_ALPHABET, CODE_LENGTH)


def clean(text: str | None, limit: int = MAX_REASON) -> str:
    return " ".join((text or "").split())[:limit]


def locked_round(round_id: int) -> DistributionRound:
    """The round's row, locked for the rest of the transaction (PostgreSQL; SQLite's
    write transaction already holds the database), read afresh; 404-like refusal if
    there is none."""
    db.session.execute(
        select(DistributionRound.id).where(DistributionRound.id == round_id).with_for_update()
    )
    found = db.session.get(DistributionRound, round_id, populate_existing=True)
    if found is None:
        raise DistributionError(_l("There is no such distribution round."))
    return found


def draft_round(round_id: int) -> DistributionRound:
    """The round's row locked, refused unless it is still a draft."""
    round_ = locked_round(round_id)
    if round_.is_frozen:
        raise DistributionError(_l("Only a draft round can be changed."))
    return round_


def checked_round_fields(
    *,
    title_id: str,
    starts_on,
    ends_on,
    cash_amount: int | None,
    sample_percent: int,
    sample_minimum: int,
) -> str:
    """Refuse a round's title, dates, cash or sample size beside the field; the cleaned
    title."""
    title_id = clean(title_id, 200)
    if not title_id:
        raise DistributionError(_l("Give the round a title in Indonesian."), "title_id")
    if ends_on < starts_on:
        raise DistributionError(_l("The last day cannot be before the first."), "ends_on")
    if cash_amount is not None and not 0 <= cash_amount <= DB_INT_MAX:
        raise DistributionError(_l("Enter an amount in whole rupiah."), "cash_amount")
    if not 1 <= sample_percent <= 100:
        raise DistributionError(_l("Enter a share between 1 and 100."), "sample_percent")
    if not 0 <= sample_minimum <= 100_000:
        raise DistributionError(_l("Enter a number of households."), "sample_minimum")
    return title_id


def check_move(round_: DistributionRound, to: str) -> None:
    """Refuse a status change the round's lifecycle does not allow."""
    if to not in ROUND_TRANSITIONS.get(round_.status, ()):
        raise DistributionError(
            _l(
                "A round that is “%(status)s” cannot become “%(new)s”.",
                status=ROUND_STATUSES[round_.status],
                new=ROUND_STATUSES[to],
            )
        )


# A page shows the same few quantities many times (pure: kept per worker, bounded).
@lru_cache(maxsize=4096)
def quantity_text(value_milli: int, lang: str) -> str:
    """Thousandths as people read the quantity: "2,5" in Indonesian, "2.5" in English,
    "10" (not "1E+1") for a whole number."""
    text = format(from_milli(value_milli), "f")
    return text.replace(".", ",") if lang == "id" else text


def reader():
    """database.read for a page that runs several statements, bound to the session
    itself (not the scoped proxy, found once): `run(statement, values)` as read() runs
    it (its flush, and on SQLite the driver's own path)."""
    return partial(read, db.session())
