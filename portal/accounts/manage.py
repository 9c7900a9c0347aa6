"""Staff pages for residents' accounts (under /staf/warga): the verification queue with
a registry comparison, approve or reject, assisted sign-up at the office, one-time reset
codes, and residents' deletion requests.

Operators and admins act, auditors read; deletion requests are carried out by admins.
Every decision is written to the audit log (in the services), and opening a pending
request, which shows the NIK the resident typed, is recorded too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import residents
from portal.accounts.forms import ApproveForm, AssistedSignupForm, DecideDeletionForm, RejectForm
from portal.accounts.models import DeletionRequest, User
from portal.accounts.phones import mask_phone
from portal.audit.services import record
from portal.extensions import db
from portal.forms import EmptyForm
from portal.numbers import db_int
from portal.registry.models import Person
from portal.security import roles_required

bp = Blueprint("residents_manage", __name__, url_prefix="/staf/warga")

EDITORS = ("operator", "admin")
READERS = ("operator", "admin", "auditor")


@bp.context_processor
def _helpers():
    return {
        "can_edit": current_user.is_authenticated and current_user.role in EDITORS,
        "statuses": residents.VERIFICATION_STATUSES,
        "masked_nik": residents.masked_nik,
        "mask_phone": mask_phone,
    }


def _resident_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != "resident" or user.deleted_at is not None:
        abort(404)
    return user


def _me() -> User:
    return current_user._get_current_object()


@bp.route("/")
@roles_required(*READERS)
def queue():
    """Pending verifications (oldest first) and a search for resident accounts."""
    q = (request.args.get("q") or "").strip()[:100]
    return render_template(
        "residents/queue.html",
        pending=residents.pending_verifications(),
        q=q,
        found=residents.find_accounts(q) if q else [],
        deletions=len(residents.open_deletion_requests()),
    )


def _detail(user: User, *, reject_form=None, approve_error=None, code=None, status=200):
    q = (request.args.get("q") or "").strip()[:100]
    return (
        render_template(
            "residents/detail.html",
            resident=user,
            q=q,
            candidates=residents.candidates_for(user, q)
            if user.verification_status == "pending"
            else [],
            reject_form=reject_form or RejectForm(formdata=None),
            approve_error=approve_error,
            code=code,
            form=EmptyForm(),
        ),
        status,
    )


@bp.route("/<int:user_id>")
@roles_required(*READERS)
def detail(user_id: int):
    """A resident's account; when pending, the registry people to compare with."""
    user = _resident_or_404(user_id)
    if user.verification_status == "pending":
        record("resident_verification_viewed", "user", user.id, actor=_me(), ip=request.remote_addr)
        db.session.commit()
    return _detail(user)


@bp.route("/<int:user_id>/setujui", methods=["POST"])
@roles_required(*EDITORS)
def approve(user_id: int):
    user = _resident_or_404(user_id)
    form = ApproveForm()
    person = None
    chosen = db_int(form.person_id.data or "")
    if form.validate_on_submit() and chosen is not None:
        person = db.session.get(Person, chosen)
    if person is None:
        return _detail(user, approve_error=_("Choose the person in the registry."), status=400)
    try:
        residents.approve_verification(user, person, actor=_me(), ip=request.remote_addr)
    except residents.ResidentError as error:
        return _detail(user, approve_error=str(error.message), status=409)
    flash(_("%(name)s is verified.", name=user.name), "success")
    return redirect(url_for("residents_manage.queue"))


@bp.route("/<int:user_id>/tolak", methods=["POST"])
@roles_required(*EDITORS)
def reject(user_id: int):
    user = _resident_or_404(user_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            residents.reject_verification(
                user, form.reason.data, actor=_me(), ip=request.remote_addr
            )
        except residents.ResidentError as error:
            if error.field:
                form.reason.errors = [*form.reason.errors, error.message]
            else:
                flash(str(error.message), "error")
                return redirect(url_for("residents_manage.detail", user_id=user.id))
        else:
            flash(_("The request of %(name)s is rejected.", name=user.name), "success")
            return redirect(url_for("residents_manage.queue"))
    return _detail(user, reject_form=form)


@bp.route("/<int:user_id>/kode-reset", methods=["POST"])
@roles_required(*EDITORS)
def reset_code(user_id: int):
    """A one-time code for a resident who lost their password (shown once)."""
    user = _resident_or_404(user_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    code = residents.issue_reset_code(user, actor=_me(), ip=request.remote_addr)
    return render_template(
        "residents/code.html", resident=user, code=code, hours=residents._code_hours()
    )


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def assisted():
    """Register and verify a resident who came to the office."""
    form = AssistedSignupForm()
    q = (request.args.get("q") or "").strip()[:100]
    people = residents.search_people(q)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        if person is None:
            form.person_id.errors = [*form.person_id.errors, _("No such person in the registry.")]
        else:
            try:
                made = residents.assisted_signup(
                    person=person,
                    name=form.name.data,
                    phone=form.phone.data,
                    email=form.email.data,
                    locale=form.locale.data,
                    actor=_me(),
                    ip=request.remote_addr,
                )
            except residents.ResidentError as error:
                field = getattr(form, error.field or "", None)
                if field is not None:
                    field.errors = [*field.errors, error.message]
                else:
                    flash(str(error.message), "error")
            else:
                return render_template(
                    "residents/code.html",
                    resident=made.user,
                    code=made.code,
                    hours=residents._code_hours(),
                    new=True,
                )
    status = 422 if form.errors else 200
    return render_template("residents/assisted.html", form=form, q=q, people=people), status


@bp.route("/penghapusan")
@roles_required("admin", "auditor")
def deletions():
    """Residents' requests to delete their account."""
    return render_template(
        "residents/deletions.html",
        requests=residents.open_deletion_requests(),
        form=DecideDeletionForm(formdata=None),
    )


@bp.route("/penghapusan/<int:request_id>", methods=["POST"])
@roles_required("admin")
def decide_deletion(request_id: int):
    item = db.session.get(DeletionRequest, request_id)
    if item is None:
        abort(404)
    form = DecideDeletionForm()
    if not form.validate_on_submit():
        abort(400)
    approve = request.form.get("decision") == "delete"
    try:
        residents.process_deletion(
            item, actor=_me(), approve=approve, note=form.note.data, ip=request.remote_addr
        )
    except residents.ResidentError as error:
        flash(str(error.message), "error")
    else:
        flash(
            _("The account is deleted.") if approve else _("The request is declined."),
            "success",
        )
    return redirect(url_for("residents_manage.deletions"))
