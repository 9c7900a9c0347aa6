"""Staff pages of the roster import (upload, preview, confirm) and the list export.

Operators and admins import; auditors see the batches and what was rejected. Every
page works without JavaScript: the upload is a plain multipart form, confirming and
discarding are POST buttons, the preview pages with links.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.accounts import staff_session
from portal.errors import MESSAGES
from portal.forms import EmptyForm
from portal.i18n import lazy_gettext as _l
from portal.registry import reads
from portal.registry import services as registry
from portal.registry.import_forms import UploadForm
from portal.registry.importing import export, layouts, services
from portal.registry.importing.readers import file_size_limit_message
from portal.registry.models import (
    CIVIL_STATUSES,
    NATIONAL_PROGRAMMES,
    NEED_LEVELS,
    RELATIONS,
    SEXES,
)
from portal.registry.views import search_filters
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error
from portal.urlargs import page_arg

bp = Blueprint("registry_import", __name__, url_prefix="/staf/registrasi")

PER_PAGE = 50
FILTER_LABELS = {
    "all": _l("All rows"),
    "problems": _l("Rows with problems"),
    "rejected": _l("Rejected"),
    "new": _l("New record"),
    "updated": _l("Changed"),
    "unchanged": _l("Unchanged"),
}


@dataclass
class Page:
    """Just what the `pager` macro needs."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@bp.context_processor
def _labels():
    return {
        "layouts_by_code": layouts.BY_CODE,
        "relations": RELATIONS,
        "sexes": SEXES,
        "civil_statuses": CIVIL_STATUSES,
        "national_programmes": NATIONAL_PROGRAMMES,
        "can_import": current_user.is_authenticated and current_user.role in EDITORS,
    }


def _batch_or_404(batch_id: int):
    batch = services.get_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


def _upload_page(form, status: int = 200):
    return (
        render_template(
            "registry/import_upload.html",
            form=form,
            batches=services.recent_batches(),
            limit_mb=round(services.upload_limit() / (1024 * 1024)),
        ),
        status,
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    # The upload was cut off by MAX_CONTENT_LENGTH before the view could read it: say
    # so beside the file field, on the page the operator came from. Anyone else (the
    # CSRF check reads the body before the role check) gets the plain error page.
    allowed = (
        current_user.is_authenticated
        and current_user.role in EDITORS
        and not staff_session.needs_second_factor(current_user)
    )
    if not allowed:
        title, message = MESSAGES[413]
        return render_template("errors/error.html", code=413, title=title, message=message), 413
    form = UploadForm(formdata=None)
    form.file.errors = [str(file_size_limit_message(services.upload_limit()))]
    return _upload_page(form, 413)


@bp.route("/impor/", methods=["GET"])
@roles_required(*READERS)
def upload():
    return _upload_page(UploadForm(formdata=None))


@bp.route("/impor/", methods=["POST"])
@roles_required(*EDITORS)
def upload_post():
    form = UploadForm()
    if not form.validate_on_submit():
        return _upload_page(form, 400)
    storage = form.file.data
    try:
        batch = services.start_import(
            storage.stream,
            storage.filename or "upload",
            actor=current_user,
            options={"programme": form.programme.data} if form.programme.data else {},
        )
    except services.PreviewError as exc:
        show_error(form, exc, fallback="file")
        return _upload_page(form, 400)
    return redirect(url_for("registry_import.batch", batch_id=batch.id))


@bp.route("/impor/<int:batch_id>")
@roles_required(*READERS)
def batch(batch_id: int):
    item = _batch_or_404(batch_id)
    which = request.args.get("baris", "all")
    if which not in services.ROW_FILTERS:
        which = "all"
    page = page_arg()
    rows, total = services.preview_rows(item, which, page, PER_PAGE)
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        abort(404)
    html = render_template(
        "registry/import_batch.html",
        batch=item,
        layout=layouts.BY_CODE.get(item.layout),
        rows=rows,
        total=total,
        which=which,
        filter_labels=FILTER_LABELS,
        pagination=Page(page, pages),
        display=services.DISPLAY[layouts.BY_CODE[item.layout].kind],
        button=EmptyForm(),
    )
    # The rows show NIK and KK numbers in full: logged once made, before it is sent.
    reads.view_import_rows(
        item, rows, which=which, page=page, actor=current_user, ip=request.remote_addr
    )
    return html


@bp.route("/impor/<int:batch_id>/konfirmasi", methods=["POST"])
@roles_required(*EDITORS)
def confirm(batch_id: int):
    item = _batch_or_404(batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        item = services.confirm_import(item, actor=current_user)
    except services.ConfirmError as exc:
        flash(str(exc.message), "error")
    else:
        flash(
            _("Imported: %(n)d changes written to the registry.", n=item.summary.get("writes", 0)),
            "success",
        )
    return redirect(url_for("registry_import.batch", batch_id=batch_id))


@bp.route("/impor/<int:batch_id>/batal", methods=["POST"])
@roles_required(*EDITORS)
def discard(batch_id: int):
    item = _batch_or_404(batch_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.discard_import(item, actor=current_user)
    except services.ConfirmError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("registry_import.batch", batch_id=batch_id))
    flash(_("The import was discarded; nothing was written."), "success")
    return redirect(url_for("registry_import.upload"))


@bp.route("/impor/<int:batch_id>/ditolak.<fmt>")
@roles_required(*EDITORS)  # the file's own cells: NIKs and KK numbers in full
def rejected(batch_id: int, fmt: str):
    item = _batch_or_404(batch_id)
    if fmt not in export.FORMATS:
        abort(404)
    content, mimetype, filename = services.rejected_rows_file(item, fmt)
    services.record_rejected_download(item, fmt, actor=current_user, ip=request.remote_addr)
    return _download(content, mimetype, filename)


def _download(content, mimetype: str, filename: str):
    if not isinstance(content, bytes):
        # Streamed (a CSV export): the rows are read from the database as it is sent.
        content = stream_with_context(content)
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@bp.route("/ekspor")
@roles_required(*EDITORS)
def export_page():
    """The export form, filled in with the search the operator came from (kept by id,
    `portal.searches`: the words are not in the address)."""
    filters, _args = search_filters()
    return render_template(
        "registry/import_export.html",
        filters=filters,
        need_levels=NEED_LEVELS,
        programmes=registry.programmes_for_filter(),
    )


@bp.route("/ekspor/unduh", methods=["POST"])
@roles_required(*EDITORS)
def export_download():
    """The file (a POST: the search words are in the form, not in a URL). Auditors get
    no export: the file holds NIK, KK numbers, birth dates and disability."""
    kind = request.form.get("isi", "households")
    fmt = request.form.get("format", "xlsx")
    if kind not in export.KINDS or fmt not in export.FORMATS:
        abort(404)
    content, mimetype, filename = export.export_list(
        registry.filters_from_args(request.form),
        kind,
        fmt,
        actor=current_user,
        ip=request.remote_addr,
    )
    return _download(content, mimetype, filename)
