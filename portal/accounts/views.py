"""Login and logout, the staff second step (TOTP or a recovery code), and its upkeep."""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from portal.accounts import second_factor as twofa
from portal.accounts import services, staff_session
from portal.accounts.forms import EmptyForm, EnrolForm, LoginForm, SecondFactorForm
from portal.accounts.models import ROLES, STAFF_ROLES, User
from portal.extensions import db, limiter
from portal.security import is_safe_next, public, roles_required

bp = Blueprint("accounts", __name__)
bp.before_app_request(staff_session.enforce_idle_timeout)

ROLE_LABELS = {
    "operator": _l("Operator"),
    "admin": _l("Administrator"),
    "auditor": _l("Auditor"),
}


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _second_factor_limit() -> str:
    return current_app.config["RATELIMIT_SECOND_FACTOR"]


def _account_key() -> str:
    # Per account, not per address: someone who has the password cannot get more
    # guesses at the code by changing networks.
    if current_user.is_authenticated:
        return f"account:{current_user.id}"
    return get_remote_address()


# One budget shared by the second step and the enrolment confirmation.
_code_limit = limiter.shared_limit(
    _second_factor_limit, scope="second-factor", key_func=_account_key, methods=["POST"]
)


def _landing(user) -> str:
    if user.is_staff:
        return url_for("manage.dashboard")
    return url_for("public.home")


def _issuer() -> str:
    return f"Portal Bansos {current_app.config['VILLAGE_NAME']}"


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The name or password is not right."))
        else:
            # Nothing from an earlier login in this browser may count for this one.
            staff_session.forget()
            login_user(user, remember=form.remember.data)
            target = form.next.data
            if user.is_staff:
                # Half logged in: staff pages open only after the second step.
                staff_session.mark_seen()
                return redirect(
                    url_for("accounts.second_factor", next=staff_session.safe_next(target))
                )
            return redirect(target if is_safe_next(target) else _landing(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
@roles_required(*ROLES, second_factor=False)
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        services.end_sessions(current_user._get_current_object())
        logout_user()
        staff_session.forget()
        flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/masuk/kode", methods=["GET", "POST"])
@_code_limit
@roles_required(*STAFF_ROLES, second_factor=False)
def second_factor():
    user = current_user._get_current_object()
    target = staff_session.safe_next(request.values.get("next"))
    if staff_session.is_verified(user):
        return render_template("accounts/second_factor_done.html", target=target or _landing(user))
    if not user.has_second_factor:
        return redirect(url_for("accounts.enrol", next=target))
    form = SecondFactorForm()
    if request.method == "GET":
        form.next.data = target or ""
    if form.validate_on_submit():
        how = twofa.verify(user, form.code.data)
        if how is not None:
            staff_session.mark_verified(user)
            if how == "recovery":
                left = twofa.recovery_codes_left(user)
                flash(
                    ngettext(
                        "You used a recovery code; it cannot be used again. "
                        "%(num)d recovery code is left.",
                        "You used a recovery code; it cannot be used again. "
                        "%(num)d recovery codes are left.",
                        left,
                    ),
                    "warning",
                )
            return redirect(staff_session.safe_next(form.next.data) or _landing(user))
        form.code.errors.append(
            _(
                "This code is not right or was already used. Type the code your app shows "
                "now, or an unused recovery code."
            )
        )
    return render_template("accounts/second_factor.html", form=form)


@bp.route("/masuk/kode/pasang", methods=["GET", "POST"])
@_code_limit
@roles_required(*STAFF_ROLES, second_factor=False)
def enrol():
    user = current_user._get_current_object()
    target = staff_session.safe_next(request.values.get("next"))
    if user.has_second_factor:
        return redirect(url_for("accounts.second_factor", next=target))
    secret = twofa.start_enrolment(user)
    db.session.commit()
    form = EnrolForm()
    if request.method == "GET":
        form.next.data = target or ""
    if form.validate_on_submit():
        codes = twofa.confirm_enrolment(user, form.code.data)
        if codes is not None:
            staff_session.mark_verified(user)
            return render_template(
                "accounts/recovery_codes.html",
                codes=codes,
                target=staff_session.safe_next(form.next.data) or _landing(user),
            )
        form.code.errors.append(
            _(
                "This code is not right. Check that the app shows the account you just "
                "added, and type the code it shows now."
            )
        )
    return render_template(
        "accounts/enrol.html",
        form=form,
        secret=secret,
        grouped_secret=twofa.grouped_secret(secret),
        issuer=_issuer(),
        account=user.username or user.email or user.phone,
    )


@bp.route("/masuk/kode/pasang/qr.png")
@roles_required(*STAFF_ROLES, second_factor=False)
def enrol_qr():
    user = current_user._get_current_object()
    if user.has_second_factor or not user.totp_secret:
        abort(404)
    response = make_response(twofa.qr_png(twofa.provisioning_uri(user, _issuer())))
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staf/keamanan", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def security():
    """The staff member's own second factor: how many recovery codes are left, new ones."""
    user = current_user._get_current_object()
    form = EmptyForm()
    if user.has_second_factor and form.validate_on_submit():
        codes = twofa.regenerate_recovery_codes(user)
        return render_template(
            "accounts/recovery_codes.html", codes=codes, target=url_for("accounts.security")
        )
    return render_template(
        "accounts/security.html", form=form, left=twofa.recovery_codes_left(user), user=user
    )


@bp.route("/staf/pengguna")
@roles_required("admin")
def staff_list():
    """Staff accounts and their second factor, with a reset button for each."""
    staff = twofa.staff_accounts()
    return render_template(
        "accounts/staff_list.html",
        staff=staff,
        left={u.id: twofa.recovery_codes_left(u) for u in staff},
        role_labels=ROLE_LABELS,
    )


@bp.route("/staf/pengguna/<int:user_id>/reset-kode", methods=["POST"])
@roles_required("admin")
def reset_second_factor(user_id: int):
    target = db.session.get(User, user_id)
    if target is None or not target.is_staff:
        abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if target.id == current_user.id:
        flash(
            _("You cannot reset your own second factor here. Ask another administrator."),
            "error",
        )
        return redirect(url_for("accounts.staff_list"))
    twofa.reset_second_factor(
        target, actor=current_user._get_current_object(), ip=request.remote_addr
    )
    flash(
        _(
            "The second factor of %(name)s was removed and their sessions ended. They set up "
            "a new one at their next login.",
            name=target.name,
        ),
        "success",
    )
    return redirect(url_for("accounts.staff_list"))


@bp.cli.command("reset-second-factor")
@click.argument("username")
def reset_second_factor_command(username: str) -> None:
    """Remove a staff member's second factor (e.g. the only admin lost the phone)."""
    user = db.session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.is_staff:
        raise click.ClickException(f"no staff account named {username!r}")
    twofa.reset_second_factor(user, actor=None)
    click.echo(f"Second factor of {username!r} removed; they set up a new one at next login.")
