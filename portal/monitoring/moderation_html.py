"""The comment moderation page's lists (/staf/pemantauan/komentar,
monitoring/manage/comments.html) written by plain functions: each visible comment with
its form to hide it (for an editor), each hidden one with its button to show it again.
Jinja spent some five hundred Python calls a comment on them, most in building a
HideForm for each and writing its field. A form the view gives (one posted back with an
error) is written by the form itself; a blank one is its field's markup as form_field
wrote it for a HideForm of this prefix, kept per worker and language with a marker in
place of the prefix (the form's only part that changes from comment to comment), and
the CSRF input its token field writes. The markup is the template's was, byte for byte
(tests/test_monitoring_moderation_html.py keeps the old template and compares, in both
languages): values are escaped as Jinja escaped them; catalogue texts are left as
Jinja's `_()` left them (not escaped)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app
from flask_wtf import csrf as wtf_csrf
from markupsafe import Markup

from portal.forms import form_field
from portal.i18n import catalogue, current_lang, day
from portal.text import escape_text as _esc

_MARK = "cPREFIXMARK"  # a HideForm's prefix when its field's markup is kept
_kept: dict[str, list[str]] = {}  # language -> the field's markup cut at each prefix


def _blank_field(hide_form: Callable, comment_id: int, lang: str) -> str:
    """form_field of a blank HideForm's reason for the comment `comment_id`."""
    parts = _kept.get(lang)
    if parts is None:
        parts = str(form_field(hide_form(_MARK[1:]).reason)).split(f"{_MARK}-")
        if len(parts) != 4:  # for=, id= and name=: anything else is written afresh
            return str(form_field(hide_form(comment_id).reason))
        _kept[lang] = parts
    return f"c{comment_id}-".join(parts)


def moderation_lists(
    items: Iterable,
    hidden: Iterable,
    forms: dict,
    may_edit: bool,
    hide_form: Callable,
    url_for: Callable[..., str],
) -> Markup:
    """The visible comments (`items`, the most reported first) with a form to hide each
    for an editor (`forms`: those posted back, by comment id; `hide_form(id)` makes a
    blank one), "No comment to moderate." without any; then the hidden ones (`hidden`)
    under their heading, with a button to show each again."""
    ugettext = catalogue().ugettext
    lang = current_lang()
    token = _esc(wtf_csrf.generate_csrf()) if may_edit else ""
    # A HideForm's CSRF input; none with CSRF off (the form then has no such field).
    blank_token = current_app.config.get("WTF_CSRF_ENABLED", True)
    reports, hide = ugettext("Reports: %(n)s"), ugettext("Hide")
    out = []
    for c in items:
        activity = _esc(url_for("monitoring.activity", activity_id=c.activity_id))
        out.append(
            '<article class="pt-comment">\n'
            f'  <p class="meta"><a href="{activity}#comments">{_esc(c.author_label)} · '
            f"{_esc(day(c.created_at))}</a> · {reports % {'n': c.flags_count}}</p>\n"
            f"  <p>{_esc(c.body)}</p>\n"
        )
        if may_edit:
            form = forms.get(c.id)
            if form is not None:
                csrf, field = getattr(form, "csrf_token", ""), form_field(form.reason)
            else:
                csrf = ""
                if blank_token:
                    csrf = f'<input name="c{c.id}-csrf_token" type="hidden" value="{token}">'
                field = _blank_field(hide_form, c.id, lang)
            action = _esc(url_for("monitoring_comments.hide", comment_id=c.id))
            out.append(
                f'  <form method="post" action="{action}" novalidate class="editor">\n'
                f"    {csrf}\n"
                f"    {field}\n"
                f'    <button type="submit">{hide}</button>\n'
                "  </form>\n"
            )
        out.append("</article>\n")
    if not out:
        out.append(f"<p>{ugettext('No comment to moderate.')}</p>\n")
    out.append(_hidden(hidden, may_edit, token, url_for))
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped)


def _hidden(hidden: Iterable, may_edit: bool, token: str, url_for: Callable[..., str]) -> str:
    ugettext = catalogue().ugettext
    out = []
    for c in hidden:
        if not out:
            out.append(f'<h2 id="hidden-h">{ugettext("Hidden comments")}</h2>\n')
        when = ugettext("hidden %(day)s") % {"day": _esc(day(c.hidden_at))}
        # As Markup's % wrote a reason: escaped, "None" for none.
        reason = ugettext("Reason: %(reason)s") % {"reason": _esc(str(c.hidden_reason))}
        activity = _esc(url_for("monitoring.activity", activity_id=c.activity_id))
        out.append(
            '<article class="pt-comment">\n'
            f'  <p class="meta"><a href="{activity}#comments">{_esc(c.author_label)} · '
            f"{_esc(day(c.created_at))}</a> · {when}</p>\n"
            f"  <p>{_esc(c.body)}</p>\n"
            f'  <p class="meta">{reason}</p>\n'
        )
        if may_edit:
            action = _esc(url_for("monitoring_comments.unhide", comment_id=c.id))
            out.append(
                f'  <form method="post" action="{action}">\n'
                f'    <input type="hidden" name="csrf_token" value="{token}">\n'
                f'    <button type="submit" class="secondary">{ugettext("Show again")}</button>\n'
                "  </form>\n"
            )
        out.append("</article>\n")
    return "".join(out)
