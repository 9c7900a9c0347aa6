"""The outbox page's rows (/staf/kabar/kotak-keluar), written by a plain function (the
template calls it as `outbox_rows`): up to 200 messages of six cells, where Jinja spent
some 70 Python calls a row. The markup is the template's was, byte for byte: stored
values are escaped as Jinja did, the status tags are status_tags' markup."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask_babel import get_timezone
from markupsafe import Markup

from portal.i18n import DATETIME_PATTERNS, _when, catalogue, current_lang
from portal.status_tags import status_tag_html
from portal.text import escape_text


def outbox_rows(
    messages: Iterable, channels: Mapping[str, str], retry_stem: str | None, csrf_field: str
) -> Markup:
    """<tr>s of `messages` (outbox.recent's rows), channels named from `channels`; with
    `retry_stem` (an editor: the retry URL with "{}" for the message's number) a failed
    message has a form to try again, with `csrf_field` (the form's CSRF field's markup). The
    stored texts are never NULL (str)."""
    tags: dict[str, Markup] = {}
    retry = ""
    if retry_stem:
        retry = (
            f'<form method="post" action="{retry_stem}" class="inline">{csrf_field}'
            f'<button type="submit" class="link">{catalogue().ugettext("Try again")}</button>'
            "</form>"
        )
    # when(created) with the language, pattern and time zone found once, not per message.
    lang, zone = current_lang(), get_timezone()
    pattern = DATETIME_PATTERNS.get(lang, "medium")
    out = []
    for id_, recipient, channel, subject, body, last_error, status, attempts, created in messages:
        tag = tags.get(status)
        if tag is None:
            tag = tags[status] = status_tag_html("notify.message", status)
        error = ""
        if last_error:
            error = f'<br><span class="error">{escape_text(last_error)}</span>'
        form = retry.replace("{}", str(id_)) if retry and status == "failed" else ""
        out.append(
            f"  <tr>\n    <td>{escape_text(recipient)}</td>"
            f"<td>{escape_text(channels[channel])}</td>\n"
            f"    <td><strong>{escape_text(subject)}</strong>"
            f"<br>{escape_text(body)}"
            f"{error}</td>\n"
            f"    <td>{tag}\n{form}</td>\n"
            f'    <td class="num">{attempts}</td><td class="nowrap">'
            f"{escape_text(_when(created, pattern, lang, zone))}</td>\n  </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
