"""Login and logout."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.accounts import services
from portal.accounts.forms import EmptyForm, LoginForm
from portal.accounts.models import ROLES
from portal.extensions import limiter
from portal.security import is_safe_next, public, roles_required

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _landing(user) -> str:
    if user.is_staff:
        return url_for("manage.dashboard")
    return url_for("public.home")


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
            login_user(user, remember=form.remember.data)
            target = form.next.data
            return redirect(target if is_safe_next(target) else _landing(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
@roles_required(*ROLES)
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        services.end_sessions(current_user._get_current_object())
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("public.home"))
