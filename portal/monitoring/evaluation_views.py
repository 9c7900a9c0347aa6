"""The evaluation of a finished distribution round or of a year: public pages and the
PDF for the village meeting (/pemantauan/evaluasi), and the staff's page where editors
write the texts and link the residents' survey (/staf/pemantauan/evaluasi); auditors
read it there."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import cache
from portal.distribution import hooks as distribution_hooks
from portal.forms import choices
from portal.monitoring import services
from portal.monitoring.evaluation_forms import EvaluationForm
from portal.monitoring.evaluation_models import Evaluation
from portal.monitoring.evaluation_pdf import evaluation_pdf
from portal.monitoring.views import indicator_table_rows
from portal.roles import EDITORS, READERS, can
from portal.security import public, roles_required
from portal.service_errors import show_error

bp = Blueprint("monitoring_evaluation", __name__, url_prefix="/pemantauan/evaluasi")
manage = Blueprint("monitoring_evaluation_manage", __name__, url_prefix="/staf/pemantauan/evaluasi")
cache.watch(Evaluation)


@bp.context_processor
@manage.context_processor
def _rows():
    """The evaluation's indicator rows, written in Python (views.indicator_table_rows):
    the pages' context, not an app-wide Jinja global."""
    return {"indicator_table_rows": indicator_table_rows}


def _subject_or_404(kind: str, ref: int):
    subj = services.subject(kind, ref)
    if subj is None:
        abort(404)
    return subj


def _context(kind: str, ref: int, body: bool = True, plain: bool = False) -> dict:
    """The subject and its evaluation (`plain`: its texts as a plain row, for a page that
    only shows them), and (`body`) what _evaluation_body.html shows."""
    subj = _subject_or_404(kind, ref)
    evaluation = (services.evaluation_texts if plain else services.get_evaluation)(kind, ref)
    if not body:
        return {"subject": subj, "evaluation": evaluation}
    return {
        "subject": subj,
        "evaluation": evaluation,
        "rows": services.indicator_rows(subj),
        "survey": services.survey_view(evaluation),
        "minimum": services.MINIMUM_GROUP,
    }


@bp.route("/")
@public
def index():
    return render_template(
        "monitoring/evaluation_index.html",
        rounds=services.finished_rounds(),
        years=services.evaluation_years(),
        endpoint="monitoring_evaluation.{}_page",
    )


def _page(kind: str, ref: int):
    return render_template("monitoring/evaluation.html", **_context(kind, ref, plain=True))


@bp.route("/putaran/<int:ref>")
@public
def round_page(ref: int):
    return _page("round", ref)


@bp.route("/tahun/<int:ref>")
@public
def year_page(ref: int):
    return _page("year", ref)


@bp.route("/putaran/<int:ref>.pdf")
@public
def round_pdf(ref: int):
    return _pdf("round", ref)


@bp.route("/tahun/<int:ref>.pdf")
@public
def year_pdf(ref: int):
    return _pdf("year", ref)


def _pdf(kind: str, ref: int):
    ctx = _context(kind, ref)
    body = evaluation_pdf(ctx["subject"], ctx["rows"], ctx["evaluation"], ctx["survey"])
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="evaluasi-{kind}-{ref}.pdf"'
    return response


def _form(evaluation, formdata=True) -> EvaluationForm:
    form = EvaluationForm(obj=evaluation) if formdata else EvaluationForm(None, obj=evaluation)
    form.survey_id.choices = choices({0: "—", **dict(services.survey_choices())})
    if evaluation is not None and form.survey_id.data is None:
        form.survey_id.data = evaluation.survey_id or 0
    return form


def _manage_page(kind: str, ref: int, form=None, status=200):
    # Editors get the form, readers the evaluation's body: each page reads only its own.
    editing = can(current_user, "edit")
    ctx = _context(kind, ref, body=not editing)
    if editing:
        ctx["form"] = form or _form(ctx["evaluation"], formdata=False)
    return render_template("monitoring/manage/evaluation.html", **ctx), status


@manage.route("/putaran/<int:ref>")
@roles_required(*READERS)
def round_edit(ref: int):
    return _manage_page("round", ref)


@manage.route("/tahun/<int:ref>")
@roles_required(*READERS)
def year_edit(ref: int):
    return _manage_page("year", ref)


@manage.route("/putaran/<int:ref>", methods=["POST"])
@roles_required(*EDITORS)
def round_save(ref: int):
    return _save("round", ref)


@manage.route("/tahun/<int:ref>", methods=["POST"])
@roles_required(*EDITORS)
def year_save(ref: int):
    return _save("year", ref)


def _save(kind: str, ref: int):
    _subject_or_404(kind, ref)
    form = _form(services.get_evaluation(kind, ref))
    if form.validate_on_submit():
        data = {name: f.data for name, f in form._fields.items()}
        try:
            services.save_evaluation(kind, ref, data, actor=current_user._get_current_object())
        except services.MonitoringError as error:
            show_error(form, error)
        else:
            flash(_("The evaluation was saved."), "success")
            return redirect(url_for(f".{kind}_edit", ref=ref))
    return _manage_page(kind, ref, form, status=422)


@manage.route("/")
@roles_required(*READERS)
def manage_index():
    return render_template(
        "monitoring/evaluation_index.html",
        rounds=services.finished_rounds(),
        years=services.evaluation_years(),
        endpoint="monitoring_evaluation_manage.{}_edit",
    )


@bp.record_once
def _setup(state) -> None:
    # The public round page reads the open survey a round's evaluation links with the
    # round itself (one statement: distribution's hook, distribution imports no feature).
    distribution_hooks.register_round_survey(services.open_survey_column)
