"""Rules of distribution rounds, one module per process (common, rounds, approval, stock,
handover, voids, sync), re-exported here for views, the demo and tests."""

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
from portal.distribution.services.handover import (
    AlreadyCollected,
    Given,
    entitlement_at,
    find_by_code,
    hand_over,
    live_handover,
    nik_tail,
    open_rounds,
    point_of,
    refusal_for,
    search,
)
from portal.distribution.services.rounds import (
    add_item,
    add_point,
    add_slot,
    create_round,
    parse_quantity,
)
from portal.distribution.services.stock import add_received, receive_stock, received_by_ref
from portal.distribution.services.sync import conflicts, decide_conflict, sync_batch
from portal.distribution.services.voids import void_handover

__all__ = [
    "AlreadyCollected",
    "Given",
    "conflicts",
    "decide_conflict",
    "entitlement_at",
    "find_by_code",
    "hand_over",
    "live_handover",
    "nik_tail",
    "open_rounds",
    "point_of",
    "refusal_for",
    "search",
    "sync_batch",
    "void_handover",
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
