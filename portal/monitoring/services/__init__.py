"""Rules of monitoring, one module per process (common, plans, indicators, computed),
re-exported here for views, the demo and tests."""

from __future__ import annotations

from portal.monitoring.services.common import MonitoringError
from portal.monitoring.services.computed import MEASURES, MINIMUM_GROUP, Figure, measure
from portal.monitoring.services.evaluation import (
    EVALUATED_ROUNDS,
    Subject,
    evaluation_years,
    finished_rounds,
    get_evaluation,
    indicator_rows,
    open_linked_survey_id,
    save_evaluation,
    subject,
    survey_choices,
    survey_view,
)
from portal.monitoring.services.indicators import (
    IndicatorRow,
    dashboard_rows,
    ensure_computed,
    get_indicator,
    indicator_list,
    indicators,
    record_value,
    save_indicator,
    set_target,
)
from portal.monitoring.services.plans import (
    ACTIVITY_FIELDS,
    activity_parts,
    activity_tree,
    add_goal,
    add_milestone,
    current_plan,
    plans,
    public_milestones,
    save_activity,
    save_plan,
)
from portal.monitoring.services.snapshots import take_snapshot

__all__ = [
    "EVALUATED_ROUNDS",
    "Subject",
    "evaluation_years",
    "finished_rounds",
    "get_evaluation",
    "open_linked_survey_id",
    "indicator_rows",
    "save_evaluation",
    "subject",
    "survey_choices",
    "survey_view",
    "ACTIVITY_FIELDS",
    "MEASURES",
    "MINIMUM_GROUP",
    "Figure",
    "IndicatorRow",
    "MonitoringError",
    "activity_parts",
    "activity_tree",
    "add_goal",
    "add_milestone",
    "current_plan",
    "dashboard_rows",
    "ensure_computed",
    "get_indicator",
    "indicator_list",
    "indicators",
    "measure",
    "plans",
    "public_milestones",
    "record_value",
    "save_activity",
    "save_indicator",
    "save_plan",
    "set_target",
    "take_snapshot",
]
