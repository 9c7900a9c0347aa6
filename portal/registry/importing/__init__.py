"""Importing the village roster and aid lists from the spreadsheets villages hold, and
exporting filtered lists.

The pieces, in the order a file goes through them:

- `readers`: refuse what is not a spreadsheet (by content, not by name) or too large,
  and stream the rows of .xlsx, .xls and .csv files;
- `layouts`: recognise the layout from the header row (SIAK, OpenSID residents,
  OpenSID aid participants, OpenSID poor households, national welfare data) and turn
  each row into a canonical record with its errors (row rejected) and warnings (kept);
- `values`: the small parsers behind that (Excel serial dates, RT/RW, codes);
- `row_reading`: walk a sheet's data rows; the readers of aid-list, poor-household and
  welfare rows (the person rows' reader is in `layouts`);
- `planner` (a package: `common`, `lookups`, `people_plan`, `participants_plan`,
  `households_plan`, `applying`): compare the records with the registry (NIK, KK
  number) and decide, row by row, what would be created, changed or left alone; then
  write it in bulk;
- `services`: the import batch (upload kept between preview and confirmation, one
  transaction on confirmation, audit entries); `batch_files` (where a batch's files
  live), `outcomes` (the preview's pages, the rejected rows as a file);
- `export`: a filtered list of households or people as .xlsx or .csv.

Canonical forms: RT and RW are integers (8.0, "008" and "'8" are all 8; the registry
shows them zero-padded as 008); dates are `datetime.date`; sex, relation, marital and
civil status use the registry's vocabulary (`portal.registry.models`).
"""
