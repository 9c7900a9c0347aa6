"""Rules of procurement, one module per process (common, suppliers, prices, purchases,
deliveries, returns, packaging, public, targets), re-exported here for views, the demo and tests.

Every write is one transaction with its audit entry (`write_transaction`); an accepted
delivery's stock line joins it through distribution's `add_received`.
"""

from __future__ import annotations

from portal.procurement.services.common import (
    DEFAULTS,
    ProcurementError,
    line_amount,
    parse_quantity,
    stored_path,
    upload_limit,
)
from portal.procurement.services.deliveries import deliveries_of, record_delivery
from portal.procurement.services.packaging import add_packed_batch, packed_batches
from portal.procurement.services.prices import (
    reference_price,
    reference_prices,
    set_reference_price,
    too_dear,
)
from portal.procurement.services.public import (
    DATA_COLUMNS,
    OWN_BAG,
    Summary,
    counted_total,
    data_rows,
    round_ids,
    round_listed,
    summary,
    years,
)
from portal.procurement.services.purchases import (
    add_line,
    add_quote,
    correct_purchase,
    create_purchase,
    flagged_purchases,
    list_purchases,
    order_purchase,
    quotes_needed,
    remove_line,
    required_method,
    start_purchase,
    superseded_ids,
)
from portal.procurement.services.returns import return_goods
from portal.procurement.services.suppliers import (
    course_choices,
    course_titles,
    decide_supplier,
    list_suppliers,
    save_supplier,
    verified_suppliers,
)
from portal.procurement.services.targets import (
    OPEN_ROUNDS,
    RoundRow,
    need_title,
    needs,
    round_items,
    round_points,
    round_row,
    round_rows,
    rounds,
)

__all__ = [
    "return_goods",
    "DATA_COLUMNS",
    "DEFAULTS",
    "OPEN_ROUNDS",
    "OWN_BAG",
    "ProcurementError",
    "RoundRow",
    "Summary",
    "add_line",
    "add_packed_batch",
    "add_quote",
    "correct_purchase",
    "counted_total",
    "course_choices",
    "course_titles",
    "create_purchase",
    "data_rows",
    "decide_supplier",
    "deliveries_of",
    "flagged_purchases",
    "line_amount",
    "list_purchases",
    "list_suppliers",
    "need_title",
    "needs",
    "order_purchase",
    "packed_batches",
    "parse_quantity",
    "quotes_needed",
    "record_delivery",
    "reference_price",
    "reference_prices",
    "remove_line",
    "required_method",
    "round_ids",
    "round_listed",
    "round_items",
    "round_points",
    "round_row",
    "round_rows",
    "rounds",
    "save_supplier",
    "set_reference_price",
    "start_purchase",
    "stored_path",
    "summary",
    "superseded_ids",
    "too_dear",
    "upload_limit",
    "verified_suppliers",
    "years",
]
