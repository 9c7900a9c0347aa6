"""Rules of the CSR pledge board. Views and tests call these; none touches `request`.

Every change is one transaction with its audit entry. Status changes and deliveries
run inside `write_transaction` (BEGIN IMMEDIATE on SQLite) and lock the rows they
count (SELECT ... FOR UPDATE on PostgreSQL); a delivery moves the pledge's running sum
with a conditional UPDATE that cannot pass the pledged amount, and a CHECK constraint
refuses it should anything else try.

One module per process (common, public_board, needs, companies, pledges, deliveries,
open_data); this package re-exports what views, the demo and tests call.
"""

from __future__ import annotations

from portal.csr.services.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CONFIRMED,
    COUNTED,
    DELIVERABLE,
    DELIVERY_STEPS,
    MAX_AMOUNT,
    OWNER,
    TRANSITIONS,
    CsrError,
    NotAllowed,
    new_code,
    normalize_code,
)
from portal.csr.services.companies import (
    company_for_user,
    company_pledges_and_totals,
    company_pledges_page,
    company_summary,
    company_totals,
    count_companies,
    email_taken,
    list_companies,
    overview_counts,
    public_company,
    register_company,
    reject_company,
    set_logo,
    verify_company,
)
from portal.csr.services.deliveries import (
    own_pledge,
    pledge_history,
    record_delivery,
    staff_pledges,
    status_counts,
)
from portal.csr.services.needs import (
    NEED_FIELDS,
    OPTIONAL_TEXTS,
    list_needs,
    need_titles,
    save_need,
    set_need_published,
)
from portal.csr.services.open_data import (
    DELIVERY_COLUMNS,
    PLEDGE_COLUMNS,
    export_deliveries,
    export_pledges,
    find_receipt,
    recent_events,
)
from portal.csr.services.pledges import (
    accept_offer,
    allowed_steps,
    change_status,
    make_offer,
    make_pledge,
)
from portal.csr.services.public_board import (
    BOARD_PAGE_SIZE,
    PARTNER_PAGE_SIZE,
    BoardPage,
    Progress,
    board,
    open_needs,
    progress_both,
    progress_for,
    progress_of,
    public_pledges_for_need,
    published_need,
    totals,
)

__all__ = [
    "BOARD_PAGE_SIZE",
    "BoardPage",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CONFIRMED",
    "COUNTED",
    "CsrError",
    "DELIVERABLE",
    "DELIVERY_COLUMNS",
    "DELIVERY_STEPS",
    "MAX_AMOUNT",
    "NEED_FIELDS",
    "NotAllowed",
    "OPTIONAL_TEXTS",
    "OWNER",
    "PARTNER_PAGE_SIZE",
    "PLEDGE_COLUMNS",
    "Progress",
    "TRANSITIONS",
    "accept_offer",
    "allowed_steps",
    "board",
    "change_status",
    "company_for_user",
    "company_pledges_and_totals",
    "company_pledges_page",
    "company_summary",
    "company_totals",
    "email_taken",
    "export_deliveries",
    "export_pledges",
    "find_receipt",
    "count_companies",
    "overview_counts",
    "list_companies",
    "list_needs",
    "need_titles",
    "make_offer",
    "make_pledge",
    "new_code",
    "normalize_code",
    "open_needs",
    "own_pledge",
    "pledge_history",
    "progress_both",
    "progress_for",
    "progress_of",
    "public_company",
    "public_pledges_for_need",
    "published_need",
    "recent_events",
    "record_delivery",
    "register_company",
    "reject_company",
    "save_need",
    "set_logo",
    "set_need_published",
    "staff_pledges",
    "status_counts",
    "totals",
    "verify_company",
]
