"""Change requests: residents ask the village office to correct their own household's
record (a birth, a death, a move, a new KK number or address, the household's
situation), with documents; staff accept (the registry changes through its services)
or refuse with a reason. One module per process; this package re-exports what views,
the demo and tests call."""

from __future__ import annotations

from portal.registry.change_requests.services.deciding import accept, refuse
from portal.registry.change_requests.services.filing import (
    ChangeRequestError,
    aid_concerns,
    check_details,
    file_request,
    household_account,
    living_members,
    open_count,
    resident_household,
    resident_household_with_members,
)
from portal.registry.change_requests.services.reports import (
    SMALLEST_SHOWN,
    Month,
    household_request_rows,
    household_requests,
    monthly,
    resident_request,
    staff_list,
    staff_request,
)
from portal.uploads import UploadError

__all__ = [
    "UploadError",
    "SMALLEST_SHOWN",
    "ChangeRequestError",
    "Month",
    "accept",
    "aid_concerns",
    "check_details",
    "file_request",
    "household_account",
    "household_request_rows",
    "household_requests",
    "living_members",
    "monthly",
    "open_count",
    "refuse",
    "resident_household",
    "resident_household_with_members",
    "resident_request",
    "staff_list",
    "staff_request",
]
