"""Parts of a proposal's page (/partisipasi/usulan/<id>) written by plain functions,
without building its WTForms forms on every view: the head (title, facts, description,
meeting), the support box (also the htmx answer to a support), the Report form's blank
reason field (form_field()'s markup, made once per worker and language: nothing of a
person or a request in it) and the comment section (portal/comment_html.py, the shared
macro's markup) where the page has no refused comment to show again. Building the two
forms and writing the rest through Jinja cost some 1,000 Python calls a view. Values
are escaped as Jinja escaped them, catalogue texts left as `_()` left them.
tests/test_participation_proposal_html.py compares the page's old markup with these in
both languages."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markupsafe import Markup

from portal.comment_html import comment_section_html
from portal.csrf_tokens import generate_csrf
from portal.forms import form_field
from portal.i18n import catalogue, current_lang, day, localized, when
from portal.participation.forms import CommentForm, FlagForm
from portal.participation.models import PROPOSAL_CATEGORIES
from portal.text import escape_value as _e
from portal.text import render_markdown

# Per language: the Report form's blank reason field.
_BLANK_REASON: dict[str, str] = {}


def flag_reason_field() -> Markup:
    """form_field(FlagForm().reason) of a form with nothing typed in it."""
    lang = current_lang()
    found = _BLANK_REASON.get(lang)
    if found is None:
        form = FlagForm(formdata=None, meta={"csrf": False})
        found = _BLANK_REASON[lang] = str(form_field(form.reason))
    return Markup(found)  # noqa: S704  (form_field's markup)


def proposal_comments(
    comments: Iterable, can_act: bool, proposal_id: int, url_for: Callable[..., str]
) -> Markup:
    """What the macro comment_section(comments, can_act, CommentForm(), ...) wrote on a
    proposal's page; `url_for` is the template's."""
    flag_stem = url_for("participation.flag_comment", target_id=0).replace("/0/", "/{}/")
    action = url_for("participation.comment", proposal_id=proposal_id)
    return comment_section_html(comments, can_act, CommentForm, action, flag_stem)


def proposal_head(proposal, url_for: Callable[..., str]) -> Markup:
    """A shown proposal's title, its category, RT/RW, author and day, its description
    and the meeting whose agenda holds it (what proposal.html's Jinja wrote)."""
    t = catalogue().ugettext
    where = ""
    if proposal.rt:
        where = f" · RT {_e(proposal.rt)}" + (f"/RW {_e(proposal.rw)}" if proposal.rw else "")
    by = t("by %(name)s") % {"name": _e(proposal.author_label)}
    out = [
        f"<h1>{_e(proposal.title)}</h1>\n"
        f'<p class="meta">{_e(PROPOSAL_CATEGORIES[proposal.category])}{where} · {by} · '
        f"{_e(day(proposal.created_at))}</p>\n"
        f'<div class="prose">{render_markdown(proposal.description)}</div>\n'
    ]
    meeting = proposal.meeting
    if meeting:
        href = url_for("public.meeting", meeting_id=meeting.id)
        out.append(
            f'<p class="notice notice-success">{t("On the agenda of:")} <a href="{_e(href)}">'
            f"{_e(localized(meeting, 'title'))}</a>, {_e(when(meeting.starts_at))}</p>\n"
        )
    return Markup("".join(out))  # noqa: S704  (values escaped above)


def support_box(
    proposal, threshold: int, can_act: bool, supported: bool, error, url_for: Callable[..., str]
) -> Markup:
    """The support box (participation/_support.html wrote it): the supports so far and
    how many the agenda needs, the Support button or "you support it" for one who may
    act, and `error` (a refused support's message) above them."""
    found = catalogue()
    t = found.ugettext
    count = proposal.supports_count
    supports = found.ungettext("%(num)d support", "%(num)d supports", count) % {"num": count}
    needed = t("%(num)d needed for the meeting agenda") % {"num": threshold}
    out = ['<div id="support-box" class="pt-support">\n']
    if error:
        out.append(f'<p class="notice notice-error" role="alert">{_e(error)}</p>')
    out.append(f"  <p><strong>{supports}</strong> · {needed}</p>\n")
    if can_act:
        if supported:
            out.append(f'    <p class="tag tag-ok">{t("You support this proposal.")}</p>\n')
        else:
            action = _e(url_for("participation.support", proposal_id=proposal.id))
            out.append(
                f'    <form method="post" action="{action}" data-hx-post="{action}" '
                'data-hx-target="#support-box" data-hx-swap="outerHTML">\n'
                '      <input type="hidden" name="csrf_token" '
                f'value="{_e(generate_csrf())}">\n'
                f'      <button type="submit">{t("Support")}</button>\n'
                "    </form>\n"
            )
    out.append("</div>")
    return Markup("".join(out))  # noqa: S704  (values escaped above)
