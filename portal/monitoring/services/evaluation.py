"""The evaluation after a distribution round (closed or reconciled) or a year, for the
village meeting: the indicators against that year's targets, the staff's texts (what
went well, what did not, what changes) and the residents' view from a linked survey,
summarised only from five answers and never a count under five."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from portal.audit.services import record
from portal.database import read, write_transaction
from portal.distribution import queries as distribution
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import village_today
from portal.monitoring.evaluation_models import EVALUATION_KINDS, EVALUATION_TEXTS, Evaluation
from portal.monitoring.services.common import MonitoringError, clean
from portal.monitoring.services.computed import MINIMUM_GROUP
from portal.monitoring.services.indicators import IndicatorRow, dashboard_rows
from portal.participation import queries as participation_queries
from portal.participation import services as participation

# Rounds that are over: their evaluation can be written.
EVALUATED_ROUNDS = ("closed", "reconciled")
TEXT_LIMIT = 4000


@dataclass
class Subject:
    """What an evaluation is about: a finished round or a year."""

    kind: str
    ref: int
    year: int
    round: distribution.RoundRow | None = None

    def title(self, lang: str) -> str:
        return self.round.title(lang) if self.round else str(self.ref)


@dataclass
class SurveyView:
    survey: object
    answered: int
    enough: bool
    questions: list = field(default_factory=list)


def subject(kind: str, ref: int) -> Subject | None:
    """The round (closed or reconciled) or the year (not in the future), else None."""
    if kind == "round":
        row = distribution.round_row(ref)
        if row is None or row.status not in EVALUATED_ROUNDS:
            return None
        return Subject("round", ref, row.starts_on.year, row)
    if kind == "year" and 2000 <= ref <= village_today().year:
        return Subject("year", ref, ref)
    return None


def finished_rounds() -> list[distribution.RoundRow]:
    return distribution.rounds(EVALUATED_ROUNDS)


def evaluation_years() -> list[int]:
    this_year = village_today().year
    return [this_year, this_year - 1, this_year - 2]


@cache
def _evaluation_statement():
    return select(Evaluation).where(
        Evaluation.kind == bindparam("kind"), Evaluation.ref == bindparam("ref")
    )


def get_evaluation(kind: str, ref: int) -> Evaluation | None:
    return db.session.scalar(_evaluation_statement(), {"kind": kind, "ref": ref})


LANGS = ("id", "en")


def evaluation_texts(kind: str, ref: int):
    """The evaluation's texts in both languages and its survey's id, as a plain row
    (None without an evaluation): what the public evaluation page shows of it, read
    past the ORM (`get_evaluation` gives the record, for the form and the PDF)."""
    return read(db.session, _texts_statement(), {"kind": kind, "ref": ref}).first()


@cache
def _texts_statement():
    texts = [getattr(Evaluation, f"{name}_{lang}") for name in EVALUATION_TEXTS for lang in LANGS]
    return select(Evaluation.id, *texts, Evaluation.survey_id).where(
        Evaluation.kind == bindparam("kind"), Evaluation.ref == bindparam("ref")
    )


def open_survey_column(round_id):
    """The id of the survey the evaluation of the round `round_id` (a column of another
    statement: distribution's round) links while it is open, NULL otherwise: a scalar
    subquery that distribution's public round page reads with the round
    (distribution/hooks.register_round_survey)."""
    linked = (
        select(Evaluation.survey_id)
        .where(Evaluation.kind == "round", Evaluation.ref == round_id)
        .scalar_subquery()
    )
    surveys = participation_queries.open_survey_statement(linked)
    return surveys.with_only_columns(surveys.selected_columns.id).scalar_subquery()


@cache  # built once (a survey page asks on every request); the survey bound
def _rounds_asking_statement():
    return (
        select(Evaluation.ref)
        .where(Evaluation.kind == "round", Evaluation.survey_id == bindparam("survey_id"))
        .order_by(Evaluation.ref)
    )


def indicator_rows(subj: Subject) -> list[IndicatorRow]:
    """The indicators for the subject's year, against that year's targets."""
    return dashboard_rows([subj.year])


def survey_choices() -> list[tuple[int, str]]:
    return [(s.id, s.title_id) for s in participation.surveys()]


def survey_view(evaluation: Evaluation | None) -> SurveyView | None:
    """The linked survey's summary, only from five answers; a choice chosen by fewer
    than five is shown as "fewer than five" (None)."""
    if evaluation is None or evaluation.survey_id is None:
        return None
    survey = participation_queries.survey(evaluation.survey_id)
    if survey is None:
        return None
    answered = survey.responses_count or 0
    view = SurveyView(survey, answered, answered >= MINIMUM_GROUP)
    if view.enough:
        for summary in participation.survey_summary(survey):
            if summary.question.kind not in ("single", "multiple"):
                continue
            if summary.answered < MINIMUM_GROUP:
                continue
            counts = [n if n >= MINIMUM_GROUP else None for n in summary.counts]
            view.questions.append((summary.question, summary.answered, counts))
    return view


def save_evaluation(kind: str, ref: int, data: dict, *, actor) -> Evaluation:
    """Write the texts and the survey of an evaluation (one row per kind and ref)."""
    if kind not in EVALUATION_KINDS or subject(kind, ref) is None:
        raise MonitoringError(_l("There is nothing to evaluate here yet."))
    texts = {}
    for name in EVALUATION_TEXTS:
        for lang in ("id", "en"):
            key = f"{name}_{lang}"
            value = (data.get(key) or "").strip()
            if len(value) > TEXT_LIMIT:
                raise MonitoringError(_l("At most %(max)d characters.", max=TEXT_LIMIT), key)
            texts[key] = clean(value, TEXT_LIMIT) or (None if lang == "en" else "")
    survey_id = data.get("survey_id") or None
    if survey_id is not None and survey_id not in {sid for sid, _t in survey_choices()}:
        raise MonitoringError(_l("Choose one of the options."), "survey_id")
    try:
        with write_transaction(db.session):
            row = get_evaluation(kind, ref)
            created = row is None
            if created:
                row = Evaluation(kind=kind, ref=ref)
                db.session.add(row)
            for key, value in texts.items():
                setattr(row, key, value)
            row.survey_id = survey_id
            row.updated_by_id = getattr(actor, "id", None)
            db.session.flush()
            record(
                "evaluation.create" if created else "evaluation.update",
                "monitoring_evaluation",
                row.id,
                actor=actor,
                after={"kind": kind, "ref": ref, "survey_id": survey_id},
            )
    except IntegrityError:
        # Two editors created it at once: the other one's row stands; save again.
        raise MonitoringError(_l("Someone saved this evaluation just now; try again.")) from None
    return row
