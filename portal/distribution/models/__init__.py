"""Distribution rounds (penyaluran) and what was handed to whom.

A round belongs to one published recipient-list version of one programme period. The
village head's approval snapshots one `Entitlement` per household on that version; the
database refuses an entitlement for a household that is not on the version its approval
names (composite foreign keys down to `recipient_version_row`). What is due is frozen
once written (triggers), handovers and stock movements are append-only, and a second
handover of the same entitlement is refused by a unique key (`Handover.attempt`, the
number of voids before it). Quantities are whole thousandths of their unit (`*_milli`:
2.5 kg is 2500), so that sums are exact on both engines.
"""

from portal.distribution.models.handovers import (  # noqa: F401
    Handover,
    HandoverLine,
    HandoverVoid,
    SyncConflict,
)
from portal.distribution.models.labels import (  # noqa: F401
    CHECK_METHODS,
    CHECK_RESULTS,
    COLLECTOR_KINDS,
    CONFLICT_STATUSES,
    ENTITLEMENT_STATUSES,
    ROUND_STATUSES,
    ROUND_TRANSITIONS,
    STOCK_KINDS,
    STOCK_SOURCES,
    UNITS,
    from_milli,
    milli,
)
from portal.distribution.models.rounds import (  # noqa: F401
    DistributionPoint,
    DistributionRound,
    Entitlement,
    EntitlementLine,
    RoundApproval,
    RoundItem,
    TimeSlot,
)
from portal.distribution.models.stock import ArrivalCheck, StockMovement  # noqa: F401

# Tables that are written once and never changed (triggers in the migration).
APPEND_ONLY = (
    "distribution_approval",
    "distribution_handover",
    "distribution_handover_line",
    "distribution_handover_void",
    "distribution_stock",
)
# Columns of an entitlement frozen once written (a trigger refuses a change).
FROZEN_ENTITLEMENT_COLUMNS = (
    "round_id",
    "approval_id",
    "version_id",
    "household_id",
    "code",
    "cash_due",
    "follows_id",
)
