"""Residents' change requests to their own household's record (issue 19): models,
forms, services (filing, deciding, documents, messages, reports), the hook the
features answer (`hooks.py`), the resident's pages (`views.py`, /warga/perubahan) and
the staff pages (`manage.py`, /staf/perubahan)."""
