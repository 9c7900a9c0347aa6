"""Rules of the training courses. Views and tests call these; none touches `request`.

Seats: every change to a session's places first takes that session's row (the
conditional UPDATE of `taken`, or SELECT ... FOR UPDATE), inside `write_transaction`
(BEGIN IMMEDIATE on SQLite). So sign-ups, cancellations and promotions on one session
run one after another, `taken` never passes `seats` (and a CHECK refuses it should
anything else try), and waitlist numbers are handed out in the order sign-ups commit.
A cancellation promotes the first person in line in the same transaction, and the
message telling them is queued in that transaction too (the outbox).

One module per process (common, catalogue, eligibility, messages, places, courses,
attendance, feedback, reports, reminders); this package re-exports what views, the demo,
the outbox and tests call.
"""

from __future__ import annotations

from portal.training.services.attendance import (
    Mark,
    certificate,
    complete,
    may_teach,
    record_marks,
    trainer_sessions,
)
from portal.training.services.catalogue import (
    courses_from_pledges,
    participants,
    place_of,
    places_in_course,
    places_of,
    published_course,
    published_course_with_places,
    published_courses,
    session_lists,
    session_open,
    session_with_lists,
    upcoming_sessions,
    upcoming_with_places,
    waitlist,
    waitlist_position,
)
from portal.training.services.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AlreadySignedUp,
    NotEligible,
    TrainingError,
    new_code,
    normalize_code,
)
from portal.training.services.courses import (
    COURSE_FIELDS,
    NO_PLEDGE,
    course_menus,
    course_rows,
    course_with_sessions,
    save_course,
    save_session,
    sponsor_from_pledge,
)
from portal.training.services.eligibility import (
    check_eligible,
    household_of,
    rule_text,
)
from portal.training.services.feedback import (
    feedback_of,
    feedback_summary,
    give_feedback,
    may_give_feedback,
)
from portal.training.services.messages import (
    queue_message,
)
from portal.training.services.places import (
    Applicant,
    applicant_by_phone,
    applicant_for_person,
    applicant_for_user,
    cancel,
    sign_up,
)
from portal.training.services.reminders import (
    new_client_id,
    queue_reminders,
)
from portal.training.services.reports import (
    export_xlsx,
    report_per_area,
    report_per_course,
    report_per_level,
    reports_page,
)

__all__ = [
    "AlreadySignedUp",
    "Applicant",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "COURSE_FIELDS",
    "Mark",
    "NO_PLEDGE",
    "NotEligible",
    "TrainingError",
    "applicant_by_phone",
    "applicant_for_person",
    "applicant_for_user",
    "cancel",
    "certificate",
    "check_eligible",
    "complete",
    "course_menus",
    "course_rows",
    "course_with_sessions",
    "courses_from_pledges",
    "export_xlsx",
    "feedback_of",
    "feedback_summary",
    "give_feedback",
    "household_of",
    "may_give_feedback",
    "may_teach",
    "new_client_id",
    "new_code",
    "normalize_code",
    "participants",
    "session_lists",
    "session_with_lists",
    "place_of",
    "places_in_course",
    "places_of",
    "published_course",
    "published_course_with_places",
    "published_courses",
    "queue_message",
    "queue_reminders",
    "record_marks",
    "report_per_area",
    "report_per_course",
    "report_per_level",
    "reports_page",
    "rule_text",
    "save_course",
    "save_session",
    "session_open",
    "sign_up",
    "sponsor_from_pledge",
    "trainer_sessions",
    "upcoming_sessions",
    "upcoming_with_places",
    "waitlist",
    "waitlist_position",
]
