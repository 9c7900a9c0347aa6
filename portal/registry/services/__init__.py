"""Registry rules: saving households and people, moves, KK history, search, warnings,
duplicates, overlaps and merging. Views call these; tests and importers call them too.

One module per process (common, names, households, people, enrolments,
enrolment_warnings, duplicates, search, household_page, household_rows, pair_page,
page_queries, stamp, warnings_page); this package re-exports what views, importers, the demo
and tests call.

Every change and every read of a full record goes into the audit log in the same
transaction as the change (`portal.audit.services.record` masks NIK and KK numbers).
"""

from __future__ import annotations

from portal.registry.services.common import (
    AUDIT_HOUSEHOLD_FIELDS,
    AUDIT_PERSON_FIELDS,
    HOUSEHOLD_FIELDS,
    NOT_LIVING,
    PERSON_FIELDS,
    refresh_assessment,
)
from portal.registry.services.duplicates import (
    DuplicateDecisionError,
    DuplicatePair,
    decide_not_duplicate,
    decision_for,
    duplicates_of,
    likely_duplicate_count,
    likely_duplicate_rows,
    likely_duplicates,
    merge_persons,
    pair_problem,
    view_pair,
)
from portal.registry.services.enrolment_warnings import (
    Overlap,
    StaleEnrolment,
    covered_households,
    nik_mismatches,
    overlaps,
    stale_enrolments,
)
from portal.registry.services.enrolments import add_external, end_enrolment, enrol, enrolment_facts
from portal.registry.services.household_page import (
    HouseholdRecord,
    household_record,
    kept_household_record,
)
from portal.registry.services.household_rows import (
    HouseholdFields,
    PlainHousehold,
    household_fields,
    plain_household,
)
from portal.registry.services.households import (
    get_household,
    household_has_head,
    member_names,
    person_heading,
    save_household,
    stage_household,
    view_household,
    view_person,
)
from portal.registry.services.names import MUHAMMAD, OLD_SPELLINGS, TITLES, normalise_name
from portal.registry.services.pair_page import pair_records, person_enrolments
from portal.registry.services.people import (
    move_person,
    save_person,
    stage_move,
    stage_person,
    still_enrolled_messages,
)
from portal.registry.services.search import (
    MAX_QUERY,
    MIN_NUMBER_PREFIX,
    NAME_WORDS_SEARCHED,
    Filters,
    MemberSummary,
    filters_from_args,
    filters_query,
    household_by_kk,
    households_page,
    member_summaries,
    name_word_starts,
    parse_rt_rw,
    programmes_for_filter,
    search_households,
    search_query,
)
from portal.registry.services.warnings_page import warnings_overview

__all__ = [
    "enrolment_facts",
    "AUDIT_HOUSEHOLD_FIELDS",
    "AUDIT_PERSON_FIELDS",
    "DuplicateDecisionError",
    "DuplicatePair",
    "Filters",
    "HOUSEHOLD_FIELDS",
    "HouseholdRecord",
    "MAX_QUERY",
    "MIN_NUMBER_PREFIX",
    "MUHAMMAD",
    "NAME_WORDS_SEARCHED",
    "NOT_LIVING",
    "OLD_SPELLINGS",
    "Overlap",
    "PERSON_FIELDS",
    "StaleEnrolment",
    "TITLES",
    "add_external",
    "covered_households",
    "decide_not_duplicate",
    "decision_for",
    "duplicates_of",
    "end_enrolment",
    "enrol",
    "filters_from_args",
    "filters_query",
    "get_household",
    "household_has_head",
    "member_names",
    "person_heading",
    "household_by_kk",
    "household_record",
    "kept_household_record",
    "plain_household",
    "PlainHousehold",
    "household_fields",
    "HouseholdFields",
    "likely_duplicate_count",
    "likely_duplicate_rows",
    "likely_duplicates",
    "merge_persons",
    "move_person",
    "name_word_starts",
    "nik_mismatches",
    "normalise_name",
    "overlaps",
    "pair_problem",
    "pair_records",
    "parse_rt_rw",
    "person_enrolments",
    "programmes_for_filter",
    "refresh_assessment",
    "save_household",
    "save_person",
    "MemberSummary",
    "households_page",
    "member_summaries",
    "search_households",
    "search_query",
    "stage_household",
    "stage_move",
    "stage_person",
    "stale_enrolments",
    "still_enrolled_messages",
    "view_household",
    "view_pair",
    "view_person",
    "warnings_overview",
]
