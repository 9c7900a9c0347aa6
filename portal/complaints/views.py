"""Public complaint pages: the form, the code after filing (with its QR code), the
tracking page and the statistics. No account is needed for any of them.

Nothing here logs or stores who is asking. Pages that show a complaint are never cached
(`no-store`): a shared phone's browser should not keep them.
"""

from __future__ import annotations

import hashlib
import io

import segno
from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from portal.cache import cached_page
from portal.complaints import services, status_page
from portal.complaints.forms import ComplaintForm, TrackForm
from portal.complaints.models import CATEGORIES, STEP_KINDS
from portal.extensions import limiter
from portal.security import csrf_after_limits, public
from portal.service_errors import show_error

bp = Blueprint("complaints", __name__, url_prefix="/pengaduan")

SESSION_KEY = "complaint_code"


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        complaint_categories=CATEGORIES,
        complaint_steps=STEP_KINDS,
        format_code=services.format_code,
    )


def _file_limit() -> str:
    return current_app.config.get("COMPLAINT_FILE_LIMIT", "5 per hour;20 per day")


def _track_limit() -> str:
    return current_app.config.get("COMPLAINT_TRACK_LIMIT", "30 per minute;1000 per day")


# One budget for every way of trying a code (tracking form, status page, QR image).
track_limit = limiter.shared_limit(_track_limit, scope="complaint-track")


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("", methods=["GET", "POST"])
@limiter.limit(_file_limit, methods=["POST"])
@public
@csrf_after_limits
def new():
    form = ComplaintForm()
    staff = services.staff_members()
    form.set_staff(staff)
    if form.validate_on_submit():
        anonymous = form.identity.data != "named"
        try:
            _complaint, code = services.file_complaint(
                category=form.category.data,
                description=form.description.data,
                anonymous=anonymous,
                rt=form.rt.data,
                rw=form.rw.data,
                photo=form.photo.image,
                reporter_name=None if anonymous else form.reporter_name.data,
                reporter_contact=None if anonymous else form.reporter_contact.data,
                named_staff_id=form.named_staff_id,
                named_staff_text=form.named_staff_text,
            )
        except services.ComplaintError as error:
            show_error(form, error, fallback="description")
        else:
            # The code is stored nowhere on the server: it travels once, in the signed
            # session cookie, to the page that shows it.
            session[SESSION_KEY] = code
            return redirect(url_for("complaints.filed"))
    status = 400 if form.errors else 200
    # A GET's fields are blank but for the staff menu: kept per worker under its names.
    blank = None if form.is_submitted() else _blank_key(staff)
    return render_template("complaints/new.html", form=form, blank=blank), status


def _blank_key(staff) -> str:
    """The name the blank form's fields are kept under: the staff (id, name) in its menu
    (the language, the role and the address are in kept_fragment's key already)."""
    menu = repr([(number, name) for number, name in staff]).encode()
    return "blank-complaint-form:" + hashlib.sha256(menu).hexdigest()


@bp.route("/terkirim")
@public
def filed():
    code = session.pop(SESSION_KEY, None)
    if not code:
        return redirect(url_for("complaints.track"))
    return _private(current_app.make_response(render_template("complaints/filed.html", code=code)))


@bp.route("/lacak")
@track_limit
@public
def track():
    form = TrackForm(request.args)
    if "kode" in request.args and form.validate():
        code = services.normalise_code(form.kode.data)
        return redirect(url_for("complaints.status", code=code))
    status = 400 if form.errors else 200
    return render_template("complaints/track.html", form=form), status


def _by_code(code: str):
    complaint = services.find_by_code(code)
    if complaint is None:
        # The same 404 page as any unknown address: a wrong code tells nothing.
        abort(404)
    return complaint


@bp.route("/<code>")
@track_limit
@public
def status(code: str):
    found = status_page.find_with_public_steps(code)
    if found is None:
        # The same 404 page as any unknown address: a wrong code tells nothing.
        abort(404)
    canonical, complaint, steps = found
    if code != canonical:
        return redirect(url_for("complaints.status", code=canonical))
    response = current_app.make_response(
        render_template(
            "complaints/status.html",
            complaint=complaint,
            steps=steps,
            code=canonical,
            is_staff=current_user.is_authenticated and current_user.is_staff,
            status_body=status_page.status_body,
        )
    )
    return _private(response)


@bp.route("/<code>/qr.svg")
@track_limit
@public
def qr(code: str):
    _by_code(code)
    url = url_for("complaints.status", code=services.normalise_code(code), _external=True)
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=4, title=url)
    return _private(current_app.response_class(out.getvalue(), mimetype="image/svg+xml"))


@bp.route("/statistik")
@public
@cached_page
def statistics():
    return render_template("complaints/statistics.html", stats=services.statistics())
