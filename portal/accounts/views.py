"""Login and logout, the staff second step (TOTP or a recovery code), and its upkeep."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import select

from portal.accounts import (
    identity,
    lockout,
    residents,
    services,
    session_lifetime,
    staff_session,
)
from portal.accounts import second_factor as twofa
from portal.accounts.data_rows import data_rows
from portal.accounts.forms import (
    ChangePasswordForm,
    DeletionForm,
    EnrolForm,
    LanguageForm,
    LoginForm,
    RegisterForm,
    ResetWithCodeForm,
    SecondFactorForm,
    VerifyForm,
)
from portal.accounts.models import User
from portal.extensions import db, limiter
from portal.forms import EmptyForm
from portal.i18n import current_lang, day, when
from portal.roles import ADMINS, OFFICER, RESIDENTS, ROLES, SECOND_FACTOR_ROLES, can
from portal.security import (
    csrf_after_limits,
    is_safe_next,
    public,
    roles_required,
    set_second_factor_gate,
)
from portal.service_errors import show_error

bp = Blueprint("accounts", __name__)
bp.before_app_request(staff_session.enforce_idle_timeout)
bp.before_app_request(session_lifetime.enforce_lifetime)
bp.record_once(lambda state: set_second_factor_gate(state.app, staff_session.second_factor_gate))


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
    if user.role == OFFICER:
        # A distribution officer's work is at the point, not the staff dashboard.
        return url_for("distribution_point.home")
    if user.is_staff:
        return url_for("manage.dashboard")
    return url_for("public.home")


def _issuer() -> str:
    return f"Portal Bansos {current_app.config['VILLAGE_NAME']}"


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
@csrf_after_limits
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = lockout.check_login(form.identifier.data, form.password.data)
        except lockout.AccountSwitchedOff:
            user = None
            form.password.errors.append(
                _("This account is switched off. Ask the village office if this is a mistake.")
            )
        else:
            if user is None:
                form.password.errors.append(
                    _(
                        "The name or password is not right. After %(num)d wrong tries in a "
                        "row, logging in to an account waits a few minutes.",
                        num=current_app.config["LOGIN_FREE_TRIES"],
                    )
                )
        if user is not None:
            return _logged_in(user, form)
    return render_template(
        "accounts/login.html", form=form, offer_remember=not _staff_target(form.next.data)
    )


def _staff_target(target: str | None) -> bool:
    """A login on its way to a staff page (those accounts are never remembered)."""
    return bool(target) and is_safe_next(target) and target.startswith("/staf")


def _logged_in(user, form):
    # Nothing from an earlier login in this browser may count for this one.
    staff_session.forget()
    remember = bool(form.remember.data) and session_lifetime.may_remember(user)
    login_user(user, remember=remember, duration=session_lifetime.lifetime(user))
    _remember_language(user)
    target = form.next.data
    if user.is_staff:
        # Half logged in: staff pages open only after the second step.
        staff_session.mark_seen()
        return redirect(url_for("accounts.second_factor", next=staff_session.safe_next(target)))
    return redirect(target if is_safe_next(target) else _landing(user))


@bp.route("/keluar", methods=["POST"])
@roles_required(*ROLES, second_factor=False)
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        services.end_sessions(user)
        logout_user()
        staff_session.forget()
        flash(_("You have logged out."), "info")
        response = redirect(url_for("public.home"))
        if can(user, "hand_over"):
            # The distribution roster kept on the phone goes with the login.
            response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
    return redirect(url_for("public.home"))


@bp.route("/masuk/kode", methods=["GET", "POST"])
@_code_limit
@roles_required(*SECOND_FACTOR_ROLES, second_factor=False)
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
        how = lockout.check_code(user, form.code.data)
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
        if not lockout.is_locked(user):
            form.code.errors.append(
                _(
                    "This code is not right or was already used. Type the code your app "
                    "shows now, or an unused recovery code."
                )
            )
    return render_template(
        "accounts/second_factor.html",
        form=form,
        locked=lockout.is_locked(user),
        max_failures=lockout.max_code_failures(),
    )


@bp.route("/masuk/kode/pasang", methods=["GET", "POST"])
@_code_limit
@roles_required(*SECOND_FACTOR_ROLES, second_factor=False)
def enrol():
    user = current_user._get_current_object()
    target = staff_session.safe_next(request.values.get("next"))
    if user.has_second_factor:
        return redirect(url_for("accounts.second_factor", next=target))
    secret = twofa.start_enrolment(user)
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
@roles_required(*SECOND_FACTOR_ROLES, second_factor=False)
def enrol_qr():
    user = current_user._get_current_object()
    if user.has_second_factor or not user.totp_secret:
        abort(404)
    response = make_response(twofa.qr_png(twofa.provisioning_uri(user, _issuer())))
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/staf/keamanan", methods=["GET", "POST"])
@roles_required(*SECOND_FACTOR_ROLES)
def security():
    """The staff member's own login: password, recovery codes left, new ones."""
    user = current_user._get_current_object()
    if request.method == "POST" and user.has_second_factor and EmptyForm().validate_on_submit():
        codes = twofa.regenerate_recovery_codes(user)
        return render_template(
            "accounts/recovery_codes.html", codes=codes, target=url_for("accounts.security")
        )
    return security_page()


def security_page(password_form=None):
    """The page; `password_form` one that came back with its errors, else the blank
    fields are written from a kept copy (made only when it is missing)."""
    user = current_user._get_current_object()
    has_second_factor, left = twofa.second_factor_state(user)
    return render_template(
        "accounts/security.html",
        password_form=password_form,
        new_password_form=lambda: ChangePasswordForm(formdata=None),
        has_second_factor=has_second_factor,
        left=left,
        user=user,
    )


@bp.route("/staf/pengguna/<int:user_id>/reset-kode", methods=["POST"])
@roles_required(*ADMINS)
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


# --------------------------------------------------------------------------- residents

# Accounts that are not staff: they see and manage their own data under /akun.
MEMBERS = ("resident", "partner", "trainer")


@bp.app_template_filter("datum")
def _datum(value):
    """A value of a "My data" row as a person reads it (dates in their language)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, date):
        return day(value)
    return value


# The limits are settings (portal/config.py), read at each request.
def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _verify_limit() -> str:
    return current_app.config["RATELIMIT_VERIFY"]


def _verify_ip_limit() -> str:
    return current_app.config["RATELIMIT_VERIFY_IP"]


def _remember_language(user) -> None:
    """Let the account's language follow the person to the next pages (cookie)."""
    if user.locale in current_app.config["LANGUAGES"] and "lang" not in request.args:
        g.set_lang_cookie = user.locale


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@public
@csrf_after_limits
def register():
    """A resident's sign-up: name, a phone number or an e-mail, a password."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = residents.current_locale()
    if form.validate_on_submit():
        try:
            user = residents.register_resident(
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data,
                email=form.email.data,
                locale=form.locale.data,
                ip=request.remote_addr,
            )
        except residents.ResidentError as error:
            show_error(form, error)
        else:
            staff_session.forget()
            login_user(user)
            _remember_language(user)
            flash(
                _(
                    "Welcome! Your account is ready. Verify that you live in the village to "
                    "vote and take part."
                ),
                "success",
            )
            return redirect(url_for("accounts.verify"))
    return render_template("accounts/register.html", form=form)


@bp.route("/masuk/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
@csrf_after_limits
def reset_password():
    """A new password with the one-time code the village office handed over."""
    form = ResetWithCodeForm()
    if form.validate_on_submit():
        try:
            user = residents.reset_password_with_code(
                form.identifier.data,
                form.code.data,
                form.password.data,
                ip=request.remote_addr,
            )
        except residents.ResidentError as error:
            show_error(form, error)
        else:
            staff_session.forget()
            login_user(user)
            _remember_language(user)
            flash(_("Your new password is set. You are logged in."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/reset.html", form=form)


class _PageLabels(dict):
    """The data rows' labels (residents.FIELD_LABELS, a key itself if it has none),
    each translated once: every row repeats its keys."""

    def __missing__(self, key):
        label = residents.FIELD_LABELS.get(key)
        # A lazy label is written as it is translated (its __html__), a bare key escaped.
        value = self[key] = key if label is None else Markup(str(label))  # noqa: S704
        return value


# The labels translated once per language and worker (`_PageLabels` of that language):
# the keys are the data sources' own, fixed when the features register them.
_LABELS_BY_LANGUAGE: dict[str, _PageLabels] = {}


def _page_labels() -> _PageLabels:
    lang = current_lang()
    labels = _LABELS_BY_LANGUAGE.get(lang)
    if labels is None:
        labels = _LABELS_BY_LANGUAGE[lang] = _PageLabels()
    return labels


def _account_page(password_form=None, language_form=None):
    """The page; a form given is one that came back with its errors. On a GET the blank
    forms are written from kept copies (made by `new_*_form` only when one is missing)."""
    user = current_user._get_current_object()
    chosen_locale = user.locale or residents.current_locale()

    def new_password_form():
        return ChangePasswordForm(formdata=None)

    def new_language_form():
        return LanguageForm(formdata=None, data={"locale": chosen_locale})

    if request.method != "GET":  # the other form is shown as it was sent back
        password_form = password_form or new_password_form()
        language_form = language_form or new_language_form()
    deletion_at, reset_code_at = residents.account_dates(user)
    return render_template(
        "accounts/account.html",
        user=user,
        sections=residents.data_about(user),
        field_labels=_page_labels(),
        data_rows=data_rows,
        datum=_datum,
        statuses=residents.VERIFICATION_STATUSES,
        masked_nik=residents.masked_nik(user.given_nik),
        deletion_at=deletion_at,
        reset_code_at=reset_code_at,
        password_form=password_form,
        language_form=language_form,
        new_password_form=new_password_form,
        new_language_form=new_language_form,
        chosen_locale=chosen_locale,
    )


@bp.route("/akun")
@roles_required(*MEMBERS)
def account():
    """My account: profile, verification status, everything kept, and what I can do."""
    return _account_page()


@bp.route("/akun/sandi", methods=["POST"])
@roles_required(*MEMBERS)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            residents.change_password(user, form.current.data, form.password.data)
        except residents.ResidentError as error:
            show_error(form, error)
        else:
            # The session token changed: log in again on this device only.
            login_user(user)
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(password_form=form)


@bp.route("/akun/bahasa", methods=["POST"])
@roles_required(*MEMBERS)
def change_language():
    form = LanguageForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        residents.change_language(user, form.locale.data)
        g.set_lang_cookie = user.locale
        flash(_("Language saved."), "success")
        return redirect(url_for("accounts.account", lang=user.locale))
    return _account_page(language_form=form)


@bp.route("/akun/data.json")
@roles_required(*MEMBERS)
def download_data():
    """Everything kept about me, as a JSON file."""
    response = jsonify(residents.data_export(current_user._get_current_object()))
    response.headers["Content-Disposition"] = 'attachment; filename="data-saya.json"'
    return response


@bp.route("/akun/verifikasi", methods=["GET", "POST"])
@limiter.limit(_verify_limit, key_func=_account_key, methods=["POST"], scope="verify-account")
@limiter.limit(_verify_ip_limit, methods=["POST"], scope="verify-ip")
@roles_required(*RESIDENTS)
def verify():
    """Prove living in the village: NIK, birth date, KK number and mother's name,
    compared with the registry (by the check it registers, portal/accounts/identity.py)."""
    user = current_user._get_current_object()
    form = VerifyForm()
    if form.validate_on_submit() and not user.is_verified:
        try:
            status = identity.verify_resident(
                user,
                form.nik.data,
                form.birth_date.data,
                form.kk_number.data,
                form.mother_name.data,
                ip=request.remote_addr,
            )
        except residents.ResidentError as error:
            show_error(form, error)
        else:
            if status == "verified":
                flash(_("You are verified. Thank you!"), "success")
            else:
                # The same answer whatever did not match (an unknown NIK, other
                # details, a NIK another account holds): it tells a stranger nothing.
                flash(
                    _(
                        "We could not confirm these details from the village registry. "
                        "Please come to the village office with your identity card (KTP) "
                        "and family card (KK); you will see the answer here."
                    ),
                    "info",
                )
            return redirect(url_for("accounts.verify"))
    return render_template(
        "accounts/verify.html",
        form=form,
        user=user,
        statuses=residents.VERIFICATION_STATUSES,
        masked_nik=residents.masked_nik(user.given_nik),
    )


@bp.route("/akun/hapus", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def request_deletion():
    """Ask for the account to be deleted (an administrator carries it out)."""
    user = current_user._get_current_object()
    form = DeletionForm()
    if form.validate_on_submit():
        residents.request_deletion(user, form.reason.data, ip=request.remote_addr)
        flash(
            _(
                "Your request is sent. An administrator of the village office will delete "
                "the account; until then you can still log in."
            ),
            "success",
        )
        return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/delete.html", form=form, pending=residents.open_deletion_request(user)
    )


# Account upkeep routes (admin list, switch off, roles, own staff password).
from portal.accounts import staff_views  # noqa: E402, F401
