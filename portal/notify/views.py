"""Public pages of the notify service: subscribing with a code, a subscriber's own page
(from the link in every message) with its STOP button, the gateway's reply webhook, and
the short link of a broadcast.

No page shows a phone number or a name: the own page is found by an unguessable token
and shows only the topics; it is never cached (`no-store`).
"""

from __future__ import annotations

import hmac

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import csrf, db, limiter
from portal.forms import EmptyForm
from portal.notify.forms import CodeForm, SubscriptionForm
from portal.notify.models import TOPICS, Broadcast, Subscriber
from portal.notify.services import NotifyError, link_token, subscriber_id_of, subscriptions
from portal.security import csrf_after_limits, public
from portal.service_errors import show_error

bp = Blueprint("notify", __name__)

PENDING = "notify_pending"


def _subscribe_limit() -> str:
    return current_app.config.get("NOTIFY_SUBSCRIBE_LIMIT", "5 per hour;20 per day")


def _code_limit() -> str:
    return current_app.config.get("NOTIFY_CODE_LIMIT", "10 per hour;30 per day")


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/kabar/langganan", methods=["GET", "POST"])
@limiter.limit(_subscribe_limit, methods=["POST"])
@public
@csrf_after_limits
def subscribe():
    form = SubscriptionForm()
    if form.validate_on_submit():
        user = current_user if current_user.is_authenticated else None
        try:
            choices = subscriptions.check_choices(**form.choices_data())
            subscriber_id = subscriptions.start(
                form.phone.data, choices, user=user, email_text=form.email.data
            )
        except NotifyError as error:
            show_error(form, error, fallback="phone")
        else:
            # The choices wait in the signed session cookie until the code comes back.
            session[PENDING] = {"id": subscriber_id, **choices}
            return redirect(url_for("notify.confirm"))
    status = 400 if form.errors else 200
    return render_template("notify/subscribe.html", form=form, topics=TOPICS), status


@bp.route("/kabar/langganan/kode", methods=["GET", "POST"])
@limiter.limit(_code_limit, methods=["POST"])
@public
@csrf_after_limits
def confirm():
    pending = session.get(PENDING)
    if not pending:
        return redirect(url_for("notify.subscribe"))
    form = CodeForm()
    if form.validate_on_submit():
        user = current_user if current_user.is_authenticated else None
        try:
            subscriber = subscriptions.confirm(pending["id"], form.code.data, pending, user=user)
        except NotifyError as error:
            show_error(form, error, fallback="code")
        else:
            session.pop(PENDING, None)
            flash(_("You are subscribed. Keep this page's address to stop at any time."), "success")
            return redirect(url_for("notify.own", token=link_token(subscriber.id)))
    status = 400 if form.errors else 200
    return _private(
        current_app.make_response((render_template("notify/confirm.html", form=form), status))
    )


def _subscriber(token: str) -> Subscriber:
    subscriber_id = subscriber_id_of(token)
    subscriber = db.session.get(Subscriber, subscriber_id) if subscriber_id else None
    if subscriber is None:
        abort(404)
    return subscriber


@bp.route("/kabar/langganan/<token>")
@public
def own(token: str):
    subscriber = _subscriber(token)
    return _private(
        current_app.make_response(
            render_template(
                "notify/own.html",
                subscriber=subscriber,
                chosen=subscriptions.topics_of(subscriber.id),
                topics=TOPICS,
                token=token,
                form=EmptyForm(),
            )
        )
    )


@bp.route("/kabar/langganan/<token>/berhenti", methods=["POST"])
@public
def stop(token: str):
    subscriber = _subscriber(token)
    if not EmptyForm().validate_on_submit():
        abort(400)
    subscriptions.stop(subscriber.id, "link")
    flash(_("Stopped. You will receive no more messages from the village portal."), "success")
    return redirect(url_for("notify.own", token=token))


@bp.route("/kabar/balasan", methods=["POST"])
@public
@csrf.exempt
def gateway_reply():
    """The SMS/WhatsApp gateway posts replies here: {"from": phone, "text": "STOP"},
    authenticated by the shared secret NOTIFY_WEBHOOK_SECRET as a Bearer token (no
    secret set: the route does not exist)."""
    secret = current_app.config.get("NOTIFY_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), secret.encode()):
        abort(403)
    data = request.get_json(silent=True) or request.form
    stopped = subscriptions.reply_received(str(data.get("from", "")), str(data.get("text", "")))
    return jsonify({"stopped": stopped})


@bp.route("/k/<int:broadcast_id>")
@public
def short_link(broadcast_id: int):
    """A broadcast's short link: to the page it names (a path on this site only)."""
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status != "queued" or not broadcast.link:
        abort(404)
    return redirect(broadcast.link)
