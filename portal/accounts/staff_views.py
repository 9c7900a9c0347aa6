"""Account upkeep pages: the administrator's list of accounts that are not residents'
(switch off and on, role, the second step's reset and unlock) and a staff member's
own password. Routes of the `accounts` blueprint (imported by views.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from wtforms import SelectField

from portal.accounts import lifecycle, lockout, manage_staff, residents, staff_session
from portal.accounts.forms import ChangePasswordForm
from portal.accounts.models import User
from portal.accounts.staff_rows import staff_rows
from portal.accounts.views import bp
from portal.extensions import db
from portal.forms import EmptyForm, Form, choices
from portal.i18n import lazy_gettext as _l
from portal.roles import ADMINS, SECOND_FACTOR_ROLES
from portal.security import roles_required
from portal.service_errors import show_error

ROLE_LABELS = {
    "partner": _l("Partner (company)"),
    "trainer": _l("Trainer"),
    "operator": _l("Operator"),
    "admin": _l("Administrator"),
    "auditor": _l("Auditor"),
}


class RoleForm(Form):
    role = SelectField(_l("Role"), choices=choices(ROLE_LABELS))


def _actor() -> User:
    return current_user._get_current_object()


@bp.route("/staf/pengguna")
@roles_required(*ADMINS)
def staff_list():
    """Accounts made by the office or a company's sign-up, with what an admin can do."""
    accounts, left = manage_staff.staff_list()
    now = lockout.now_utc()
    return render_template(
        "accounts/staff_list.html",
        staff=accounts,
        left=left,
        paused={a.id for a in accounts if lockout.is_paused(a, now)},
        role_labels=ROLE_LABELS,
        staff_rows=staff_rows,
    )


def _checked_target(user_id: int) -> User:
    target = db.session.get(User, user_id)
    if target is None or target.role not in lifecycle.MANAGED_ROLES:
        abort(404)
    return target


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("accounts.staff_list"))


def _refused(error: lifecycle.LifecycleError):
    flash(str(error.message), "error")
    return redirect(url_for("accounts.staff_list"))


@bp.route("/staf/pengguna/<int:user_id>/aktif", methods=["POST"])
@roles_required(*ADMINS)
def set_account_active(user_id: int):
    """Switch an account off (its sessions end at once) or on again."""
    target = _checked_target(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        lifecycle.set_active(target.id, active, actor=_actor(), ip=request.remote_addr)
    except lifecycle.LifecycleError as error:
        return _refused(error)
    if active:
        return _done(_("The account of %(name)s is switched on again.", name=target.name))
    return _done(
        _("The account of %(name)s is switched off and its sessions ended.", name=target.name)
    )


@bp.route("/staf/pengguna/<int:user_id>/peran", methods=["POST"])
@roles_required(*ADMINS)
def change_account_role(user_id: int):
    target = _checked_target(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role."), "error")
        return redirect(url_for("accounts.staff_list"))
    try:
        lifecycle.change_role(target.id, form.role.data, actor=_actor(), ip=request.remote_addr)
    except lifecycle.LifecycleError as error:
        return _refused(error)
    return _done(
        _(
            "%(name)s now has the role %(role)s; their sessions ended.",
            name=target.name,
            role=ROLE_LABELS[form.role.data],
        )
    )


@bp.route("/staf/pengguna/<int:user_id>/buka-kode", methods=["POST"])
@roles_required(*ADMINS)
def unlock_second_factor(user_id: int):
    """Open a second step locked after too many wrong codes (the factor stays), and lift
    a pause of the login after wrong passwords."""
    target = _checked_target(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if target.id == current_user.id:
        flash(_("You cannot change your own account here. Ask another administrator."), "error")
        return redirect(url_for("accounts.staff_list"))
    lockout.unlock(target, actor=_actor(), ip=request.remote_addr)
    return _done(_("The login of %(name)s is unlocked.", name=target.name))


def _security_page(password_form=None):
    from portal.accounts.views import security_page

    return security_page(password_form=password_form)


@bp.route("/staf/keamanan/sandi", methods=["POST"])
@roles_required(*SECOND_FACTOR_ROLES)
def staff_change_password():
    """A staff member changes their own password; their other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = _actor()
        try:
            residents.change_password(user, form.current.data, form.password.data)
        except residents.ResidentError as error:
            show_error(form, error)
        else:
            # The token changed: log in again here, still past the second step.
            login_user(user)
            staff_session.mark_verified(user)
            flash(_("Your password is changed. Other devices are logged out."), "success")
            return redirect(url_for("accounts.security"))
    return _security_page(password_form=form)
