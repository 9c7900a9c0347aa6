"""Staff pages of participation (/staf/partisipasi): ballots and their results,
surveys with summary and exports, and the moderation queue.

Operators and admins act; auditors read. No page here lists who voted for what: the
ballot page shows the same aggregates as the public one.
"""

from __future__ import annotations

from datetime import UTC

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user

from portal.extensions import db
from portal.form_html import BlankForm, fields_html
from portal.forms import EmptyForm, TokenOnly
from portal.i18n import current_lang
from portal.participation import services
from portal.participation.forms import BallotForm, HideForm, QuestionForm, SurveyForm
from portal.participation.models import (
    QUESTION_KINDS,
    RESULT_MODES,
    SURVEY_STATUSES,
    Ballot,
    Survey,
)
from portal.participation.summary_rows import choice_items
from portal.roles import EDITORS, READERS
from portal.security import roles_required
from portal.service_errors import show_error

bp = Blueprint("participation_manage", __name__, url_prefix="/staf/partisipasi")


@bp.context_processor
def _labels():
    """Labels only the staff pages of participation show (not app-wide Jinja globals)."""
    return {
        "question_kinds": QUESTION_KINDS,
        "survey_statuses": SURVEY_STATUSES,
        "result_modes": RESULT_MODES,
    }


def _actor():
    return current_user._get_current_object()


@bp.route("/")
@roles_required(*READERS)
def index():
    return render_template(
        "participation/manage/index.html",
        # Plain rows of what the lists show (not whole ballots and surveys).
        ballots=services.ballot_rows(),
        surveys=services.survey_rows(),
        flagged=services.flagged_count(),
    )


# --- ballots ------------------------------------------------------------------------------


def _ballot_data(form: BallotForm) -> dict:
    data = {key: getattr(form, key).data for key in services.RULE_FIELDS}
    # The operator types village time; it is stored in UTC.
    for key in ("opens_at", "closes_at"):
        data[key] = to_utc(data[key]).replace(tzinfo=UTC)
    data["options"] = services.parse_options(form.options.data)
    return data


def _edit_ballot(ballot: Ballot | None):
    if ballot is not None and ballot.has_opened():
        # The form is not even offered: the rules of an open ballot are frozen.
        if request.method == "POST":
            flash(str(services.LOCKED), "error")
            return redirect(url_for("participation_manage.ballot", ballot_id=ballot.id))
        return render_template("participation/manage/ballot_form.html", ballot=ballot, form=None)
    if ballot is None and request.method == "GET":  # its blank fields are kept (the template)
        return render_template(
            "participation/manage/ballot_form.html",
            ballot=None,
            form=BlankForm(BallotForm),
            fields_html=fields_html,
        )
    form = BallotForm(obj=ballot)
    if ballot is not None and request.method == "GET":
        form.options.data = services.options_text(ballot)
        for key in ("opens_at", "closes_at"):
            value = getattr(ballot, key)
            value = value if value.tzinfo else value.replace(tzinfo=UTC)
            getattr(form, key).data = to_user_timezone(value).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            saved = services.save_ballot(ballot, _ballot_data(form), _actor())
        except services.ParticipationError as error:
            show_error(form, error)
        else:
            flash(_("The ballot is saved."), "success")
            return redirect(url_for("participation_manage.ballot", ballot_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "participation/manage/ballot_form.html", ballot=ballot, form=form, fields_html=fields_html
    ), status


@bp.route("/pemungutan/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_ballot():
    return _edit_ballot(None)


@bp.route("/pemungutan/<int:ballot_id>/ubah", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_ballot(ballot_id: int):
    return _edit_ballot(db.get_or_404(Ballot, ballot_id))


@bp.route("/pemungutan/<int:ballot_id>")
@roles_required(*READERS)
def ballot(ballot_id: int):
    # The ballot with its options (the results' rows): one statement.
    item = services.ballot_with_options(ballot_id)
    if item is None:
        abort(404)
    return render_template(
        "participation/manage/ballot.html",
        ballot=item,
        results=services.results(item),
        button=TokenOnly(),
    )


@bp.route("/pemungutan/<int:ballot_id>/terbitkan", methods=["POST"])
@roles_required(*EDITORS)
def publish(ballot_id: int):
    item = db.get_or_404(Ballot, ballot_id)
    if EmptyForm().validate_on_submit():
        try:
            services.publish_results(item.id, _actor())
        except services.ParticipationError as error:
            flash(str(error.message), "error")
        else:
            flash(_("The final results are published."), "success")
    return redirect(url_for("participation_manage.ballot", ballot_id=ballot_id))


@bp.route("/pemungutan/<int:ballot_id>/hasil.csv")
@roles_required(*READERS)
def results_csv(ballot_id: int):
    item = db.get_or_404(Ballot, ballot_id)
    return Response(
        services.results_csv(item, current_lang()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=hasil-pemungutan-{item.id}.csv"},
    )


# --- surveys ------------------------------------------------------------------------------


@bp.route("/survei/baru", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_survey():
    form = SurveyForm()
    if form.validate_on_submit():
        item = services.save_survey(None, form.data, _actor())
        flash(_("The survey is saved. Now add its questions."), "success")
        return redirect(url_for("participation_manage.survey", survey_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("participation/manage/survey_form.html", form=form), status


@bp.route("/survei/<int:survey_id>")
@roles_required(*READERS)
def survey(survey_id: int):
    # The survey with its questions (the summary's): one statement.
    item = services.survey_with_questions(survey_id)
    if item is None:
        abort(404)
    return render_template(
        "participation/manage/survey.html",
        survey=item,
        # The question form shows only on a draft survey.
        form=QuestionForm() if item.status == "draft" else None,
        button=TokenOnly(),
        summary=services.survey_summary(item),
        choice_items=choice_items,
    )


@bp.route("/survei/<int:survey_id>/pertanyaan", methods=["POST"])
@roles_required(*EDITORS)
def add_question(survey_id: int):
    item = db.get_or_404(Survey, survey_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(item, form.data, _actor())
        except services.ParticipationError as error:
            show_error(form, error)
        else:
            flash(_("The question is added."), "success")
            return redirect(url_for("participation_manage.survey", survey_id=survey_id))
    return render_template(
        "participation/manage/survey.html",
        survey=item,
        form=form,
        button=EmptyForm(),
        summary=services.survey_summary(item),
        choice_items=choice_items,
    ), 400


@bp.route("/survei/<int:survey_id>/pertanyaan/<int:question_id>/hapus", methods=["POST"])
@roles_required(*EDITORS)
def remove_question(survey_id: int, question_id: int):
    item = db.get_or_404(Survey, survey_id)
    if EmptyForm().validate_on_submit():
        try:
            services.remove_question(item, question_id, _actor())
        except services.ParticipationError as error:
            flash(str(error.message), "error")
    return redirect(url_for("participation_manage.survey", survey_id=survey_id))


@bp.route("/survei/<int:survey_id>/buka", methods=["POST"])
@roles_required(*EDITORS)
def open_survey(survey_id: int):
    return _survey_status(survey_id, "open")


@bp.route("/survei/<int:survey_id>/tutup", methods=["POST"])
@roles_required(*EDITORS)
def close_survey(survey_id: int):
    return _survey_status(survey_id, "closed")


def _survey_status(survey_id: int, status: str):
    item = db.get_or_404(Survey, survey_id)
    if EmptyForm().validate_on_submit():
        try:
            services.set_survey_status(item, status, _actor())
        except services.ParticipationError as error:
            flash(str(error.message), "error")
    return redirect(url_for("participation_manage.survey", survey_id=survey_id))


@bp.route("/survei/<int:survey_id>/jawaban.csv")
@roles_required(*READERS)
def export_csv(survey_id: int):
    return _survey_export(survey_id, "csv")


@bp.route("/survei/<int:survey_id>/jawaban.xlsx")
@roles_required(*READERS)
def export_xlsx(survey_id: int):
    return _survey_export(survey_id, "xlsx")


def _survey_export(survey_id: int, fmt: str):
    item = db.get_or_404(Survey, survey_id)
    content = services.export_answers(item, fmt, _actor())
    name = f"survei-{item.id}-jawaban.{fmt}"
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    if fmt == "csv":
        return Response(content, mimetype="text/csv", headers=headers)
    return Response(
        content,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


# --- moderation ---------------------------------------------------------------------------


@bp.route("/moderasi")
@roles_required(*READERS)
def moderation():
    proposals, comments = services.flagged()
    return render_template(
        "participation/manage/moderation.html",
        proposals=proposals,
        comments=comments,
        # Both only write their CSRF input here (no form's fields are shown).
        form=TokenOnly(),
        button=TokenOnly(),
    )


@bp.route("/moderasi/usulan/<int:target_id>/sembunyikan", methods=["POST"])
@roles_required(*EDITORS)
def hide_proposal(target_id: int):
    return _hide("proposal", target_id)


@bp.route("/moderasi/komentar/<int:target_id>/sembunyikan", methods=["POST"])
@roles_required(*EDITORS)
def hide_comment(target_id: int):
    return _hide("comment", target_id)


def _hide(kind: str, target_id: int):
    form = HideForm()
    if not form.validate_on_submit():
        flash(_("Give the reason, it is shown in place of the text."), "error")
        return redirect(url_for("participation_manage.moderation"))
    try:
        services.hide(kind, target_id, _actor(), form.reason.data)
    except services.ParticipationError as error:
        flash(str(error.message), "error")
    else:
        flash(_("Hidden. The reason is shown in its place."), "success")
    return redirect(url_for("participation_manage.moderation"))


@bp.route("/moderasi/usulan/<int:target_id>/tampilkan", methods=["POST"])
@roles_required(*EDITORS)
def unhide_proposal(target_id: int):
    return _unhide("proposal", target_id)


@bp.route("/moderasi/komentar/<int:target_id>/tampilkan", methods=["POST"])
@roles_required(*EDITORS)
def unhide_comment(target_id: int):
    return _unhide("comment", target_id)


def _unhide(kind: str, target_id: int):
    if EmptyForm().validate_on_submit():
        try:
            services.unhide(kind, target_id, _actor())
        except services.ParticipationError as error:
            flash(str(error.message), "error")
    return redirect(url_for("participation_manage.moderation"))
