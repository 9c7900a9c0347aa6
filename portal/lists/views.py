"""Public pages of the recipient lists: the board, its PDF and CSV, objections, self-check.

Nothing here shows or logs a NIK, KK number, birth date or address. The self-check
answers "on a current list, and what is due" or one and the same "not found" message,
whatever did not match; it is rate-limited per address (RATELIMIT_SELF_CHECK) and its
form is POSTed so that the NIK never appears in a URL or an access log.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from portal import cache
from portal.cache import cached_page
from portal.extensions import db, limiter
from portal.i18n import current_lang
from portal.lists import export, hooks, services
from portal.lists.board_html import board_top
from portal.lists.forms import ObjectionForm, SelfCheckForm
from portal.lists.models import (
    OBJECTION_KINDS,
    OBJECTION_STATUSES,
    ListVersion,
    ListVersionRow,
)
from portal.lists.rows import board_rows, total_rows
from portal.models_base import village_today
from portal.security import csrf_after_limits, public
from portal.service_errors import show_error
from portal.urlargs import id_arg, page_arg

bp = Blueprint("lists", __name__)
PER_PAGE = 100


@bp.record_once
def _setup(state) -> None:
    state.app.jinja_env.globals.update(
        objection_kinds=OBJECTION_KINDS,
        objection_statuses=OBJECTION_STATUSES,
    )
    # The board shows published versions, which never change once written.
    cache.watch(ListVersion)


def _self_check_limit() -> str:
    return current_app.config["RATELIMIT_SELF_CHECK"]


def _objection_limit() -> str:
    return current_app.config["RATELIMIT_OBJECTION"]


def _published(period_id: int, number: int | None = None):
    period = services.get_period(period_id)
    if period is None:
        abort(404)
    version = (
        services.latest_version(period) if number is None else services.get_version(period, number)
    )
    if version is None:
        abort(404)
    return period, version


@bp.route("/daftar-penerima")
@public
@cached_page
def index():
    return render_template(
        "lists/index.html", lists=services.published_periods(), today=village_today()
    )


@bp.route("/daftar-penerima/<int:period_id>")
@public
@cached_page
def board(period_id: int):
    number = id_arg("versi")
    if number is None:
        # The latest version: the period with its programme, the version with its
        # decision and approval, and how many versions the period has, in one statement
        # of plain columns (the list of versions is read only when there are several).
        period, version, count = services.board_head(period_id)
        if version is None:
            abort(404)
        latest = version
        versions = services.version_list(period_id) if count > 1 else ()
    else:
        period, version = _published(period_id, number)
        latest = services.latest_version(period)
        versions = period.versions
    pages = max(1, -(-version.households // PER_PAGE))
    page = page_arg("halaman")
    if page > pages:
        abort(404)
    return render_template(
        "lists/board.html",
        period=period,
        version=version,
        latest=latest,
        rows=services.version_page(version, page, PER_PAGE),
        first=(page - 1) * PER_PAGE,
        page=page,
        pages=pages,
        totals=services.totals(version, period.amount),
        open=latest.id == version.id and services.objections_open(version),
        versions=versions,
        board_top=board_top,
        board_rows=board_rows,
        total_rows=total_rows,
    )


@bp.route("/daftar-penerima/<int:period_id>/versi/<int:number>.pdf")
@public
def board_pdf(period_id: int, number: int):
    period, version = _published(period_id, number)
    # Always masked, whatever LISTS_PRINT_FULL_NAMES says: the full-name print is a
    # staff download (lists_manage.print_pdf). Made once per version and language.
    response = make_response(export.public_pdf(period, version, current_lang()))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'inline; filename="daftar-penerima-{period.id}-v{version.number}.pdf"'
    )
    return response


@bp.route("/daftar-penerima/<int:period_id>/versi/<int:number>.csv")
@public
def board_csv(period_id: int, number: int):
    period, version = _published(period_id, number)
    response = make_response(export.public_csv(period, version, current_lang()))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="daftar-penerima-{period.id}-v{version.number}.csv"'
    )
    return response


def _blank_objection_form() -> ObjectionForm:
    """The objection form as a GET shows it, for the template's kept fragments."""
    return ObjectionForm(formdata=None)


@bp.route("/daftar-penerima/<int:period_id>/sanggah", methods=["GET", "POST"])
@public
@limiter.limit(_objection_limit, methods=["POST"])
@csrf_after_limits
def objection(period_id: int):
    period, version = services.latest_published(period_id)
    if version is None:
        abort(404)
    row = None
    row_id = id_arg("baris", request.values) or id_arg("row_id", request.form)
    if row_id:
        row = db.session.get(ListVersionRow, row_id)
        if row is None or row.version_id != version.id:
            abort(404)
    if request.method == "GET":
        # A blank form: its fields' markup is kept per worker (the template's kept
        # fragments), the form built only the first time (`blank_form`).
        return render_template(
            "lists/objection.html",
            period=period,
            version=version,
            form=None,
            kind="remove" if row else "include",
            blank_form=_blank_objection_form,
            row=row,
            closed=not services.objections_open(version),
        )
    form = ObjectionForm()
    # The page is about one thing, decided by the server (so it works without
    # JavaScript): a listed household (?baris=) that should not receive the aid, or,
    # without one, a household that was left out. Only that form's fields are shown.
    form.kind.data = "remove" if row else "include"
    form.row_id.data = str(row.id) if row else ""
    closed = not services.objections_open(version)
    if not closed and form.validate_on_submit():
        try:
            item = services.file_objection(
                version,
                form.kind.data,
                form.reason.data,
                row_id=row.id if (row and form.kind.data == "remove") else None,
                subject_name=form.subject_name.data,
                rt=form.rt.data,
                rw=form.rw.data,
            )
        except services.ListError as error:
            # row_id is a hidden field: a refusal about it is shown beside the kind.
            field = None if error.field == "row_id" else error.field
            show_error(form, {field: error.message}, fallback="kind")
        else:
            return render_template("lists/objection_done.html", period=period, objection=item)
    status = 200
    if closed and request.method == "POST":
        status = 409
    return (
        render_template(
            "lists/objection.html",
            period=period,
            version=version,
            form=form,
            kind=form.kind.data,
            row=row,
            closed=closed,
        ),
        status,
    )


@bp.route("/cek-bansos", methods=["GET", "POST"])
@public
@limiter.limit(_self_check_limit, methods=["POST"])
@csrf_after_limits
def self_check():
    form = SelfCheckForm()
    result = None
    if form.validate_on_submit():
        result = services.self_check(form.nik.data, form.name.data)
        # The NIK is not sent back: the answer page carries nothing the visitor typed.
        form.nik.data = ""
        form.name.data = ""
    response = make_response(
        render_template(
            "lists/self_check.html",
            form=form,
            result=result,
            checked=result is not None,
            notes=hooks.self_check_notes(result[0].household_id) if result else [],
            open_lists=services.open_for_objection(),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/penerima")
@public
def short():
    return redirect(url_for("lists.index"), 301)
