"""Staff pages of the notify service under /staf/kabar: broadcasts (write, preview,
send, approve, report), the outbox of every feature, subscribers and consents, and the
posters and flyers."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.phones import mask_phone
from portal.extensions import db
from portal.filecache import render_slot
from portal.form_html import BlankForm, fields_html
from portal.forms import EmptyForm, TokenOnly
from portal.i18n import current_lang
from portal.kept_fields import kept_fields_html, note_fields
from portal.notify import hooks, outbox, posters, printed
from portal.notify.consent_rows import consent_rows
from portal.notify.forms import BroadcastForm, SubscriptionForm
from portal.notify.models import (
    CHANNELS,
    CONSENT_ACTIONS,
    CONSENT_WAYS,
    OUTBOX_STATUSES,
    TOPICS,
    Broadcast,
)
from portal.notify.outbox_rows import outbox_list
from portal.notify.services import NotifyError, broadcasts, subscriptions
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("notify_manage", __name__, url_prefix="/staf/kabar")


def mask_address(address: str | None) -> str:
    """A subscriber's phone (+62812****7890) or e-mail address (s***@example.org)."""
    if address and "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(address)


# The labels per language, translated once per worker (the catalogues do not change
# while it runs), not on every page nor on every row that shows one (the subscribers
# page names a topic, an action and a way on each of up to 100 rows).
_LABELS: dict[str, dict] = {}


@bp.context_processor
def _labels() -> dict:
    lang = current_lang()
    found = _LABELS.get(lang)
    if found is None:
        found = _LABELS[lang] = {
            "notify_topics": _translated(TOPICS),
            "notify_channels": _translated(CHANNELS),
            "consent_ways": _translated(CONSENT_WAYS),
            "consent_actions": _translated(CONSENT_ACTIONS),
            "mask_phone": mask_address,
        }
    return found


def _translated(labels: dict) -> dict[str, str]:
    return {key: str(label) for key, label in labels.items()}


@bp.route("/")
@roles_required(*READERS)
def index():
    return render_template(
        "notify/manage/index.html",
        broadcasts=broadcasts.latest(),
        counts={"channels": subscriptions.channel_counts()},
    )


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new():
    options = broadcasts.audience_options()
    if request.method == "GET":
        # The blank form's fields written into their kept markup, the audiences as the
        # menu's options, without building the form (portal.kept_fields); the first GET
        # of a worker (and of a language) builds it, which keeps the markup.
        kept = kept_fields_html(BroadcastForm, None, {}, menus={"audience": options})
        if kept is not None:
            return render_template(
                "notify/manage/new.html", form=BlankForm(BroadcastForm), fields=kept
            )
    form = BroadcastForm()
    form.set_audiences(options)
    if request.method == "GET":
        note_fields(form)
    if form.validate_on_submit():
        kind, ref = form.audience_values()
        fields = {name: form[name].data for name in broadcasts.FIELDS}
        try:
            broadcast = broadcasts.create(current_user, audience=kind, audience_ref=ref, **fields)
        except NotifyError as error:
            show_error(form, error, fallback="title")
        else:
            return redirect(url_for("notify_manage.broadcast", broadcast_id=broadcast.id))
    status = 400 if form is not None and form.errors else 200
    # fields_html writes what form_field wrote of each field, and keeps its markup.
    return render_template("notify/manage/new.html", form=form, fields=fields_html(form)), status


def _broadcast(broadcast_id: int) -> Broadcast:
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None:
        abort(404)
    return broadcast


@bp.route("/<int:broadcast_id>")
@roles_required(*READERS)
def broadcast(broadcast_id: int):
    # The broadcast and its delivery report: one statement.
    found = broadcasts.with_report(broadcast_id)
    if found is None:
        abort(404)
    item, report = found
    return render_template(
        "notify/manage/broadcast.html",
        broadcast=item,
        audience=broadcasts.describe(item),
        preview=broadcasts.preview(item) if item.status in ("draft", "waiting") else None,
        report=report,
        printed=printed.households(item) if _has_households(item) else None,
        samples={
            "sms": broadcasts.compose(item, "sms", "id", 0)[1],
            "whatsapp": broadcasts.compose(item, "whatsapp", "id", 0)[1],
        },
        approval_above=broadcasts.approval_above(),
        form=EmptyForm(),
    )


def _has_households(item: Broadcast) -> bool:
    provider = hooks.audiences().get(item.audience)
    return provider is not None and provider.households is not None


@bp.route("/<int:broadcast_id>/daftar-cetak.pdf")
@roles_required(*READERS)
def printed_list(broadcast_id: int):
    """The printed list of the households no phone reaches (staff only: masked names)."""
    item = _broadcast(broadcast_id)
    if not _has_households(item):
        abort(404)
    with render_slot():
        pdf = printed.render(item, printed.households(item))
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="printed-list-{item.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _act(broadcast_id: int, action, done: str):
    _broadcast(broadcast_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = action(broadcast_id, current_user)
    except NotifyError as error:
        flash(str(error.message), "error")
    else:
        flash(done % {"count": result or 0}, "success")
    return redirect(url_for("notify_manage.broadcast", broadcast_id=broadcast_id))


@bp.route("/<int:broadcast_id>/kirim", methods=["POST"])
@roles_required(*EDITORS)
def send(broadcast_id: int):
    return _act(broadcast_id, broadcasts.send, _("Done: %(count)d messages queued."))


@bp.route("/<int:broadcast_id>/setujui", methods=["POST"])
@roles_required(*EDITORS)
def approve(broadcast_id: int):
    return _act(broadcast_id, broadcasts.approve, _("Approved: %(count)d messages queued."))


@bp.route("/<int:broadcast_id>/batal", methods=["POST"])
@roles_required(*EDITORS)
def cancel(broadcast_id: int):
    return _act(broadcast_id, broadcasts.cancel, _("The broadcast is cancelled."))


# --- the outbox of every feature -----------------------------------------------------------


@bp.route("/kotak-keluar")
@roles_required(*READERS)
def outbox_page():
    status = request.args.get("status") or None
    if status is not None and status not in OUTBOX_STATUSES:
        abort(404)
    return render_template(
        "notify/manage/outbox.html",
        messages=outbox.recent(200, status),
        status=status,
        statuses=OUTBOX_STATUSES,
        form=TokenOnly(),  # only its CSRF input: the page's forms
        outbox_list=outbox_list,
    )


@bp.route("/kotak-keluar/kirim", methods=["POST"])
@roles_required(*EDITORS)
def outbox_send():
    if not EmptyForm().validate_on_submit():
        abort(400)
    counts = outbox.send_due()
    flash(_("Sent: %(sent)d, failed: %(failed)d.", **counts), "info")
    return redirect(url_for("notify_manage.outbox_page"))


@bp.route("/kotak-keluar/<int:message_id>/ulang", methods=["POST"])
@roles_required(*EDITORS)
def outbox_retry(message_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if outbox.retry(message_id):
        flash(_("The message is queued again."), "success")
    return redirect(url_for("notify_manage.outbox_page"))


# --- subscribers ---------------------------------------------------------------------------


@bp.route("/pelanggan", methods=["GET", "POST"])
@roles_required(*READERS)
def subscribers():
    # A GET's form is blank (kept per worker by the template): built only for a POST.
    form = None
    if request.method == "POST":
        form = SubscriptionForm()
        if current_user.role not in EDITORS:
            abort(403)
        if form.validate_on_submit():
            try:
                choices = subscriptions.check_choices(**form.choices_data())
                subscriptions.subscribe_at_office(
                    current_user, form.phone.data, choices, email_text=form.email.data
                )
            except NotifyError as error:
                show_error(form, error, fallback="phone")
            else:
                flash(_("The consent is recorded and the subscription is active."), "success")
                return redirect(url_for("notify_manage.subscribers"))
    status = 400 if form is not None and form.errors else 200
    # The latest consents and the counts by topic: one statement.
    consents, topic_counts = subscriptions.consents_and_topic_counts()
    return render_template(
        "notify/manage/subscribers.html",
        form=form,
        blank_form=SubscriptionForm,
        counts={"topics": topic_counts},
        consents=_consent_rows(consents),
        consent_rows=consent_rows,
    ), status


def _consent_rows(consents) -> list[tuple]:
    """The latest consents as the page shows them: (at, masked phone, what, how, topics),
    the labels translated and the topics named once a page."""
    # The labels translated once per worker and language (`_labels`), not per page.
    labels = _labels()
    topics, actions, ways = (
        labels["notify_topics"],
        labels["consent_actions"],
        labels["consent_ways"],
    )
    named: dict[str, str] = {}
    rows = []
    for at, action, how, chosen, phone in consents:
        text = named.get(chosen)
        if text is None:
            text = named[chosen] = ", ".join(topics.get(t, t) for t in chosen.split())
        rows.append((at, mask_address(phone), actions[action], ways[how], text))
    return rows


# --- posters and flyers --------------------------------------------------------------------


@bp.route("/poster")
@roles_required(*READERS)
def poster_index():
    providers = hooks.posters()
    return render_template(
        "notify/manage/posters.html", providers=providers, choices=hooks.choices_of(providers)
    )


@bp.route("/poster/<kind>/<int:item_id>/<size>.pdf")
@roles_required(*READERS)
def poster(kind: str, item_id: int, size: str):
    provider = hooks.posters().get(kind)
    if provider is None or size not in posters.SIZES:
        abort(404)
    content = provider.content(item_id)
    if content is None:
        abort(404)
    with render_slot():
        pdf = posters.render(content, size)
    response = current_app.response_class(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{kind}-{item_id}-{size}.pdf"'
    return response


def register(app) -> None:
    """The notify blueprints, its CLI, and the account notices it sends."""
    from portal.notify.cli import cli
    from portal.notify.views import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    outbox.register_account_notices()
