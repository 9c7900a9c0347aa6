"""A needs survey's questions as a form (the survey page and the page answered with an
invitation's code), written by a plain function: the macro it was
(_macros/participation.html's survey_form) spent some forty Python calls a choice and a
hundred a question through Jinja. The markup is the macro's, byte for byte
(tests/test_participation_survey_html.py keeps the macro's text and compares, in both
languages): values escaped as Jinja escaped them, catalogue texts as `_()` gave them."""

from __future__ import annotations

from markupsafe import Markup

from portal.csrf_tokens import generate_csrf
from portal.i18n import catalogue, current_lang, localized
from portal.text import escape_value as _e


def _question(q, number: int, given: list, err, lang: str, optional: str) -> str:
    """One question's <div class="field">: its choices, or its text box."""
    text = localized(q, "text", lang)
    lang_attr = ' lang="id"' if text.fallback else ""
    heading = f"{number}. {_e(text)}{optional if not q.required else ''}"
    described = f' aria-describedby="q{q.id}-error"' if err else ""
    out = [f'    <div class="field{" has-error" if err else ""}">\n']
    if q.kind in ("single", "multiple"):
        kind = "radio" if q.kind == "single" else "checkbox"
        out.append(f"      <fieldset{described}>\n        <legend{lang_attr}>{heading}</legend>\n")
        for index, choice in enumerate(q.choice_list(lang)):
            checked = " checked" if str(index) in given else ""
            out.append(
                f'        <label class="pt-option"><input type="{kind}" name="q{q.id}" '
                f'value="{index}"{checked}> {_e(choice)}</label>\n'
            )
        out.append("      </fieldset>\n")
    else:
        if q.kind == "number":
            box = 'type="text" inputmode="numeric"'
        else:
            box = 'type="text" maxlength="500"'
        value = _e(given[0]) if given else ""
        invalid = f' aria-invalid="true"{described}' if err else ""
        out.append(
            f'      <label for="q{q.id}"{lang_attr}>{heading}</label>\n'
            f'      <input id="q{q.id}" name="q{q.id}" {box} value="{value}"{invalid}>\n'
        )
    if err:
        out.append(f'<p class="error" id="q{q.id}-error">{_e(err)}</p>')
    out.append("    </div>\n")
    return "".join(out)


def survey_form_html(survey, action: str, errors: dict, raw: dict, hidden=None) -> Markup:
    """What survey_form(survey, action, errors, raw, hidden) wrote: `errors` and `raw`
    (the typed values) per question id, `hidden` fields sent along (name -> value)."""
    t = catalogue().ugettext
    lang = current_lang()
    optional = f' <span class="meta">({t("optional")})</span>'
    out = [
        f'  <form method="post" action="{_e(action)}" novalidate class="editor">\n'
        f'    <input type="hidden" name="csrf_token" value="{_e(generate_csrf())}">\n'
    ]
    for name, value in (hidden or {}).items():
        out.append(f'<input type="hidden" name="{_e(name)}" value="{_e(value)}">\n')
    for number, q in enumerate(survey.questions, 1):
        out.append(_question(q, number, raw.get(q.id, []), errors.get(q.id), lang, optional))
    out.append(f'    <button type="submit">{t("Send my answers")}</button>\n  </form>\n')
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
