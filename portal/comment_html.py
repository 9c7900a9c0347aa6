"""A comment section (an activity's public page, a proposal's), written by a plain
function where the page has no comment form of the request's to show again: the shared
macro (_macros/comments.html's comment_section) made a WTForms comment form on every
page and wrote it, the comments and their Report buttons through Jinja. The markup is
the macro's, byte for byte (tests/test_monitoring_comment_html.py and
tests/test_participation_proposal_html.py hold them together in both languages): the
blank comment field is form_field()'s, made once per worker, form class and language
(nothing of a person or a request in it), the CSRF token the session's."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.forms import _attribute_value, form_field
from portal.i18n import catalogue, current_lang, day
from portal.text import escape_text

# Per form class and language: the blank comment field (form_field's markup).
_BLANK_FIELD: dict[tuple, str] = {}


def _blank_field(form_class) -> str:
    key = (form_class, current_lang())
    found = _BLANK_FIELD.get(key)
    if found is None:
        form = form_class(formdata=None, meta={"csrf": False})
        found = _BLANK_FIELD[key] = str(form_field(form.body))
    return found


def comment_section_html(
    comments: Iterable, can_act: bool, form_class, comment_action: str, flag_stem: str
) -> Markup:
    """What comment_section(comments, can_act, form_class(formdata=None), comment_action,
    ...) writes: `flag_stem` is a comment's Report address with "{}" for its id."""
    ugettext = catalogue().ugettext
    token = _attribute_value(generate_csrf()) if can_act else ""
    out = [
        '<section id="comments" aria-labelledby="comments-heading">\n'
        f'<h2 id="comments-heading">{ugettext("Comments")}</h2>\n'
    ]
    shown = 0
    for c in comments:
        shown += 1
        out.append('<article class="pt-comment">\n')
        if c.is_hidden:
            reason = escape_text(str(c.hidden_reason))
            hidden = ugettext("Hidden by an operator: %(reason)s").replace("%%", "%")
            out.append(f'  <p class="meta">{hidden.replace("%(reason)s", reason)}</p>\n')
        else:
            author = escape_text(str(c.author_label))
            out.append(
                f'  <p class="meta">{author} · {escape_text(day(c.created_at))}</p>\n'
                f"  <p>{escape_text(str(c.body))}</p>\n"
            )
            if can_act:
                by = ugettext("comment by %(name)s").replace("%%", "%")
                out.append(
                    '  <form method="post" class="inline" action="'
                    f'{escape_text(flag_stem.replace("{}", str(c.id)))}">\n'
                    f'    <input type="hidden" name="csrf_token" value="{token}">\n'
                    f'    <button type="submit" class="link">{ugettext("Report")}'
                    '<span class="visually-hidden"> '
                    f"{by.replace('%(name)s', author)}</span></button>\n  </form>\n"
                )
        out.append("</article>\n")
    if not shown:
        out.append(f"<p>{ugettext('No comment yet.')}</p>\n")
    if can_act:
        out.append(
            f'<form method="post" action="{escape_text(comment_action)}" novalidate'
            ' class="editor">\n'
            f'  <input name="csrf_token" type="hidden" value="{token}">\n'
            f"  {_blank_field(form_class)}\n"
            f'  <button type="submit">{ugettext("Add comment")}</button>\n</form>\n'
        )
    out.append("</section>\n")
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
