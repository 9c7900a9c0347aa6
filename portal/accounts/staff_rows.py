"""The rows of the admin's list of accounts (/staf/pengguna), written by a plain function
(the page calls it as `staff_rows`): each row holds up to four forms and a menu of roles,
where Jinja spent some 400 Python calls a row (the URLs, the CSRF token and the words
looked up again on each). The markup is the template's was, byte for byte: stored
values are escaped as Jinja did, the words from our catalogue left as Jinja's _() left
them."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from flask import url_for
from markupsafe import Markup

from portal.i18n import catalogue
from portal.text import escape_text

_BUTTON = '          <button type="submit" class="small secondary">'


def _stem(endpoint: str) -> str:
    """The endpoint's URL for account number "{}" (the URLs hold the number between
    slashes, /staf/pengguna/<id>/...)."""
    return url_for(endpoint, user_id=0).replace("/0/", "/{}/")


def staff_rows(
    staff: Iterable,
    left: Mapping[int, int],
    paused: Collection[int],
    me: int,
    role_labels: Mapping[str, object],
    csrf: str,
) -> Markup:
    """<tr>s of the accounts `staff` (User), with their recovery codes `left`, the ones
    whose login is `paused`, and the forms for every account but `me` (its number)."""
    cat = catalogue()
    t = cat.ugettext
    # The labels are our catalogue's (LazyText: Jinja wrote them as they are).
    labels = {key: str(label) for key, label in role_labels.items()}
    token = escape_text(csrf)
    hidden = f'          <input type="hidden" name="csrf_token" value="{token}">\n'
    form = '        <form class="inline" method="post" action="'
    role_form = f'{form}{_stem("accounts.change_account_role")}">\n{hidden}'
    active_form = f'{form}{_stem("accounts.set_account_active")}">\n{hidden}'
    unlock_form = (
        f'{form}{_stem("accounts.unlock_second_factor")}">\n{hidden}'
        f"{_BUTTON}{t('Unlock')}</button>\n        </form>\n"
    )
    reset_form = (
        f'{form}{_stem("accounts.reset_second_factor")}">\n{hidden}'
        f"{_BUTTON}{t('Reset second step')}</button>\n        </form>\n"
    )
    role_word, change_role = t("Role"), t("Change role")
    switch_off = (
        f'          <input type="hidden" name="active" value="0">\n'
        f"{_BUTTON}{t('Switch off')}</button>\n"
    )
    switch_on = (
        f'          <input type="hidden" name="active" value="1">\n'
        f"{_BUTTON}{t('Switch on')}</button>\n"
    )
    active, switched_off = t("Active"), f"<strong>{t('Switched off')}</strong>"
    paused_note = f"· <strong>{t('Login paused after wrong passwords')}</strong>"
    on, locked, not_set = t("On"), f"· <strong>{t('Locked')}</strong>", t("Not set up yet")
    out = []
    for p in staff:
        pid = p.id
        is_paused = pid in paused
        if not p.is_staff:
            second = "          –\n"
        elif p.has_second_factor:
            codes = cat.ungettext(
                "%(num)d recovery code left", "%(num)d recovery codes left", left[pid]
            ) % {"num": left[pid]}
            second = f"          {on} · {codes}\n{locked if p.totp_locked_at else ''}"
        else:
            second = f"          {not_set}\n"
        actions = ""
        if pid != me:
            options = "".join(
                f'            <option value="{key}"{" selected" if key == p.role else ""}>'
                f"{label}</option>\n"
                for key, label in labels.items()
            )
            actions = (
                f"{role_form.replace('{}', str(pid))}"
                f'          <label class="visually-hidden" for="role-{pid}">{role_word}</label>\n'
                f'          <select id="role-{pid}" name="role">\n{options}          </select>\n'
                f"{_BUTTON}{change_role}</button>\n        </form>\n"
                f"{active_form.replace('{}', str(pid))}"
                f"{switch_off if p.active else switch_on}        </form>\n"
            )
            if p.totp_locked_at or is_paused:
                actions += unlock_form.replace("{}", str(pid))
            if p.is_staff and (p.has_second_factor or p.totp_secret):
                actions += reset_form.replace("{}", str(pid))
        username = p.username or p.email or ""
        out.append(
            f'    <tr id="account-{pid}">\n      <td>{escape_text(p.name)}</td>\n'
            f"      <td>{escape_text(username)}</td>\n"
            f"      <td>{labels.get(p.role) or escape_text(p.role)}</td>\n"
            f"      <td>{active if p.active else switched_off}"
            f"{paused_note if is_paused else ''}</td>\n"
            f"      <td>\n{second}      </td>\n      <td>\n{actions}      </td>\n    </tr>\n"
        )
    return Markup("".join(out))  # noqa: S704  (see the module: values escaped above)
