"""Rules of the recipient lists: periods, the draft from the registry, manual changes,
the village decision and approval, publishing versions, objections and the self-check.

One module per process (common, periods, draft, rule_checks, manual_changes, decision,
approval, versions, objections, self_checks); this package re-exports what views,
export, the demo and tests call.

Views call these; tests call them directly. Every staff change writes an audit entry in
the same transaction (`portal.audit.services.record`). What a published version keeps
is only what the public may see: the masked name, RT/RW and the household id (for the
self-check and objections), never a NIK, KK number, birth date or address.
"""

from __future__ import annotations

from portal.lists.services.approval import approval_holds, approve, latest_approval
from portal.lists.services.common import APPROVED_FIELDS, MAX_REASON, PERIOD_FIELDS, ListError
from portal.lists.services.decision import (
    decisions,
    latest_decision,
    parse_attendees,
    record_decision,
)
from portal.lists.services.draft import (
    draft_candidate_ids,
    draft_candidates,
    entries_query,
    propose_draft,
    recipient_name,
    recipient_names,
)
from portal.lists.services.manual_changes import add_household, changes, remove_household
from portal.lists.services.objections import (
    decide_objection,
    file_objection,
    objections_open,
    period_objections,
)
from portal.lists.services.periods import (
    get_period,
    period_rows,
    period_values,
    save_period,
)
from portal.lists.services.rule_checks import RuleCheck, active_count, rule_check
from portal.lists.services.self_checks import Due, open_for_objection, self_check
from portal.lists.services.versions import (
    PlaceTotal,
    board_head,
    current_lists,
    get_version,
    latest_published,
    latest_version,
    publish,
    published_periods,
    totals,
    version_list,
    version_page,
    version_rows,
)

__all__ = [
    "APPROVED_FIELDS",
    "Due",
    "ListError",
    "MAX_REASON",
    "PERIOD_FIELDS",
    "PlaceTotal",
    "RuleCheck",
    "active_count",
    "add_household",
    "approval_holds",
    "approve",
    "board_head",
    "changes",
    "current_lists",
    "decide_objection",
    "decisions",
    "draft_candidate_ids",
    "draft_candidates",
    "entries_query",
    "file_objection",
    "get_period",
    "get_version",
    "latest_approval",
    "latest_decision",
    "latest_published",
    "latest_version",
    "period_rows",
    "period_values",
    "objections_open",
    "open_for_objection",
    "parse_attendees",
    "period_objections",
    "propose_draft",
    "publish",
    "published_periods",
    "recipient_name",
    "recipient_names",
    "record_decision",
    "remove_household",
    "rule_check",
    "save_period",
    "self_check",
    "totals",
    "version_list",
    "version_page",
    "version_rows",
]
