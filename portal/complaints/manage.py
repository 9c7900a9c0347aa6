"""Staff pages for complaints (/staf/pengaduan/): list, one complaint, its steps.

Operators and admins act; auditors (village head, BPD) read. A complaint that names a
staff member is routed (services.visible_to): the queries here only ever return what
the person asking may see, and the person named gets 404 as for a missing complaint.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.complaints import menus, services
from portal.complaints.forms import AssignForm, CloseForm, NoteForm, ReplyForm, TriageForm
from portal.complaints.models import CATEGORIES, PRIORITIES, STATUSES
from portal.complaints.staff_rows import complaint_rows
from portal.forms import choices
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error
from portal.urlargs import page_arg

bp = Blueprint("complaints_manage", __name__, url_prefix="/staf/pengaduan")


@bp.context_processor
def _labels():
    """Labels only the staff pages of complaints show (not app-wide Jinja globals)."""
    return {"complaint_statuses": STATUSES, "complaint_priorities": PRIORITIES}


def _actor():
    return current_user._get_current_object()


def _get(complaint_id: int, *, with_steps: bool = False):
    complaint = services.get_for(_actor(), complaint_id, with_steps=with_steps)
    if complaint is None:
        abort(404)
    return complaint


@bp.route("/")
@roles_required(*READERS)
def index():
    status = request.args.get("status") or None
    category = request.args.get("kategori") or None
    if (status and status not in STATUSES) or (category and category not in CATEGORIES):
        abort(404)
    page = page_arg()
    overdue = request.args.get("terlambat") == "1"
    mine = request.args.get("saya") == "1"
    actor = _actor()
    pagination, overdue_count = services.staff_page(
        actor, status=status, category=category, overdue=overdue, mine=mine, page=page
    )
    return render_template(
        "complaints/manage/index.html",
        pagination=pagination,
        overdue_count=overdue_count,
        filters={"status": status, "kategori": category, "terlambat": overdue, "saya": mine},
        complaint_rows=complaint_rows,
    )


def _forms(complaint):
    triage = TriageForm(category=complaint.category, priority=complaint.priority)
    assign = AssignForm()
    # A closed complaint's page has no hand-over form: no staff to list.
    if complaint.status != "closed":
        assign.assignee.choices = choices(
            {str(u.id): u.name for u in services.assignable(complaint)}
        )
    if complaint.assigned_to_id:
        assign.assignee.data = str(complaint.assigned_to_id)
    return {
        "triage_form": triage,
        "assign_form": assign,
        "reply_form": ReplyForm(),
        "note_form": NoteForm(),
        "close_form": CloseForm(),
    }


def _plain_forms(complaint) -> dict:
    """A GET's forms without WTForms: the review and hand-over menus written by
    portal/complaints/menus.py (the same markup); the blank reply, note and closing
    fields are the template's kept fragments (their classes to make them once)."""
    context = dict.fromkeys(("triage_form", "assign_form", "reply_form", "note_form", "close_form"))
    context["blank_forms"] = {"reply": ReplyForm, "note": NoteForm, "close": CloseForm}
    if complaint.status != "closed":
        context["triage_menus"] = menus.triage_menus(complaint.category, complaint.priority)
        staff = [(str(u.id), u.name) for u in services.assignable(complaint)]
        assigned = str(complaint.assigned_to_id) if complaint.assigned_to_id else None
        context["assignee_menu"] = menus.assignee_menu(staff, assigned) if staff else None
    return context


def _detail(complaint, status=200, **forms):
    may_act = services.may_act(_actor(), complaint)
    # The forms are shown only to who may act on the complaint.
    context = {}
    if may_act:
        plain = not forms and request.method == "GET"
        context = _plain_forms(complaint) if plain else _forms(complaint)
    context.update(forms)
    return render_template(
        "complaints/manage/detail.html",
        complaint=complaint,
        steps=services.all_steps(complaint),
        may_act=may_act,
        overdue=services.is_overdue(complaint),
        **context,
    ), status


@bp.route("/<int:complaint_id>")
@roles_required(*READERS)
def detail(complaint_id: int):
    complaint = _get(complaint_id, with_steps=True)
    services.record_read(complaint, actor=_actor())
    return _detail(complaint)


@bp.route("/<int:complaint_id>/foto")
@roles_required(*READERS)
def photo(complaint_id: int):
    complaint = _get(complaint_id)
    path = services.photo_path(complaint)
    if path is None:
        abort(404)
    with open(path, "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype="image/jpeg")
    response.headers["Content-Disposition"] = "inline"
    return response


def _act(complaint_id: int, form_name: str, form, action, field: str):
    """Validate `form`, run `action(complaint, form)`, and come back to the page."""
    complaint = _get(complaint_id)
    if form.validate_on_submit():
        try:
            action(complaint, form)
        except services.ComplaintError as error:
            # The service names its own argument ("body"), which may not be the form's
            # field ("reply_body"): then beside `field`. Not about a field at all (e.g.
            # the complaint was closed meanwhile): above the form.
            show_error(form, error, fallback=field if error.field else None)
        except PermissionError:
            abort(404)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("complaints_manage.detail", complaint_id=complaint.id))
    return _detail(complaint, 400, **{form_name: form})


@bp.route("/<int:complaint_id>/triase", methods=["POST"])
@roles_required(*EDITORS)
def triage(complaint_id: int):
    return _act(
        complaint_id,
        "triage_form",
        TriageForm(),
        lambda c, f: services.triage(
            c, actor=_actor(), category=f.category.data, priority=f.priority.data
        ),
        "category",
    )


@bp.route("/<int:complaint_id>/tugaskan", methods=["POST"])
@roles_required(*EDITORS)
def assign(complaint_id: int):
    form = AssignForm()
    complaint = _get(complaint_id)
    form.assignee.choices = choices({str(u.id): u.name for u in services.assignable(complaint)})
    return _act(
        complaint_id,
        "assign_form",
        form,
        lambda c, f: services.assign(c, actor=_actor(), assignee_id=int(f.assignee.data)),
        "assignee",
    )


@bp.route("/<int:complaint_id>/balas", methods=["POST"])
@roles_required(*EDITORS)
def reply(complaint_id: int):
    return _act(
        complaint_id,
        "reply_form",
        ReplyForm(),
        lambda c, f: services.reply(c, actor=_actor(), body=f.reply_body.data),
        "reply_body",
    )


@bp.route("/<int:complaint_id>/catatan", methods=["POST"])
@roles_required(*EDITORS)
def note(complaint_id: int):
    return _act(
        complaint_id,
        "note_form",
        NoteForm(),
        lambda c, f: services.note(c, actor=_actor(), body=f.note_body.data),
        "note_body",
    )


@bp.route("/<int:complaint_id>/tutup", methods=["POST"])
@roles_required(*EDITORS)
def close(complaint_id: int):
    return _act(
        complaint_id,
        "close_form",
        CloseForm(),
        lambda c, f: services.close(c, actor=_actor(), resolution=f.resolution.data),
        "resolution",
    )
