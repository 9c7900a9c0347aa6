"""Rules of distribution rounds, one module per process (common, rounds, approval, stock),
re-exported here for views, the demo and tests."""

from __future__ import annotations

from portal.distribution.services.approval import amend, approve, collectors
from portal.distribution.services.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DistributionError,
    check_move,
    locked_round,
    new_entitlement_code,
    normalize_entitlement_code,
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
