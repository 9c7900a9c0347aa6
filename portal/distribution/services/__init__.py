"""Rules of distribution rounds, one module per process (common, rounds, approval, stock,
ledger, closing, carry, arrival), re-exported here for views, the demo and tests."""

from __future__ import annotations

from portal.distribution.services.approval import amend, approve, collectors
from portal.distribution.services.arrival import (
    SampleSummary,
    checks,
    draw_sample,
    record_check,
    sample_size,
    sample_summary,
)
from portal.distribution.services.carry import create_follow_up, live_follow_up
from portal.distribution.services.closing import (
    FLAG_LABELS,
    Reconciliation,
    cancel_entitlement,
    close_round,
    mark_reconciled,
    not_collected,
    reconciliation,
)
from portal.distribution.services.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DistributionError,
    check_move,
    locked_round,
    new_entitlement_code,
    normalize_entitlement_code,
)
from portal.distribution.services.ledger import (
    Balance,
    add_write_off,
    balances,
    move_stock,
    movements,
    on_hand,
    write_off,
)
from portal.distribution.services.rounds import (
    add_item,
    add_point,
    add_slot,
    create_round,
    parse_quantity,
)
from portal.distribution.services.stock import add_received, receive_stock, received_by_ref

__all__ = [
    "FLAG_LABELS",
    "Balance",
    "Reconciliation",
    "SampleSummary",
    "balances",
    "cancel_entitlement",
    "checks",
    "close_round",
    "create_follow_up",
    "draw_sample",
    "live_follow_up",
    "mark_reconciled",
    "move_stock",
    "movements",
    "not_collected",
    "on_hand",
    "reconciliation",
    "record_check",
    "sample_size",
    "sample_summary",
    "add_write_off",
    "write_off",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DistributionError",
    "add_item",
    "add_point",
    "add_received",
    "add_slot",
    "amend",
    "approve",
    "check_move",
    "collectors",
    "create_round",
    "locked_round",
    "new_entitlement_code",
    "normalize_entitlement_code",
    "parse_quantity",
    "receive_stock",
    "received_by_ref",
]
