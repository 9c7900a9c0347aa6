"""The officer's pages at a distribution point, under /petugas: choose the round and
point, find an invitation (typed code, name or RT: without JavaScript; the camera's
QR scan fills the same field), record the handover, void one (a second officer), and
the offline app (its page, the day's roster, the batch upload, the service worker)."""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from types import SimpleNamespace

from flask import (
    Blueprint,
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
from flask_wtf.csrf import generate_csrf
from sqlalchemy import and_, bindparam, func, select

from portal.database import read
from portal.distribution import roster as rosters
from portal.distribution import services
from portal.distribution.models import (
    COLLECTOR_KINDS,
    DistributionPoint,
    DistributionRound,
    Entitlement,
    Handover,
    milli,
)
from portal.distribution.point_forms import FindForm, HandoverForm, VoidForm
from portal.distribution.services.handover import file_path
from portal.extensions import db
from portal.form_html import field_html
from portal.models_base import village_today
from portal.roles import OFFICERS, READERS
from portal.security import public, roles_required
from portal.service_errors import show_error
from portal.uploads import mimetype_of

bp = Blueprint("distribution_point", __name__, url_prefix="/petugas")
# Who may see a handover's letter and photo: the officers and the staff who read.
FILE_READERS = tuple(dict.fromkeys((*OFFICERS, *READERS)))
CAMERA = "camera=(self), microphone=(), geolocation=()"


def _actor():
    return current_user._get_current_object()


@cache
def _place_statement():
    return (
        select(DistributionRound, DistributionPoint)
        .join(DistributionPoint, DistributionPoint.round_id == DistributionRound.id)
        .where(
            DistributionRound.id == bindparam("round_id"),
            DistributionPoint.id == bindparam("point_id"),
        )
    )


def _place(round_id: int, point_id: int):
    """The round and its point (one statement); 404 unless the point is the round's."""
    found = db.session.execute(
        _place_statement(), {"round_id": round_id, "point_id": point_id}
    ).first()
    if found is None:
        abort(404)
    return found[0], found[1]


@cache
def _point_page_statement():
    """The round and its point with the point's entitlements counted by status: a row per
    status (one with status None when the point has none)."""
    return (
        select(
            DistributionRound.id,
            DistributionRound.title_id,
            DistributionRound.title_en,
            DistributionRound.status,
            DistributionPoint.id,
            DistributionPoint.name,
            Entitlement.status,
            func.count(Entitlement.id),
        )
        .join(DistributionPoint, DistributionPoint.round_id == DistributionRound.id)
        .outerjoin(
            Entitlement,
            and_(
                Entitlement.round_id == DistributionRound.id,
                Entitlement.point_id == DistributionPoint.id,
            ),
        )
        .where(
            DistributionRound.id == bindparam("round_id"),
            DistributionPoint.id == bindparam("point_id"),
        )
        .group_by(DistributionRound.id, DistributionPoint.id, Entitlement.status)
    )


def _point_page_place(round_id: int, point_id: int):
    """What the point's page shows of its round and point (plain values, one statement)
    and the entitlements counted by status; 404 unless the point is the
    round's."""
    rows = read(
        db.session, _point_page_statement(), {"round_id": round_id, "point_id": point_id}
    ).all()
    if not rows:
        abort(404)
    first = rows[0]
    round_ = SimpleNamespace(id=first[0], title_id=first[1], title_en=first[2], status=first[3])
    point_ = SimpleNamespace(id=first[4], name=first[5])
    return round_, point_, {row[6]: row[7] for row in rows if row[6] is not None}


@cache
def _open_rounds_statement():
    """The rounds an officer may hand out in (newest first), each with its points in
    their order: a row per point (one with no point for a round without)."""
    return (
        select(
            DistributionRound.id,
            DistributionRound.title_id,
            DistributionRound.title_en,
            DistributionRound.starts_on,
            DistributionRound.ends_on,
            DistributionPoint.id,
            DistributionPoint.name,
            DistributionPoint.address,
        )
        .outerjoin(DistributionPoint, DistributionPoint.round_id == DistributionRound.id)
        .where(DistributionRound.status.in_(services.handover.HANDING_OUT))
        .order_by(DistributionRound.starts_on.desc(), DistributionRound.id, DistributionPoint.id)
    )


def _open_rounds() -> list[SimpleNamespace]:
    """services.open_rounds() with each round's points, as far as the landing page reads
    them, in one plain statement (the points were loaded round by round)."""
    rounds: dict[int, SimpleNamespace] = {}
    for rid, title_id, title_en, starts, ends, pid, name, address in read(
        db.session, _open_rounds_statement()
    ):
        shown = rounds.get(rid)
        if shown is None:
            shown = rounds[rid] = SimpleNamespace(
                id=rid, title_id=title_id, title_en=title_en, starts_on=starts, ends_on=ends,
                points=[],
            )  # fmt: skip
        if pid is not None:
            shown.points.append(SimpleNamespace(id=pid, name=name, address=address))
    return list(rounds.values())


@bp.route("/")
@roles_required(*OFFICERS)
def home():
    """The officer's landing page: the open rounds and their points."""
    return render_template("distribution/point/home.html", rounds=_open_rounds())


@bp.route("/<int:round_id>/<int:point_id>")
@roles_required(*OFFICERS)
def point(round_id: int, point_id: int):
    round_, point_, counts = _point_page_place(round_id, point_id)
    form = FindForm(request.args)
    found = None
    if request.args.get("q") is not None and form.validate():
        text = form.q.data
        if services.normalize_entitlement_code(text) is not None:
            try:
                entitlement = services.find_by_code(round_id, point_id, text)
            except services.DistributionError as error:
                show_error(form, error, "q")
            else:
                return redirect(
                    url_for(
                        ".entitlement",
                        round_id=round_id,
                        point_id=point_id,
                        entitlement_id=entitlement.id,
                    )
                )
        else:
            found = services.search(round_id, point_id, text)
    response = current_app.make_response(
        render_template(
            "distribution/point/point.html",
            round=round_,
            point=point_,
            form=form,
            found=found,
            counts=counts,
            field_html=field_html,
            open=round_.status in services.handover.HANDING_OUT,
        )
    )
    response.headers["Permissions-Policy"] = CAMERA
    return response


def _quantities(entitlement) -> tuple[dict[int, int | None], dict[int, str]]:
    """item id -> thousandths typed (None when it is not a number), and what was typed."""
    quantities, typed = {}, {}
    for line in entitlement.lines:
        text = request.form.get(f"item_{line.item_id}", "").strip()
        typed[line.item_id] = text
        try:
            value = Decimal(text.replace(",", "."))
            quantities[line.item_id] = milli(value) if value.is_finite() and value >= 0 else -1
        except InvalidOperation:
            quantities[line.item_id] = None
    return quantities, typed


def _blank_void_form() -> VoidForm:
    return VoidForm(meta={"csrf": False})


def _entitlement_page(round_, point_, entitlement, form, typed=None, item_errors=None, status=200):
    """The page shows the handover form only when nothing was handed over and nothing
    refuses it, the void form only beside a live handover: a GET (form None) builds
    only the one it shows."""
    handovers = services.handovers_of(entitlement.id)
    live = services.live_of(handovers)
    refusal = services.refusal_for(entitlement, live)
    if form is None and not live and not refusal:
        form = HandoverForm()
        form.collected_by.data = "collector" if entitlement.collector_id else None
    return (
        render_template(
            "distribution/point/entitlement.html",
            round=round_,
            point=point_,
            e=entitlement,
            form=form,
            blank_void_form=_blank_void_form,  # its field kept per worker (always blank)
            typed=typed or {},
            item_errors=item_errors or {},
            refusal=refusal,
            live=live,
            handovers=handovers,
            nik_tail=services.nik_tail,
            collector_kinds=COLLECTOR_KINDS,
        ),
        status,
    )


@bp.route("/<int:round_id>/<int:point_id>/hak/<int:entitlement_id>", methods=["GET", "POST"])
@roles_required(*OFFICERS)
def entitlement(round_id: int, point_id: int, entitlement_id: int):
    """Who collects, what is due, and the handover form (or when it was collected)."""
    try:
        placed = services.placed_entitlement(round_id, point_id, entitlement_id)
    except services.DistributionError:
        abort(404)
    if placed is None:
        abort(404)
    round_, point_, found = placed
    if request.method == "GET":
        return _entitlement_page(round_, point_, found, None)
    form = HandoverForm()
    quantities, typed = _quantities(found)
    if not form.validate_on_submit():
        return _entitlement_page(round_, point_, found, form, typed, status=422)
    for item_id, value in quantities.items():
        if value is None or value < 0:
            message = _("Enter a quantity such as 10 or 2,5 (0 when none was handed over).")
            return _entitlement_page(round_, point_, found, form, typed, {item_id: message}, 422)
    given = services.Given(
        collected_by=form.collected_by.data,
        quantities=quantities,
        cash_paid=form.cash_paid.data,
        partial_reason=form.partial_reason.data or "",
        proxy_name=form.proxy_name.data or "",
        proxy_relation=form.proxy_relation.data or "",
        proxy_letter=form.proxy_letter.image,
        photo=form.photo.image,
    )
    try:
        services.hand_over(round_id, point_id, found.id, given, actor=_actor())
    except services.DistributionError as error:
        db.session.rollback()
        field = error.field or ""
        if field.startswith("item_") and field[5:].isdigit():
            return _entitlement_page(
                round_, point_, found, form, typed, {int(field[5:]): error.message}, 422
            )
        show_error(form, error, "collected_by")
        return _entitlement_page(round_, point_, found, form, typed, status=422)
    flash(_("The handover is recorded."), "success")
    return redirect(url_for(".point", round_id=round_id, point_id=point_id))


@bp.route("/serah/<int:handover_id>/batal", methods=["POST"])
@roles_required(*OFFICERS)
def void(handover_id: int):
    handover = db.get_or_404(Handover, handover_id)
    form = VoidForm()
    target = url_for(
        ".entitlement",
        round_id=handover.round_id,
        point_id=handover.point_id or 0,
        entitlement_id=handover.entitlement_id,
    )
    if not form.validate_on_submit():
        flash(_("Give the reason for the void."), "error")
        return redirect(target)
    try:
        services.void_handover(handover_id, reason=form.reason.data, actor=_actor())
    except services.DistributionError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("The handover is void; the household may collect again."), "success")
    return redirect(target)


@bp.route("/serah/<int:handover_id>/<kind>")
@roles_required(*FILE_READERS)
def handover_file(handover_id: int, kind: str):
    """The power of attorney or the photo of a handover: staff only, never cached."""
    if kind not in ("surat", "foto"):
        abort(404)
    handover = db.get_or_404(Handover, handover_id)
    path = file_path(handover, kind)
    if path is None:
        abort(404)
    with open(path, "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype=mimetype_of(path))
    response.headers["Content-Disposition"] = "inline"
    return response


# --- the offline app --------------------------------------------------------------------


def _day() -> date | None:
    text = request.args.get("hari", "")
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        abort(404)


@bp.route("/<int:round_id>/<int:point_id>/luring")
@roles_required(*OFFICERS)
def offline(round_id: int, point_id: int):
    """The installable app's page: works from the phone's roster without a signal."""
    round_, point_ = _place(round_id, point_id)
    days = rosters.days(point_)
    day = _day() or rosters.default_day(days, village_today())
    response = current_app.make_response(
        render_template(
            "distribution/point/offline.html", round=round_, point=point_, days=days, day=day
        )
    )
    response.headers["Permissions-Policy"] = CAMERA
    return response


@bp.route("/<int:round_id>/<int:point_id>/daftar.json")
@roles_required(*OFFICERS)
def roster(round_id: int, point_id: int):
    """The point's roster for a day, for the phone; 410 once the round is not open (the
    phone then deletes what it kept)."""
    round_, point_ = _place(round_id, point_id)
    if round_.status not in services.handover.HANDING_OUT:
        return jsonify({"closed": True}), 410
    day = _day() or rosters.default_day(rosters.slot_days(point_), village_today())
    return jsonify(rosters.roster(round_, point_, day, csrf=generate_csrf()))


@bp.route("/<int:round_id>/<int:point_id>/kirim", methods=["POST"])
@roles_required(*OFFICERS)
def sync(round_id: int, point_id: int):
    """A batch of handovers recorded offline (JSON); one outcome per record."""
    _place(round_id, point_id)
    body = request.get_json(silent=True) or {}
    try:
        outcomes = services.sync_batch(round_id, point_id, body.get("handovers"), actor=_actor())
    except services.DistributionError as error:
        db.session.rollback()
        return jsonify({"error": str(error.message)}), 400
    return jsonify({"results": [o.as_dict() for o in outcomes], "csrf": generate_csrf()})


@bp.route("/sw.js")
@public
def service_worker():
    """The offline app's service worker (static/js/officer-sw.js), allowed to look after
    /petugas/ (a worker served from /static/js/ could only look after that folder)."""
    # A few kilobytes, read whole: no file left open by a client that does not read it.
    with open(os.path.join(current_app.static_folder, "js", "officer-sw.js"), "rb") as fh:
        body = fh.read()
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/petugas/"
    response.headers["Cache-Control"] = "no-cache"
    return response
