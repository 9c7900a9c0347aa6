"""The head of the staff household page (crumbs, heading, need and aid tags, the facts
and, for editors, the action links), written by a plain function (household_body calls
it first): Jinja spent some 170 Python calls on it (an attribute look-up,
an escape or a test for every value). The markup is the template's was, byte for byte
with its whitespace (tests/test_registry_household_head.py): every value written
through the escape Jinja used (portal.templating.fast_escape), the heading as `_()`
formatted it (Markup % the name), the addresses from the page's own `url_for`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from markupsafe import Markup

from portal.i18n import catalogue
from portal.templating import fast_escape as esc


def household_head(
    household,
    head,
    t,
    labels: tuple[Mapping, Mapping],
    can_edit: bool,
    url_for: Callable[..., str],
) -> Markup:
    """From the crumbs to the action links: `household` (household_rows.PlainHousehold),
    `head` its head or None, `t` the page's texts (page_texts.household_texts),
    `labels` the registry's translated need levels and aid types."""
    need_levels, aid_types = labels
    hid = household.id
    if head:
        heading = Markup(catalogue().ugettext("Household of %(name)s")) % {"name": head.name}  # noqa: S704
    else:
        heading = Markup(catalogue().ugettext("Household %(id)d")) % {"id": hid}  # noqa: S704
    level = household.need_level
    tags = "".join(
        f'<span class="tag">{esc(aid_types[key])}</span>' for key in household.aid_type_list
    )
    address = esc(household.address)
    if household.dusun:
        address = f"{address}, {esc(household.dusun)}"
    national = (
        f"<dt>{t.national_data_id}</dt><dd>{esc(household.national_id)}</dd>"
        if household.national_id
        else ""
    )
    out = [
        f'<p class="crumbs"><a href="{esc(url_for("manage.dashboard"))}">{t.staff_area}</a> › '
        f'<a href="{esc(url_for("registry.index"))}">{t.recipient_registry}</a></p>\n'
        f"<h1>{heading}</h1>\n"
        f'<p><span class="tag tag-level-{esc(level)}">{esc(need_levels[level])}</span>\n'
        f"{tags}</p>\n"
        f'<p class="meta">{t.audit_note}</p>\n\n'
        '<dl class="facts">\n'
        f"  <dt>{t.kk_number}</dt><dd>{esc(household.kk_number or t.not_recorded)}</dd>\n"
        f"  <dt>{t.address}</dt><dd>{address}</dd>\n"
        f"  <dt>{t.rt_rw}</dt><dd>{esc(household.rt_rw)}</dd>\n"
        f"  <dt>{t.desil}</dt><dd>{esc(household.desil or t.not_known)}</dd>\n"
        f"{national}  <dt>{t.household_number}</dt><dd>{esc(hid)}</dd>\n"
        "</dl>\n"
    ]
    if household.notes:
        out.append(f"<p>{esc(household.notes)}</p>")
    if can_edit:
        links = (
            ("registry.edit_household", t.edit_household),
            ("registry.add_person", t.add_member),
            ("registry.add_enrolment", t.add_enrolment),
            ("change_requests_manage.choose_kind", t.change_requests),
        )
        out.append('<p class="actions">\n')
        for endpoint, text in links:
            url = esc(url_for(endpoint, household_id=hid))
            out.append(f'  <a class="button" href="{url}">{text}</a>\n')
        out.append("</p>\n")
    return Markup("".join(out))  # noqa: S704 (see the module: every value escaped above)
