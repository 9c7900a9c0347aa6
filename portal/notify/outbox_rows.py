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
from portal.text import escape_str, escape_text


def outbox_rows(
    messages: Iterable, channels: Mapping[str, str], retry_stem: str | None, csrf_field: str
) -> Markup:
    """<tr>s of `messages` (outbox.recent's rows), channels named from `channels`; with
    `retry_stem` (an editor: the retry URL with "{}" for the message's number) a failed
    message has a form to try again, with `csrf_field` (the form's CSRF field's markup). The
    stored texts are never NULL (str). Each status's tag and each channel's name written
    once, a row in one f-string."""
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
    messages = list(messages)
    tags = {
        status: status_tag_html("notify.message", status) for status in {m[6] for m in messages}
    }
    names = {key: escape_text(str(name)) for key, name in channels.items()}
    return Markup(  # noqa: S704  (see the module: values escaped above)
        "".join(
            [
                f"  <tr>\n    <td>{escape_str(to)}</td><td>{names[channel]}</td>\n"
                f"    <td><strong>{escape_str(subject)}</strong><br>{escape_str(body)}"
                + (f'<br><span class="error">{escape_str(error)}</span>' if error else "")
                + f"</td>\n    <td>{tags[status]}\n"
                + (retry.replace("{}", str(id_)) if retry and status == "failed" else "")
                + f'</td>\n    <td class="num">{attempts}</td><td class="nowrap">'
                f"{escape_str(_when(created, pattern, lang, zone))}</td>\n  </tr>\n"
                for id_, to, channel, subject, body, error, status, attempts, created in messages
            ]
        )
    )


_HEADS = ("To", "Channel", "Message", "Status")


def outbox_list(
    messages: list, channels: Mapping[str, str], editor: bool, csrf_field: str, url_for
) -> Markup:
    """The outbox page after its status links: an editor's button to send the due
    messages now, and the messages' table (outbox_rows, an editor's retry forms with
    `csrf_field`) in its scrolling region, or "Nothing here yet."."""
    ugettext = catalogue().ugettext
    out = []
    if editor:
        send = escape_text(url_for("notify_manage.outbox_send"))
        out.append(
            f'<form method="post" action="{send}">{csrf_field}<button type="submit">'
            f"{ugettext('Send due messages now')}</button></form>\n"
        )
    if not messages:
        out.append(f"<p>{ugettext('Nothing here yet.')}</p>\n")
        return Markup("".join(out))  # noqa: S704  (catalogue texts and our own URL)
    retry_stem = None
    if editor:
        retry_stem = url_for("notify_manage.outbox_retry", message_id=0).replace("/0/", "/{}/")
    outbox = ugettext("Outbox")
    heads = "".join(f'<th scope="col">{ugettext(head)}</th>' for head in _HEADS)
    out.append(
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{outbox}">\n<table>\n'
        f'  <caption class="visually-hidden">{outbox}</caption>\n'
        f'  <thead><tr>{heads}<th scope="col" class="num">{ugettext("Attempts")}</th>'
        f'<th scope="col">{ugettext("Created")}</th></tr></thead>\n'
        f"  <tbody>\n{outbox_rows(messages, channels, retry_stem, csrf_field)}  </tbody>\n"
        "</table>\n\n</div>"
    )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
