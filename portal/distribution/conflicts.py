"""Staff page for offline handovers that met an entitlement already collected
(`SyncConflict`): kept until a person decides, at /staf/penyaluran/konflik."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.distribution import services
from portal.distribution.models import CONFLICT_STATUSES
from portal.distribution.point_forms import DecideForm
from portal.extensions import db
from portal.roles import EDITORS, READERS
from portal.security import roles_required

bp = Blueprint("distribution_conflicts", __name__, url_prefix="/staf/penyaluran/konflik")


@bp.route("/")
@roles_required(*READERS)
def index():
    status = request.args.get("status", "open")
    if status not in CONFLICT_STATUSES:
        status = "open"
    return render_template(
        "distribution/point/manage/conflicts.html",
        conflicts=services.conflicts(status),
        status=status,
        statuses=CONFLICT_STATUSES,
        form=DecideForm(),
        live_handover=services.live_handover,
    )


@bp.route("/<int:conflict_id>", methods=["POST"])
@roles_required(*EDITORS)
def decide(conflict_id: int):
    form = DecideForm()
    if not form.validate_on_submit():
        flash(_("Write why you decided so."), "error")
        return redirect(url_for(".index"))
    try:
        services.decide_conflict(
            conflict_id,
            outcome=form.outcome.data,
            note=form.note.data,
            actor=current_user._get_current_object(),
        )
    except services.DistributionError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        flash(_("The decision is recorded."), "success")
    return redirect(url_for(".index"))
