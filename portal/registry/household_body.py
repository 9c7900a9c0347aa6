"""The staff household page's content (its `content` block), written by one plain
function (the template calls it as `household_body`) from the parts' writers:
household_head, household_warnings, member_rows, score_section, criteria_facts,
enrolment_rows and household_history. Called one by one from the template, the parts
cost Jinja some 180 Python calls a page around them (a call, the arguments' look-ups,
the tables' kept frames and regions); here the markup between them, and the frames of
the members and enrolments tables (fixed texts: page_texts.household_texts), are
written in. Byte for byte the template's was (tests/test_registry_household_body.py
renders the old template's block beside it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from markupsafe import Markup

from portal.registry.household_head import household_head
from portal.registry.household_sections import (
    enrolment_rows,
    household_history,
    household_warnings,
)
from portal.registry.member_rows import ROWS_MARK, member_rows
from portal.registry.result_rows import criteria_facts
from portal.registry.score_section import score_section


def _region(label, table: str) -> str:
    """portal.templating.scroll_table's markup around `table` (its label our text)."""
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{label}">\n{table}\n</div>'
    )


def _members_frame(t, can_edit: bool) -> str:
    """The members table in its region, ROWS_MARK where its rows go."""
    actions = f'<th scope="col">{t.head_actions}</th>' if can_edit else ""
    table = (
        "<table>\n"
        f'  <caption class="visually-hidden">{t.members}</caption>\n'
        "  <thead><tr>\n"
        f'    <th scope="col">{t.head_name}</th><th scope="col">{t.head_nik}</th>\n'
        f'    <th scope="col">{t.head_born}</th><th scope="col">{t.head_relation}</th>\n'
        f'    <th scope="col">{t.head_status}</th><th scope="col">{t.head_details}</th>\n'
        f"{actions}  </tr></thead>\n"
        "  <tbody>\n"
        f"{ROWS_MARK}  </tbody>\n"
        "</table>\n"
    )
    return _region(t.members, table)


def _enrolments_table(t, can_edit: bool, rows: str) -> str:
    actions = f'<th scope="col">{t.head_actions}</th>' if can_edit else ""
    table = (
        "<table>\n"
        f'  <caption class="visually-hidden">{t.enrolments}</caption>\n'
        f'  <thead><tr><th scope="col">{t.head_programme}</th><th scope="col">{t.head_for}'
        f'</th><th scope="col">{t.head_period}</th>{actions}</tr></thead>\n'
        f"  <tbody>\n{rows}  </tbody>\n"
        "</table>\n"
    )
    return _region(t.enrolments, table)


def household_body(
    record,
    head,
    t,
    labels: Mapping[str, Mapping],
    can_edit: bool,
    today: date,
    button,
    url_for: Callable[..., str],
) -> Markup:
    """The page's content: `record` a household_page.HouseholdRecord, `head` its
    household's head or None, `t` the page's texts, `labels` the registry's translated
    tables (views._translated_labels), `button` what gives the End buttons' CSRF input
    (forms.TokenOnly), `url_for` the page's own."""
    household = record.household
    hid = household.id
    need_levels, aid_types = labels["need_levels"], labels["aid_types"]
    out = [
        household_head(household, head, t, (need_levels, aid_types), can_edit, url_for),
        "\n",
        household_warnings(
            record.warnings, hid, t, (labels["civil_statuses"], aid_types), can_edit, url_for
        ),
        f'\n<section><h2 id="members-title">{t.members}</h2>\n',
    ]
    members = [p for p in household.members if p.merged_into_id is None]
    if members:
        urls = None
        if can_edit:
            urls = (
                url_for("registry.edit_person", person_id=0),
                url_for("registry.move_person", person_id=0),
            )
        tables = (labels["sexes"], labels["relations"], labels["civil_statuses"])
        out.append(member_rows(_members_frame(t, can_edit), members, tables, today, urls))
    else:
        out.append(f"<p>{t.no_members}</p>\n")
    out.append('</section>\n\n<section aria-labelledby="score-title">\n')
    out.append(score_section(record.assessment, t, need_levels, aid_types))
    yes, no, unknown = t.answer_yes, t.answer_no, t.not_surveyed
    out.append(f'<h3>{t.the_14_bps_criteria}</h3>\n<dl class="facts criteria">\n')
    out.append(criteria_facts(household.criteria, labels["bps_criteria"], yes, no, unknown))
    out.append(f'</dl>\n</section>\n\n<section><h2 id="enrolments-title">{t.enrolments}</h2>\n')
    enrolments = record.enrolments
    if enrolments["village"] or enrolments["national"]:
        csrf = button.csrf_token if can_edit else None
        programmes = (aid_types, labels["national_programmes"])
        rows = enrolment_rows(enrolments, programmes, t, today, csrf, url_for)
        out.append(_enrolments_table(t, can_edit, rows))
    else:
        out.append(f"<p>{t.not_enrolled}</p>\n")
    out.append("</section>\n\n")
    reasons = (labels["kk_reasons"], labels["membership_reasons"])
    out.append(household_history(record.kk_history, record.history, reasons, t, hid, url_for))
    out.append("\n")
    return Markup("".join(out))  # noqa: S704 (the parts' markup, escaped by their writers)
