"""Rules for the templates themselves: htmx attributes, machine-readable times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from portal.i18n import machine_time

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_machine_time_is_utc_with_z_and_milliseconds():
    # A naive time is a stored one (SQLite keeps UTC without a zone).
    assert machine_time(datetime(2026, 11, 29, 3, 6, 15, 120958)) == "2026-11-29T03:06:15.120Z"
    wib = timezone(timedelta(hours=7))
    assert machine_time(datetime(2026, 11, 29, 10, 6, 15, tzinfo=wib)) == (
        "2026-11-29T03:06:15.000Z"
    )
    assert machine_time(datetime(2026, 11, 29, 3, 6, tzinfo=UTC)) == "2026-11-29T03:06:00.000Z"
    assert machine_time(date(2026, 11, 29)) == "2026-11-29"
    assert machine_time(None) == ""


def test_every_datetime_attribute_goes_through_machine_time():
    found = []
    for path in _templates():
        for value in re.findall(r'datetime="([^"]*)"', path.read_text()):
            found.append(value)
            assert "|machine_time" in value, (path, value)
    assert found


def test_htmx_attributes_are_data_hx():
    """HTML has no hx-* attributes; htmx reads data-hx-* as well."""
    used = 0
    for path in _templates():
        text = path.read_text()
        assert not re.search(r"(?<![\w-])hx-[a-z-]+=", text), path
        used += len(re.findall(r"\bdata-hx-[a-z-]+=", text))
    assert used > 10


def test_the_csrf_header_for_htmx_is_on_body(app, client, login_as):
    login_as("operator")
    page = client.get("/staf/").get_data(as_text=True)
    match = re.search(r"<body data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", page)
    assert match, page[:800]
