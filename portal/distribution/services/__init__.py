"""Rules of distribution rounds, one module per process (common, rounds, approval,
lifecycle, stock, ledger, closing, carry, arrival, entitlements, invitations, messages,
progress, open_data, handover, voids, sync), re-exported here for views, the demo and
tests."""

from __future__ import annotations

from portal.distribution.services.approval import amend, approve, collectors
from portal.distribution.services.arrival import (
    SampleSummary,
    check_row,
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
from portal.distribution.services.entitlements import entitlement_page
from portal.distribution.services.handover import (
    AlreadyCollected,
    Given,
    entitlement_at,
    find_by_code,
    hand_over,
    handovers_of,
    live_handover,
    live_of,
    nik_tail,
    open_rounds,
    point_of,
    refusal_for,
    search,
)
from portal.distribution.services.invitations import (
    Invitation,
    invitation_for_person,
    invitations_for,
    self_check_notes,
)
from portal.distribution.services.ledger import (
    Balance,
    add_write_off,
    balances,
    ledger_names,
    move_stock,
    movements,
    on_hand,
    write_off,
)
from portal.distribution.services.lifecycle import (
    cancel_round,
    open_round,
    remove_part,
    update_round,
)
from portal.distribution.services.messages import send_invitations
from portal.distribution.services.open_data import round_json, round_rows
from portal.distribution.services.progress import (
    MIN_GROUP,
    progress,
    progress_total,
    public_round,
    public_rounds,
    round_with_total,
)
from portal.distribution.services.round_parts import RoundParts, points_and_items, round_parts
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
    "FLAG_LABELS",
    "Balance",
    "Reconciliation",
    "SampleSummary",
    "balances",
    "ledger_names",
    "cancel_entitlement",
    "check_row",
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
    "MIN_GROUP",
    "Invitation",
    "cancel_round",
    "entitlement_page",
    "invitation_for_person",
    "invitations_for",
    "open_round",
    "progress",
    "progress_total",
    "round_with_total",
    "round_parts",
    "points_and_items",
    "RoundParts",
    "public_round",
    "public_rounds",
    "remove_part",
    "round_json",
    "round_rows",
    "self_check_notes",
    "send_invitations",
    "update_round",
    "AlreadyCollected",
    "Given",
    "conflicts",
    "decide_conflict",
    "entitlement_at",
    "find_by_code",
    "hand_over",
    "handovers_of",
    "live_handover",
    "live_of",
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
