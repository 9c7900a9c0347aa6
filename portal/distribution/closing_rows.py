"""The closing page's table of entitlements not collected (ledger/closing.html), written
by a plain function (`not_collected_table`): the Jinja loop spent some hundred Python
calls a row. The markup is the template's, byte for byte (tests/test_distribution_rows.py
compares): RT/RW, collector, the registry's flags and the cancel form (or "carried
over"), each value escaped as Jinja escaped it."""

from __future__ import annotations

from markupsafe import Markup, escape

from portal.i18n import catalogue
from portal.text import escape_text


def _text(value) -> str:
    return escape_text(str(value))


def not_collected_table(
    left, may_edit: bool, cancel_errors: dict, round_id: int, token: str, flag_labels, url_for
) -> Markup:
    """The region, table and rows of `left` (services.NotCollected). `token` is the CSRF
    token, `url_for` the template's."""
    ugettext = catalogue().ugettext
    # What the template's _() gave: our catalogue's text, as Markup (not escaped again).
    nobody, carried = ugettext("Nobody"), ugettext("Carried over")
    reason_label, cancel_label = ugettext("Reason for cancelling"), ugettext("Cancel")
    token = _text(token)
    flags = {key: _text(label) for key, label in flag_labels.items()}
    action = str(escape(url_for("distribution_ledger.cancel", round_id=round_id, entitlement_id=0)))
    stem = action[:-1] if action.endswith("/0") else None
    out = [
        '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="not-collected">\n'
        f'<table>\n  <thead><tr><th scope="col">{ugettext("RT/RW")}</th>'
        f'<th scope="col">{ugettext("Collector")}</th><th scope="col">{ugettext("Registry")}</th>'
        f'<th scope="col">{ugettext("Action")}</th></tr></thead>\n  <tbody>\n'
    ]
    for row in left:
        tags = "".join(f'<span class="tag tag-warn">{flags[flag]}</span> ' for flag in row.flags)
        rw = row.rw or "-"
        collector = _text(row.collector_name) if row.collector_name else nobody
        out.append(
            f"    <tr>\n      <td>{_text(row.rt)}/{_text(rw)}</td>\n"
            f"      <td>{collector}</td>\n      <td>{tags}</td>\n      <td>\n"
        )
        if row.followed:
            out.append(f"{carried}\n")
        elif may_edit:
            error = cancel_errors.get(row.id)
            action = f"{stem}{int(row.id)}" if stem is not None else None
            if action is None:
                action = escape(
                    url_for("distribution_ledger.cancel", round_id=round_id, entitlement_id=row.id)
                )
            out.append(_cancel_form(int(row.id), error, action, token, reason_label, cancel_label))
        out.append("      </td>\n    </tr>\n")
    out.append("  </tbody>\n</table>\n\n</div>")
    return Markup("".join(out))  # noqa: S704 (every value escaped above)


def _cancel_form(eid: int, error, action: str, token: str, reason: str, cancel: str) -> str:
    """A row's cancel form: the reason's field (with the error, if any) and the button."""
    invalid = message = ""
    if error:
        invalid = f' aria-invalid="true" aria-describedby="reason-{eid}-error"'
        message = f'<p class="error" id="reason-{eid}-error">{escape(error)}</p>'
    return (
        f'        <form method="post" action="{action}" novalidate>\n'
        f'          <input type="hidden" name="csrf_token" value="{token}">\n'
        f'          <div class="field{" has-error" if error else ""}">\n'
        f'            <label for="reason-{eid}">{reason}</label>\n'
        f'            <input type="text" id="reason-{eid}" name="reason" maxlength="1000"'
        f"{invalid}>\n"
        f"{message}          </div>\n"
        f'          <button type="submit" class="secondary">{cancel}</button>\n'
        "        </form>\n"
    )
