"""Training in public (course list, course page, calendar, .ics, certificate check),
the resident's own places (sign up, cancel, certificate, feedback) and the trainer's
pages (session lists, attendance that works offline, completion)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from portal import cache, filecache
from portal.cache import cached_page
from portal.csrf_tokens import generate_csrf
from portal.extensions import db
from portal.htmx import render
from portal.i18n import current_lang
from portal.numbers import db_int
from portal.privacy import mask_name
from portal.roles import RESIDENTS as RESIDENT
from portal.roles import TRAINERS
from portal.security import public, roles_required
from portal.training import certificates, course_html, services
from portal.training.calendar_rows import calendar_rows
from portal.training.forms import ActionForm, CodeForm, FeedbackForm
from portal.training.models import (
    CATEGORIES,
    PRIORITY_RULES,
    Course,
    Place,
    TrainingSession,
)
from portal.training.session_cards import session_cards
from portal.urlargs import id_arg

bp = Blueprint("training", __name__, url_prefix="/pelatihan")
trainer_bp = Blueprint("training_trainer", __name__, url_prefix="/pelatih")


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        training_categories=CATEGORIES,
        priority_rules=PRIORITY_RULES,
        training_rule_text=services.rule_text,
        training_mask=mask_name,
        waitlist_position=services.waitlist_position,
    )
    # A course published, withdrawn or edited shows at once on the cached pages. Its
    # sessions are not watched: their seat counts move with every sign-up, which would
    # empty the whole cache each time; seats left and session changes show within
    # PUBLIC_CACHE_SECONDS.
    cache.watch(Course)


def _ics(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- public ------------------------------------------------------------------------


@bp.route("/")
@public
@cached_page
def courses():
    category = request.args.get("kategori") or None
    if category is not None and category not in CATEGORIES:
        abort(404)
    return render(
        "training/courses.html",
        "training/_courses.html",
        courses=services.published_courses(category),
        category=category,
    )


@bp.route("/kursus/<int:course_id>")
@public
def course(course_id: int):
    if current_user.is_authenticated and current_user.role == "resident":
        # The course, its sessions and the resident's places in them: one statement.
        found = services.published_course_with_places(course_id, current_user)
        if found is None:
            abort(404)
        item, sessions, mine = found
        return _course_page(item, lists=(sessions, mine))
    item = services.published_course(course_id)
    if item is None:
        abort(404)
    return _course_page(item)


def _csrf_field() -> Markup:
    """What ActionForm().csrf_token() writes (the form has nothing else; the course page
    wrote only its token): the session's token field, or nothing with CSRF turned off."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return Markup("")
    token = escape(generate_csrf())
    return Markup(f'<input name="csrf_token" type="hidden" value="{token}">')  # noqa: S704


def _course_page(item, error=None, error_session=None, status=200, lists=None):
    if lists is not None:
        sessions, mine = lists
    elif current_user.is_authenticated and current_user.role == "resident":
        # The sessions and the resident's places in them: one statement.
        sessions, mine = services.upcoming_with_places(item, current_user)
    else:
        sessions, mine = services.upcoming_sessions(item), {}
    return (
        render_template(
            "training/course.html",
            course=item,
            sessions=sessions,
            mine=mine,
            csrf_field=_csrf_field,
            course_head=course_html.course_head,
            error=error,
            error_session=error_session,
            session_open=services.session_open,
            session_cards=session_cards,
        ),
        status,
    )


@bp.route("/sesi/<int:session_id>/daftar", methods=["POST"])
@roles_required(*RESIDENT)
def sign_up(session_id: int):
    ts = db.session.get(TrainingSession, session_id)
    if ts is None or not ts.course.published:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        place = services.sign_up(session_id, services.applicant_for_user(current_user))
    except services.TrainingError as error:
        return _course_page(ts.course, error=error.message, error_session=session_id, status=422)
    if place.status == "enrolled":
        flash(_("Your place is confirmed."), "success")
    else:
        flash(
            _(
                "The session is full. You are number %(pos)d on the waitlist.",
                pos=services.waitlist_position(place),
            ),
            "info",
        )
    return redirect(url_for("training.my_place", place_id=place.id))


@bp.route("/sesi/<int:session_id>.ics")
@public
def session_ics(session_id: int):
    ts = db.session.get(TrainingSession, session_id)
    if ts is None or not ts.course.published or ts.cancelled:
        abort(404)
    data = certificates.calendar_bytes([ts], current_lang(), _("Training"))
    return _ics(data, f"pelatihan-{ts.id}.ics")


@bp.route("/kalender")
@public
@cached_page
def calendar():
    return render_template(
        "training/calendar.html",
        sessions=services.upcoming_sessions(),
        calendar_rows=calendar_rows,
    )


@bp.route("/kalender.ics")
@public
def calendar_ics():
    data = certificates.calendar_bytes(
        services.upcoming_sessions(), current_lang(), _("Village training courses")
    )
    return _ics(data, "pelatihan.ics")


@bp.route("/sertifikat")
@public
def certificate_form():
    form = CodeForm(request.args)
    if request.args.get("code") is not None and form.validate():
        code = services.normalize_code(form.code.data)
        if code is None:
            form.code.errors = [_("This is not a certificate code.")]
        else:
            return redirect(url_for("training.certificate_check", code=code))
    return render_template("training/verify.html", form=form, place=None, checked=False)


@bp.route("/sertifikat/<code>")
@public
def certificate_check(code: str):
    place = services.certificate(code)
    form = CodeForm(data={"code": code})
    status = 200 if place is not None else 404
    return (
        render_template("training/verify.html", form=form, place=place, checked=True, code=code),
        status,
    )


# --- the resident's own places ------------------------------------------------------


def _my_place(place_id: int) -> Place:
    place = services.place_of(current_user, place_id)
    if place is None:
        abort(404)
    return place


@bp.route("/saya")
@roles_required(*RESIDENT)
def my_places():
    return render_template("training/my_places.html", places=services.places_of(current_user))


@bp.route("/saya/<int:place_id>")
@roles_required(*RESIDENT)
def my_place(place_id: int):
    place = _my_place(place_id)
    return render_template(
        "training/my_place.html",
        place=place,
        position=services.waitlist_position(place),
        form=ActionForm(),
        feedback=services.feedback_of(place),
        may_give_feedback=services.may_give_feedback(place),
    )


@bp.route("/saya/<int:place_id>/batal", methods=["POST"])
@roles_required(*RESIDENT)
def my_cancel(place_id: int):
    place = _my_place(place_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.cancel(place.id)
    except services.TrainingError as error:
        flash(error.message, "error")
    else:
        flash(_("Your place is cancelled."), "success")
    return redirect(url_for("training.my_places"))


@bp.route("/saya/<int:place_id>/sertifikat.pdf")
@roles_required(*RESIDENT)
def my_certificate(place_id: int):
    place = _my_place(place_id)
    if place.certificate_code is None or place.completed_at is None:
        abort(404)
    with filecache.render_slot():
        body = certificates.certificate_pdf(place)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sertifikat-{place.certificate_code}.pdf"'
    )
    return response


@bp.route("/saya/<int:place_id>/ulasan", methods=["GET", "POST"])
@roles_required(*RESIDENT)
def my_feedback(place_id: int):
    place = _my_place(place_id)
    if not services.may_give_feedback(place) or services.feedback_of(place) is not None:
        return redirect(url_for("training.my_place", place_id=place.id))
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            services.give_feedback(
                place, int(form.rating.data), form.business.data, form.comment.data
            )
        except services.TrainingError as error:
            flash(error.message, "error")
        else:
            flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("training.my_place", place_id=place.id))
    status = 422 if form.errors else 200
    return render_template("training/feedback.html", place=place, form=form), status


# --- trainers --------------------------------------------------------------------------


def _teach(session_id: int) -> TrainingSession:
    ts = db.session.get(TrainingSession, session_id)
    if ts is None:
        abort(404)
    if not services.may_teach(current_user, ts):
        abort(403)
    return ts


@trainer_bp.route("/")
@roles_required(*TRAINERS)
def sessions():
    return render_template(
        "training/trainer_sessions.html", sessions=services.trainer_sessions(current_user)
    )


@trainer_bp.route("/sesi/<int:session_id>")
@roles_required(*TRAINERS)
def session(session_id: int):
    ts = _teach(session_id)
    return render_template(
        "training/trainer_session.html",
        ts=ts,
        places=services.participants(ts.id),
        form=ActionForm(),
        new_id=services.new_client_id,
    )


@trainer_bp.route("/sesi/<int:session_id>/hadir", methods=["POST"])
@roles_required(*TRAINERS)
def attendance(session_id: int):
    """Marks from the page: a JSON list (the offline script) or one plain form."""
    ts = _teach(session_id)
    if request.is_json:
        payload = request.get_json(silent=True) or {}
        marks = []
        for item in payload.get("marks", [])[:500]:
            try:
                place_id = db_int(item["place"])
                if place_id is not None:
                    marks.append(services.Mark(str(item["id"]), place_id, bool(item["present"])))
            except (KeyError, TypeError):
                continue
        applied = services.record_marks(ts, marks, actor=current_user)
        return jsonify({"applied": applied, "received": [m.client_id for m in marks]})
    if not ActionForm().validate_on_submit():
        abort(400)
    place_id = id_arg("place_id", request.form)
    if place_id is None:
        abort(400)
    mark = services.Mark(
        request.form.get("client_id", ""), place_id, request.form.get("present") == "1"
    )
    services.record_marks(ts, [mark], actor=current_user)
    flash(_("Attendance saved."), "success")
    return redirect(url_for("training_trainer.session", session_id=ts.id))


@trainer_bp.route("/sesi/<int:session_id>/selesai", methods=["POST"])
@roles_required(*TRAINERS)
def complete(session_id: int):
    ts = _teach(session_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ids = [i for i in map(db_int, request.form.getlist("place")) if i is not None]
    done = services.complete(ts, ids, actor=current_user)
    flash(_("%(count)d participants marked as completed.", count=done), "success")
    return redirect(url_for("training_trainer.session", session_id=ts.id))


def register(app) -> None:
    """Register the three training blueprints (public and resident, trainer, staff)."""
    from portal.csr import hooks as csr_hooks
    from portal.training import identity
    from portal.training.manage import bp as manage_bp

    app.register_blueprint(bp)
    app.register_blueprint(trainer_bp)
    app.register_blueprint(manage_bp)
    identity.listen()
    # A need's page lists the courses its training pledges became (csr does not import us).
    csr_hooks.set_course_finder(app, services.courses_from_pledges)
    from portal.training.cli import cli

    app.cli.add_command(cli)
