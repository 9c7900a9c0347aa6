"""Staff pages of the recipient lists (/staf/daftar-penerima).

Operators and admins prepare: periods, the draft from the registry, changes with their
reasons, the meeting record, publishing and objection decisions. Auditors (the village
head, the BPD) read everything; the village head's approval is the one step they take
(an admin who is the village head may take it too; an operator never).
"""

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
from wtforms.fields.choices import SelectChoice

from portal.extensions import db
from portal.form_html import field_html
from portal.forms import EmptyForm
from portal.i18n import current_lang
from portal.lists import duties, period_html, prints, rows, services, uploads
from portal.lists.checkboxes import checkbox_list
from portal.lists.forms import (
    ApproveForm,
    ChangeForm,
    DecisionForm,
    ObjectionDecisionForm,
    PeriodForm,
    RemoveForm,
)
from portal.lists.models import (
    CHANGE_ACTIONS,
    COMPOSITIONS,
    ENTRY_SOURCES,
    ListDecision,
    ListObjection,
)
from portal.lists.period_form_html import period_fields
from portal.lists.services import period_page
from portal.programmes import queries as programme_queries
from portal.registry.models import NEED_LEVELS
from portal.roles import EDITORS, READERS
from portal.roles import OVERSEERS as APPROVERS
from portal.security import roles_required
from portal.service_errors import show_error
from portal.uploads import UploadError
from portal.urlargs import page_arg

bp = Blueprint("lists_manage", __name__, url_prefix="/staf/daftar-penerima")


@bp.context_processor
def _labels():
    """Labels only the staff pages of the lists show (not app-wide Jinja globals)."""
    return {
        "list_compositions": COMPOSITIONS,
        "list_entry_sources": ENTRY_SOURCES,
        "list_change_actions": CHANGE_ACTIONS,
        "need_level_labels": NEED_LEVELS,
        "working_rows": rows.working_rows,
        "attendee_items": rows.attendee_items,
        "period_html": period_html,
        "checkbox_list": checkbox_list,
        "period_fields": period_fields,
    }


PER_PAGE = 50


def _actor():
    return current_user._get_current_object()


def _ip() -> str | None:
    return request.remote_addr


def _period(period_id: int):
    period = services.get_period(period_id)
    if period is None:
        abort(404)
    return period


def _programme_choices(names: list | None = None):
    """The programme menu's choices (of `names`, else read now)."""
    return [
        SelectChoice(value=programme_id, label=name)
        for programme_id, name in (programme_queries.names() if names is None else names)
    ]


@bp.route("/")
@roles_required(*READERS)
def index():
    return render_template("lists/manage/index.html", periods=services.period_rows())


def _period_data(form: PeriodForm) -> dict:
    return {name: form.data[name] for name in services.PERIOD_FIELDS if name in form.data}


@bp.route("/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def period_create():
    form = PeriodForm()
    form.programme_id.choices = _programme_choices()
    if request.method == "GET":
        form.objection_days.data = 7
    if form.validate_on_submit():
        try:
            period = services.save_period(None, _period_data(form), actor=_actor(), ip=_ip())
        except services.ListError as error:
            show_error(form, error, fallback="title_id")
        else:
            flash(_("The period is saved. Propose the draft list from the registry."), "success")
            return redirect(url_for("lists_manage.period", period_id=period.id))
    return render_template(
        "lists/manage/period_form.html", form=form, period=None, field_html=field_html
    )


def _edit_form(period_id: int):
    """A GET of a period's edit form: the period as a plain row, no form built unless its
    fields are not kept yet for these values and programmes (the template's
    `blank_form`)."""
    found = services.period_values(period_id)
    if found is None:
        abort(404)
    programmes = programme_queries.names()

    def blank_form() -> PeriodForm:
        form = PeriodForm(formdata=None, obj=found.period)
        form.programme_id.choices = _programme_choices(programmes)
        form.rule_need_levels.data = found.period.need_levels
        return form

    return render_template(
        "lists/manage/period_form.html",
        form=None,
        period=found.period,
        field_html=field_html,
        blank_form=blank_form,
        values_key=repr((found.values, programmes)),
    )


@bp.route("/<int:period_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def period_edit(period_id: int):
    if request.method == "GET":
        return _edit_form(period_id)
    period = _period(period_id)
    form = PeriodForm(obj=period)
    form.programme_id.choices = _programme_choices()
    if form.validate_on_submit():
        try:
            held = services.approval_holds(period)
            services.save_period(period, _period_data(form), actor=_actor(), ip=_ip())
        except services.ListError as error:
            show_error(form, error, fallback="title_id")
        else:
            if held and not services.approval_holds(period):
                flash(
                    _(
                        "Your changes are saved. The village head must approve the list "
                        "again before its next version is published."
                    ),
                    "warning",
                )
            else:
                flash(_("Your changes are saved."), "success")
            return redirect(url_for("lists_manage.period", period_id=period.id))
    return render_template(
        "lists/manage/period_form.html", form=form, period=period, field_html=field_html
    )


@bp.route("/<int:period_id>")
@roles_required(*READERS)
def period(period_id: int):
    # Only an approver's page shows the approval form.
    return _period_page(
        period_id, ApproveForm() if current_user.role in APPROVERS else None, current_user.role
    )


def _period_page(period_id: int, approve_form: ApproveForm | None, role: str):
    """A GET's blank form to add a household is kept per worker (the template's
    kept_fragment): `blank_change_form` builds it only the first time. `role`: the
    user's, looked up once (each look-up through current_user costs some ten calls)."""
    head = period_page.period_head(period_id)
    if head is None:
        abort(404)
    item, approval = head.period, head.approval
    show = request.args.get("tampil", "aktif")
    pagination, names = period_page.named_entries_page(
        item.id, page_arg(), PER_PAGE, active=show != "dihapus"
    )
    records = period_page.period_records(item.id, 50)
    return render_template(
        "lists/manage/period.html",
        period=item,
        programme_name=head.programme_name,
        pagination=pagination,
        show=show,
        # The pager counted the active entries already, unless it shows those taken off.
        count=pagination.total if show != "dihapus" else services.active_count(item),
        changes=records.changes,
        decisions=records.decisions,
        approval=approval,
        approval_holds=services.approval_holds(item, approval),
        version_number=head.version_number,
        version_approval_id=head.version_approval_id,
        objections=records.objections,
        change_form=ChangeForm() if request.method != "GET" else None,
        blank_change_form=ChangeForm,
        approve_form=approve_form,
        may_edit=role in EDITORS,
        may_approve=role in APPROVERS,
        approve_conflict=(
            duties.approver_conflict(item, current_user) if role in APPROVERS else None
        ),
        print_full=prints.allowed(),
        names=names,
    )


@bp.route("/<int:period_id>/aturan")
@roles_required(*READERS)
def rule_check(period_id: int):
    """The working list against the rules now: who a fresh draft would add or leave out."""
    found = services.period_values(period_id)  # the rules read its programme's aid type
    if found is None:
        abort(404)
    return render_template(
        "lists/manage/rule_check.html",
        period=found.period,
        check=services.rule_check(found.period),
        may_edit=current_user.role in EDITORS,
    )


@bp.route("/<int:period_id>/usulkan", methods=["POST"])
@roles_required(*EDITORS)
def propose(period_id: int):
    item = _period(period_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        n = services.propose_draft(item, actor=_actor(), ip=_ip())
    except services.ListError as error:
        flash(str(error.message), "error")
    else:
        flash(_("The registry proposed %(n)d households.", n=n), "success")
    return redirect(url_for("lists_manage.period", period_id=item.id))


@bp.route("/<int:period_id>/tambah", methods=["POST"])
@roles_required(*EDITORS)
def add(period_id: int):
    item = _period(period_id)
    form = ChangeForm()
    if form.validate_on_submit():
        try:
            services.add_household(
                item, form.household_id.data, form.reason.data, actor=_actor(), ip=_ip()
            )
        except services.ListError as error:
            show_error(form, error, fallback="reason")
        else:
            flash(_("The household is on the list."), "success")
            return redirect(url_for("lists_manage.period", period_id=item.id))
    return render_template("lists/manage/add.html", period=item, form=form), 200


@bp.route("/<int:period_id>/hapus/<int:household_id>", methods=["GET", "POST"])
@roles_required(*EDITORS)
def remove(period_id: int, household_id: int):
    item = _period(period_id)
    form = RemoveForm()
    if form.validate_on_submit():
        try:
            services.remove_household(
                item, household_id, form.reason.data, actor=_actor(), ip=_ip()
            )
        except services.ListError as error:
            show_error(form, error, fallback="reason")
        else:
            flash(_("The household is off the list."), "success")
            return redirect(url_for("lists_manage.period", period_id=item.id))
    return render_template(
        "lists/manage/remove.html", period=item, household_id=household_id, form=form
    )


def _attendee_menus() -> tuple[list, list]:
    """The choices of the meeting form's village head menu and BPD members' boxes."""
    heads, bpd = duties.attendee_choices()
    return [("", "–")] + [(u.id, f"{u.name} ({u.role})") for u in heads], [
        (u.id, u.name) for u in bpd
    ]


def _attendee_choices(form: DecisionForm, menus: tuple[list, list] | None = None) -> None:
    form.head_account.choices, form.bpd_accounts.choices = menus or _attendee_menus()


def _blank_decision(period_id: int):
    """A GET of the meeting form: the period as a plain row, no form built unless one of
    the page's kept fragments is missing (the template's `blank_form`, built once)."""
    found = services.period_values(period_id)
    if found is None:
        abort(404)
    menus = _attendee_menus()
    built: list[DecisionForm] = []

    def blank_form() -> DecisionForm:
        if not built:
            form = DecisionForm(formdata=None)
            _attendee_choices(form, menus)
            built.append(form)
        return built[0]

    return render_template(
        "lists/manage/decision_form.html",
        period=found.period,
        form=None,
        blank_form=blank_form,
        accounts_key=repr(menus),
    )


@bp.route("/<int:period_id>/musdesus", methods=["GET", "POST"])
@roles_required(*EDITORS)
def decision(period_id: int):
    if request.method == "GET":
        return _blank_decision(period_id)
    item = _period(period_id)
    form = DecisionForm()
    _attendee_choices(form)
    if form.validate_on_submit():
        stored = None
        try:
            accounts = duties.attendee_accounts(form.bpd_accounts.data, form.head_account.data)
            duties.refuse_typed_accounts(form.attendees.data)
            scan = None
            upload = form.scan.data
            if upload and getattr(upload, "filename", None):
                data, ext = uploads.clean_scan(upload.read(uploads.max_bytes() + 1))
                stored = uploads.store(data, ext)
                scan = (stored, uploads.MIMETYPES.get(ext, "application/octet-stream"))
            services.record_decision(
                item,
                form.data,
                form.attendees.data,
                actor=_actor(),
                scan=scan,
                ip=_ip(),
                accounts=accounts,
            )
        except duties.DutyError as error:
            show_error(form, error, fallback="attendees")
        except UploadError as error:
            show_error(form, error, fallback="scan")
        except services.ListError as error:
            uploads.remove(stored)
            show_error(form, error, fallback="attendees")
        else:
            flash(_("The meeting is recorded."), "success")
            return redirect(url_for("lists_manage.period", period_id=item.id))
    return render_template("lists/manage/decision_form.html", period=item, form=form)


@bp.route("/musdesus/<int:decision_id>/pindaian")
@roles_required(*READERS)
def decision_scan(decision_id: int):
    item = db.session.get(ListDecision, decision_id)
    if item is None:
        abort(404)
    path = uploads.stored_path(item.scan_file)
    if path is None:
        abort(404)
    with open(path, "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype=item.scan_mimetype)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.route("/<int:period_id>/setujui", methods=["POST"])
@roles_required(*APPROVERS)
def approve(period_id: int):
    item = _period(period_id)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            services.approve(item, actor=_actor(), note=form.note.data, ip=_ip())
        except services.ListError as error:
            # Beside the button, with the note kept.
            show_error(form, error, fallback="note")
            return _period_page(item.id, form, current_user.role)
        flash(_("You approved the list."), "success")
        return redirect(url_for("lists_manage.period", period_id=item.id))
    return _period_page(item.id, form, current_user.role)


@bp.route("/<int:period_id>/terbitkan", methods=["POST"])
@roles_required(*EDITORS)
def publish(period_id: int):
    item = _period(period_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        version = services.publish(item, actor=_actor(), ip=_ip())
    except services.ListError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Version %(n)d is published.", n=version.number), "success")
    return redirect(url_for("lists_manage.period", period_id=item.id))


def _objection(objection_id: int) -> ListObjection:
    item = db.session.get(ListObjection, objection_id)
    if item is None:
        abort(404)
    return item


def _objection_page(item: ListObjection, form: ObjectionDecisionForm):
    return render_template(
        "lists/manage/objection.html",
        objection=item,
        period=services.get_period(item.period_id),
        form=form,
        may_edit=current_user.role in EDITORS,
    )


@bp.route("/sanggahan/<int:objection_id>")
@roles_required(*READERS)
def objection(objection_id: int):
    return _objection_page(_objection(objection_id), ObjectionDecisionForm())


@bp.route("/sanggahan/<int:objection_id>/putuskan", methods=["POST"])
@roles_required(*EDITORS)
def objection_decide(objection_id: int):
    item = _objection(objection_id)
    form = ObjectionDecisionForm()
    if form.validate_on_submit():
        try:
            services.decide_objection(
                item,
                form.status.data,
                form.reason.data,
                actor=_actor(),
                household_id=form.household_id.data,
                ip=_ip(),
            )
        except services.ListError as error:
            show_error(form, error, fallback="reason")
        else:
            flash(_("The objection is decided."), "success")
            return redirect(url_for("lists_manage.period", period_id=item.period_id))
    return _objection_page(item, form)


@bp.route("/<int:period_id>/versi/<int:number>/cetak.pdf")
@roles_required(*prints.PRINTERS)
def print_pdf(period_id: int, number: int):
    """The notice-board print with full names (only where the village decided so)."""
    item = _period(period_id)
    version = services.get_version(item, number)
    if version is None or not prints.allowed():
        abort(404)
    body = prints.full_name_print(item, version, current_lang(), actor=_actor(), ip=_ip())
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="daftar-penerima-{item.id}-v{version.number}-cetak.pdf"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
