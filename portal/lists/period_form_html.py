"""The period form's fields (manage/period_form.html's `period_fields`) written by one
plain function: each field by portal/form_html.py's `field_html`, the need levels'
boxes by `checkbox_list`, around the rules' fieldset, without a Jinja call, an
attribute look-up and an escape for each of the fifteen fields. The markup is the
macro's was, byte for byte (tests/test_lists_form_html.py keeps the macro and
compares, in both languages, with and without errors)."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.form_html import field_html
from portal.i18n import catalogue
from portal.lists.checkboxes import checkbox_list

_BEFORE = ("title_id", "title_en", "starts_on", "ends_on", "budget", "amount")
_BENEFIT = ("benefit_id", "benefit_en")
_RULES = (
    "rule_max_desil",
    "rule_min_members",
    "rule_composition",
    "rule_aid_fit",
    "rule_not_covered",
)


def period_fields(form) -> Markup:
    """The period form's fields after the programme's menu (a PeriodForm)."""
    levels = form.rule_need_levels
    out = [f"  {field_html(form, getattr(form, name))}\n" for name in _BEFORE + _BENEFIT]
    error = ""
    if levels.errors:
        error = f'<p class="error">{" ".join([str(escape(e)) for e in levels.errors])}</p>'
    legend = catalogue().ugettext("The programme's rules for the draft list")
    out.append(
        f"  <fieldset>\n    <legend>{legend}</legend>\n"
        f'    <div class="field{" has-error" if levels.errors else ""}">\n'
        f"      <p>{escape(levels.label.text)}</p>\n"
        f"      {checkbox_list(levels, 'plain')}\n{error}    </div>\n"
    )
    out += [f"    {field_html(form, getattr(form, name))}\n" for name in _RULES]
    out.append(f"  </fieldset>\n  {field_html(form, form.objection_days)}\n")
    return Markup("".join(out))  # noqa: S704  (markup of field_html, checkbox_list; escaped)
