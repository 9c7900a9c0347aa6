"""What the public status page of a complaint (/pengaduan/<code>) reads: the complaint's
date, category and status and its public steps, as plain rows in one statement (the
page shows only these: no ORM object, none of the complaint's sealed personal fields
unsealed), and the page's content written by a plain function."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from markupsafe import Markup
from sqlalchemy import and_, bindparam, select

from portal.complaints.models import CATEGORIES, STEP_KINDS, Complaint, ComplaintStep
from portal.complaints.services import code_hash, format_code, normalise_code
from portal.database import read
from portal.extensions import db
from portal.i18n import catalogue, when
from portal.status_tags import status_tag_html
from portal.text import escape_value as _e


def find_with_public_steps(text: str | None) -> tuple[str, Any, list] | None:
    """The status page's complaint with this tracking code: the code in canonical form,
    the complaint as a plain row (created_at, category, status) and the steps the
    complainant sees as plain rows (at, kind, body; everything but internal notes,
    oldest first), in one statement; None for any wrong or malformed code. Plain rows:
    the page shows only these, not the complaint's sealed personal fields."""
    code = normalise_code(text)
    if code is None:
        return None
    rows = read(db.session, _with_public_steps_statement(), {"code_hash": code_hash(code)})
    found = None
    steps = []
    for *complaint, at, kind, body in rows:
        found = complaint
        if at is not None:
            steps.append(PublicStep(at, kind, body))
    return None if found is None else (code, PublicComplaint(*found), steps)


class PublicComplaint(NamedTuple):
    created_at: datetime
    category: str
    status: str


class PublicStep(NamedTuple):
    at: datetime
    kind: str
    body: str | None


@cache  # built once per process (with its cache key); the code's hash bound
def _with_public_steps_statement():
    public = and_(ComplaintStep.complaint_id == Complaint.id, ComplaintStep.public.is_(True))
    return (
        select(
            Complaint.created_at,
            Complaint.category,
            Complaint.status,
            ComplaintStep.at,
            ComplaintStep.kind,
            ComplaintStep.body,
        )
        .outerjoin(ComplaintStep, public)
        .where(Complaint.code_hash == bindparam("code_hash"))
        .order_by(ComplaintStep.at, ComplaintStep.id)
    )


def status_body(code: str, complaint, steps: list, url_for: Callable[..., str]) -> Markup:
    """The status page's content block (complaints/status.html called it as Jinja): the
    code, date, category and status, the public steps and what comes next. The markup
    is the template's was, byte for byte (tests/test_complaints_status_page.py keeps the
    old template text and compares, in both languages): values escaped as Jinja escaped
    them, catalogue texts and labels as `_()` and the lazy labels gave them."""
    t = catalogue().ugettext
    out = [
        f'<p class="crumbs"><a href="{_e(url_for("complaints.new"))}">{t("Complaints")}</a></p>\n'
        f"<h1>{t('Your complaint')}</h1>\n"
        '<dl class="facts">\n'
        f'  <dt>{t("Tracking code")}</dt><dd class="nowrap">{_e(format_code(code))}</dd>\n'
        f"  <dt>{t('Filed on')}</dt><dd>{_e(when(complaint.created_at))}</dd>\n"
        f"  <dt>{t('Category')}</dt><dd>{_e(CATEGORIES[complaint.category])}</dd>\n"
        f"  <dt>{t('Status')}</dt><dd>{status_tag_html('complaint', complaint.status)}</dd>\n"
        "</dl>\n"
        f"<h2>{t('What happened so far')}</h2>\n"
        '<ol class="complaint-steps">\n'
    ]
    for s in steps:
        body = f'<div class="prose">{_e(s.body)}</div>' if s.body else ""
        out.append(
            "  <li>\n"
            f'    <span class="nowrap">{_e(when(s.at))}</span>: '
            f"<strong>{_e(STEP_KINDS[s.kind])}</strong>\n{body}  </li>\n"
        )
    if complaint.status == "closed":
        closed = t(
            "This complaint is closed. If you are not satisfied, you may file a new "
            "complaint and mention this code."
        )
        out.append(f"</ol>\n<p>{closed}</p>\n")
    else:
        hint = t(
            "The village office answers within 3 days. Come back to this page to read the answer."
        )
        out.append(f'</ol>\n<p class="hint">{hint}</p>\n')
    return Markup("".join(out))  # noqa: S704  (see the docstring: values escaped above)
