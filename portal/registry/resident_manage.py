"""Staff pages for residents' accounts (under /staf/warga, the blueprint
"residents_manage"): the verification queue with a registry comparison, approve or
reject, assisted sign-up at the office, one-time reset codes, and residents' deletion
requests. They live on the registry side because they match accounts with registry
people (portal/registry/residents.py); the rules for the accounts themselves are
portal/accounts/residents.py.

Operators and admins act, auditors read; deletion requests are carried out by admins.
Every decision is written to the audit log (in the services), and opening a pending
request, which shows the NIK the resident typed, is recorded too.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import searches
from portal.accounts import residents
from portal.accounts.forms import (
    ApproveForm,
    AssistedSignupForm,
    DecideDeletionForm,
    ReclaimForm,
    RejectForm,
)
from portal.accounts.models import DeletionRequest, User
from portal.accounts.phones import mask_phone
from portal.extensions import db
from portal.forms import EmptyForm
from portal.numbers import db_int
from portal.registry import reclaim
from portal.registry import residents as matching
from portal.registry.models import Person
from portal.roles import ADMINS, EDITORS, OVERSEERS, READERS
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("residents_manage", __name__, url_prefix="/staf/warga")


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


# The searches here take a phone number or a NIK: they are POSTs and the words are kept
# by id in the session (portal/searches.py), never in a URL.
ACCOUNTS, PEOPLE = "accounts", "people"


def _words(scope: str) -> str:
    return ((searches.recall(scope) or {}).get("q") or "").strip()[:100]


def _posted_words() -> dict:
    return {"q": (request.form.get("q") or "").strip()[:100]}


def _old_link(scope: str, endpoint: str, **url_values):
    """A link that still has ?q=: the same search, by id."""
    q = (request.args.get("q") or "").strip()[:100]
    return searches.redirect_to(scope, {"q": q}, endpoint, **url_values)


@bp.route("/")
@roles_required(*READERS)
def queue():
    """Pending verifications (oldest first) and a search for resident accounts."""
    if "q" in request.args:
        return _old_link(ACCOUNTS, "residents_manage.queue")
    q = _words(ACCOUNTS)
    return render_template(
        "registry/residents/queue.html",
        pending=residents.pending_verifications(),
        q=q,
        found=residents.find_accounts(q) if q else [],
        deletions=len(residents.open_deletion_requests()),
    )


@bp.route("/", methods=["POST"])
@roles_required(*READERS)
def search_accounts():
    return searches.redirect_to(ACCOUNTS, _posted_words(), "residents_manage.queue")


@bp.route("/<int:user_id>/cari", methods=["POST"])
@roles_required(*READERS)
def search_candidates(user_id: int):
    user = _resident_or_404(user_id)
    return searches.redirect_to(PEOPLE, _posted_words(), "residents_manage.detail", user_id=user.id)


@bp.route("/baru/cari", methods=["POST"])
@roles_required(*EDITORS)
def search_people():
    return searches.redirect_to(PEOPLE, _posted_words(), "residents_manage.assisted")


def _reclaim_form(user: User, candidates: list[Person]) -> ReclaimForm:
    """The take-back form, offering the person with the NIK the resident gave."""
    same = next((p for p in candidates if p.nik and p.nik == user.given_nik), None)
    return ReclaimForm(formdata=None, data={"person_id": same.id if same else None})


def _detail(user: User, *, reject_form=None, approve_error=None, reclaim_form=None, status=200):
    q = _words(PEOPLE)
    candidates = matching.candidates_for(user, q) if user.verification_status == "pending" else []
    return (
        render_template(
            "registry/residents/detail.html",
            resident=user,
            q=q,
            candidates=candidates,
            linked=reclaim.linked_people([p.id for p in candidates], user.id),
            reject_form=reject_form or RejectForm(formdata=None),
            reclaim_form=reclaim_form or _reclaim_form(user, candidates),
            approve_error=approve_error,
            form=EmptyForm(),
        ),
        status,
    )


@bp.route("/<int:user_id>")
@roles_required(*READERS)
def detail(user_id: int):
    """A resident's account; when pending, the registry people to compare with."""
    user = _resident_or_404(user_id)
    if "q" in request.args:
        return _old_link(PEOPLE, "residents_manage.detail", user_id=user.id)
    if user.verification_status == "pending":
        matching.record_pending_view(user, actor=_me(), ip=request.remote_addr)
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
        matching.approve_verification(user, person, actor=_me(), ip=request.remote_addr)
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
                show_error(form, error, fallback="reason")
            else:
                flash(str(error.message), "error")
                return redirect(url_for("residents_manage.detail", user_id=user.id))
        else:
            flash(_("The request of %(name)s is rejected.", name=user.name), "success")
            return redirect(url_for("residents_manage.queue"))
    return _detail(user, reject_form=form)


@bp.route("/<int:user_id>/ambil-alih", methods=["POST"])
@roles_required(*EDITORS)
def take_back(user_id: int):
    """Give a registry person back to this account, the owner's, after checking their
    identity card at the office; the account that held the person loses it and what
    it did under it (portal/registry/reclaim.py)."""
    user = _resident_or_404(user_id)
    form = ReclaimForm()
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        try:
            done = reclaim.reclaim_identity(
                person, user, actor=_me(), reason=form.reason.data, ip=request.remote_addr
            )
        except residents.ResidentError as error:
            show_error(form, error, fallback="person_id")
        else:
            flash(_("%(name)s is verified as the registry person.", name=user.name), "success")
            if done.previous_id is not None:
                flash(_("The other account lost this identity and was told why."), "info")
            for note in done.notes:
                flash(str(note.message), "info")
            return redirect(url_for("residents_manage.detail", user_id=user.id))
    return _detail(user, reclaim_form=form, status=422)


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
        "registry/residents/code.html", resident=user, code=code, hours=residents.code_hours()
    )


def _assisted(form: AssistedSignupForm, person: Person) -> matching.AssistedSignup:
    """The assisted sign-up, or, when the operator takes the identity back from another
    account, the same with the take-back in one transaction (portal/registry/reclaim.py)."""
    contact = {
        "name": form.name.data,
        "phone": form.phone.data,
        "email": form.email.data,
        "locale": form.locale.data,
        "actor": _me(),
        "ip": request.remote_addr,
    }
    if not form.take_back.data:
        return matching.assisted_signup(person=person, **contact)
    done, code = reclaim.assisted_take_back(person, reason=form.reason.data, **contact)
    if done.previous_id is not None:
        flash(_("The other account lost this identity and was told why."), "info")
    for note in done.notes:
        flash(str(note.message), "info")
    return matching.AssistedSignup(user=done.owner, code=code)


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def assisted():
    """Register and verify a resident who came to the office."""
    if request.method == "GET" and "q" in request.args:
        return _old_link(PEOPLE, "residents_manage.assisted")
    form = AssistedSignupForm()
    q = _words(PEOPLE)
    people = matching.search_people(q)
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        if person is None:
            form.person_id.errors = [*form.person_id.errors, _("No such person in the registry.")]
        else:
            try:
                made = _assisted(form, person)
            except residents.ResidentError as error:
                show_error(form, error)
            else:
                return render_template(
                    "registry/residents/code.html",
                    resident=made.user,
                    code=made.code,
                    hours=residents.code_hours(),
                    new=True,
                )
    status = 422 if form.errors else 200
    return render_template(
        "registry/residents/assisted.html",
        form=form,
        q=q,
        people=people,
        search_id=searches.current_id(PEOPLE),
    ), status


@bp.route("/penghapusan")
@roles_required(*OVERSEERS)
def deletions():
    """Residents' requests to delete their account."""
    return render_template(
        "registry/residents/deletions.html",
        requests=residents.open_deletion_requests(),
        form=DecideDeletionForm(formdata=None),
    )


@bp.route("/penghapusan/<int:request_id>", methods=["POST"])
@roles_required(*ADMINS)
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
