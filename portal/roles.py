"""Roles, and the capabilities that group them: the one place a role name is grouped.

Views name who may enter with `@roles_required(*EDITORS)` and the like; templates ask
`can("edit")`, never a role name, so that who may do what is decided here alone.
"""

from __future__ import annotations

RESIDENT, PARTNER, TRAINER = "resident", "partner", "trainer"
OPERATOR, ADMIN, AUDITOR = "operator", "admin", "auditor"
OFFICER = "officer"
ROLES = (RESIDENT, PARTNER, TRAINER, OPERATOR, ADMIN, AUDITOR, OFFICER)

# Staff: the village office (operator, admin) and the village head and BPD (auditor).
STAFF_ROLES = (OPERATOR, ADMIN, AUDITOR)
# Accounts that pass the staff second factor and are never remembered: the staff and
# the distribution officers (who see full names and NIK digits at the point).
SECOND_FACTOR_ROLES = (*STAFF_ROLES, OFFICER)
EDITORS = (OPERATOR, ADMIN)  # change records
READERS = STAFF_ROLES  # read the staff area
ADMINS = (ADMIN,)  # accounts, company verification, deletions
OVERSEERS = (ADMIN, AUDITOR)  # approve lists, complaints naming staff, deletion requests
TRAINERS = (TRAINER, OPERATOR, ADMIN)  # mark attendance and completion
# Record handovers at a distribution point: officers; operators and admins may act as one.
OFFICERS = (OFFICER, OPERATOR, ADMIN)
RESIDENTS = (RESIDENT,)
PARTNERS = (PARTNER,)

CAPABILITIES: dict[str, tuple[str, ...]] = {
    "edit": EDITORS,
    "read": READERS,
    "administer": ADMINS,
    "oversee": OVERSEERS,
    "teach": TRAINERS,
    "hand_over": OFFICERS,
    "take_part": RESIDENTS,  # vote, propose, answer surveys, take course places, verify
}


def can(user, capability: str) -> bool:
    """Whether a (possibly anonymous) user has the capability; an unknown name is a bug."""
    allowed = CAPABILITIES[capability]
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "role", None) in allowed
