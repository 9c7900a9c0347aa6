"""Needs surveys: questions, one answer set per resident, summaries and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import (
    Integer,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import joinedload

from portal import spreadsheet
from portal.accounts.models import User
from portal.audit.services import record
from portal.database import read, write_transaction
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models_base import utcnow
from portal.numbers import is_whole
from portal.participation import hooks
from portal.participation.models import (
    QUESTION_KINDS,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from portal.participation.services.common import (
    ParticipationError,
    _insert,
    _require_verified,
    area_for,
    owns_transaction,
)


@owns_transaction
def save_survey(survey: Survey | None, data: dict, actor: User) -> Survey:
    created = survey is None
    if created:
        survey = Survey(created_by_id=actor.id, status="draft")
        db.session.add(survey)
    for key in ("title_id", "title_en", "intro_id", "intro_en"):
        setattr(survey, key, data.get(key) or ("" if key == "intro_id" else None))
    db.session.flush()
    record("survey.create" if created else "survey.update", "survey", survey.id, actor=actor)
    db.session.commit()
    return survey


@owns_transaction
def add_question(survey: Survey, data: dict, actor: User) -> SurveyQuestion:
    """Add a question to a draft survey."""
    if survey.status != "draft":
        raise ParticipationError(_l("Questions can be changed only while the survey is a draft."))
    kind = data.get("kind")
    if kind not in QUESTION_KINDS:
        raise ParticipationError(_l("Choose a kind of question."), "kind")
    question = SurveyQuestion(
        survey_id=survey.id,
        position=len(survey.questions),
        kind=kind,
        text_id=data["text_id"],
        text_en=data.get("text_en") or None,
        choices_id=data.get("choices_id") or "",
        choices_en=data.get("choices_en") or None,
        required=bool(data.get("required")),
    )
    if kind in ("single", "multiple"):
        n = len(question.choice_list("id"))
        if n < 2:
            raise ParticipationError(_l("Give at least two choices, one per line."), "choices_id")
        if question.choices_en and len(question.choice_list("en")) != n:
            raise ParticipationError(
                _l("Give as many English choices as Indonesian ones."), "choices_en"
            )
    else:
        question.choices_id, question.choices_en = "", None
    db.session.add(question)
    db.session.flush()
    record("survey.add_question", "survey", survey.id, actor=actor)
    db.session.commit()
    return question


@owns_transaction
def remove_question(survey: Survey, question_id: int, actor: User) -> None:
    if survey.status != "draft":
        raise ParticipationError(_l("Questions can be changed only while the survey is a draft."))
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        raise ParticipationError(_l("No such question."))
    db.session.delete(question)
    record("survey.remove_question", "survey", survey.id, actor=actor)
    db.session.commit()


@owns_transaction
def set_survey_status(survey: Survey, status: str, actor: User) -> None:
    allowed = {("draft", "open"), ("open", "closed")}
    if (survey.status, status) not in allowed:
        raise ParticipationError(_l("That step is not possible now."))
    if status == "open" and not survey.questions:
        raise ParticipationError(_l("Add at least one question first."))
    survey.status = status
    record(f"survey.{status}", "survey", survey.id, actor=actor)
    db.session.commit()


def has_answered(survey: Survey, user: User) -> bool:
    """Whether this resident, or their household (with the invitation's code or another
    member's account, for a survey a distribution round asks), has answered."""
    key = hooks.household_key(survey.id, area_for(user)[0])
    params = {"survey_id": survey.id, "user_id": user.id}
    if key is not None:
        params["key"] = key
    found = read(db.session, _answered_statement(key is not None), params).scalar()
    return found is not None


@cache  # built once per process for each shape; the values as parameters
def _answered_statement(with_key: bool):
    mine = SurveyResponse.user_id == bindparam("user_id")
    if with_key:
        mine = or_(mine, SurveyResponse.respondent_key == bindparam("key"))
    return (
        select(SurveyResponse.id)
        .where(SurveyResponse.survey_id == bindparam("survey_id"), mine)
        .limit(1)
    )


def check_answers(survey: Survey, raw: dict[int, list[str]]) -> tuple[list[dict], dict[int, str]]:
    """Parse raw form values per question id into answer rows; errors per question."""
    rows, errors = [], {}
    for q in survey.questions:
        values = [v.strip() for v in raw.get(q.id, []) if v and v.strip()]
        if not values:
            if q.required:
                errors[q.id] = _l("Please answer this question.")
            continue
        if q.kind in ("single", "multiple"):
            n = len(q.choice_list("id"))
            picked = []
            for v in values:
                if not is_whole(v) or len(v) > 3 or int(v) >= n:
                    errors[q.id] = _l("Choose one of the answers given.")
                    break
                if int(v) not in picked:
                    picked.append(int(v))
            if q.kind == "single" and len(picked) > 1:
                errors[q.id] = _l("Choose one answer.")
            if q.id not in errors:
                rows += [{"question_id": q.id, "choice": c} for c in picked]
        elif q.kind == "number":
            text = values[0].replace(".", "").replace(",", "")
            if not is_whole(text.removeprefix("-")) or len(text) > 12:
                errors[q.id] = _l("Enter a whole number.")
            else:
                rows.append({"question_id": q.id, "number": int(text)})
        else:
            if len(values[0]) > 500:
                errors[q.id] = _l("At most %(max)d characters.", max=500)
            else:
                rows.append({"question_id": q.id, "text": values[0]})
    return rows, errors


ANSWERED = _l("You have already answered this survey. Thank you!")
ANSWERED_BY_HOUSEHOLD = _l(
    "Your household has already answered this survey (with your account, another "
    "member's or the invitation's code). Thank you!"
)


@owns_transaction
def submit_response(survey_id: int, user: User, raw: dict[int, list[str]]) -> dict[int, str]:
    """Store a resident's answers, once. Returns errors per question id (empty: saved)."""
    _require_verified(user)
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.status != "open":
        raise ParticipationError(_l("This survey is not open."))
    rows, errors = check_answers(survey, raw)
    if errors:
        return errors
    household_id, rt, rw = area_for(user)
    # A survey a distribution round asks is answered once per invited household, with
    # the invitation's code or any member's account: the same key as the code's.
    key = hooks.household_key(survey_id, household_id)
    answered = ANSWERED if key is None else ANSWERED_BY_HOUSEHOLD
    store_response(survey_id, rows, answered, user_id=user.id, respondent_key=key, rt=rt, rw=rw)
    return {}


def store_response(survey_id: int, rows: list[dict], answered, **respondent) -> None:
    """One response with its answers and the survey's count, in one transaction. The
    response is inserted with ON CONFLICT DO NOTHING: a second one of the same resident
    (or invitation) leaves nothing and raises `answered`, however close together."""
    with write_transaction(db.session) as session:
        stmt = (
            _insert(session)(SurveyResponse)
            .values(survey_id=survey_id, created_at=utcnow(), **respondent)
            .on_conflict_do_nothing()
            .returning(SurveyResponse.id)
        )
        response_id = session.execute(stmt).scalar()
        if response_id is None:
            raise ParticipationError(answered)
        if rows:
            session.execute(
                insert(SurveyAnswer), [{"response_id": response_id, **row} for row in rows]
            )
        session.execute(
            update(Survey)
            .where(Survey.id == survey_id)
            .values(responses_count=Survey.responses_count + 1)
        )


@dataclass
class QuestionSummary:
    question: SurveyQuestion
    answered: int
    counts: list[int] = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def pct(self, count: int) -> int:
        return round(count * 100 / self.answered) if self.answered else 0


def survey_with_questions(survey_id: int) -> Survey | None:
    """The survey with its questions loaded (one statement, built once), or None."""
    return (
        db.session.scalars(_with_questions_statement(), {"survey_id": survey_id}).unique().first()
    )


@cache  # built once per process (with its cache key); the survey bound
def _with_questions_statement():
    return (
        select(Survey)
        .options(joinedload(Survey.questions))
        .where(Survey.id == bindparam("survey_id"))
    )


# The parts of `_summary_statement`'s rows.
_NUMBERS, _ANSWERED, _CHOICES, _TEXTS = 0, 1, 2, 3
# The latest texts shown of a text question.
TEXTS_SHOWN = 20


@cache  # built once per process (with its cache key); the questions as parameters
def _summary_statement():
    """Per question, in one statement: number statistics (part 0: min, max, mean), how
    many responses answered it (part 1), the count of each choice (part 2), and of the
    text questions (`text_qids`) the latest answers (part 3: their rank in n, newest
    first, and the text)."""
    a = SurveyAnswer
    qids = a.question_id.in_(bindparam("qids", expanding=True))
    no_number = cast(null(), Integer)
    latest = (
        select(
            a.question_id,
            a.text,
            func.row_number().over(partition_by=a.question_id, order_by=a.id.desc()).label("rank"),
        )
        .where(a.question_id.in_(bindparam("text_qids", expanding=True)))
        .subquery()
    )
    return union_all(
        select(
            literal_column(str(_NUMBERS)).label("part"),
            a.question_id,
            no_number.label("choice"),
            no_number.label("n"),
            func.min(a.number).label("lo"),
            func.max(a.number).label("hi"),
            func.avg(a.number).label("mean"),
            cast(null(), String).label("text"),
        )
        .where(qids, a.number.is_not(None))
        .group_by(a.question_id),
        select(
            literal_column(str(_ANSWERED)),
            a.question_id,
            null(),
            func.count(func.distinct(a.response_id)),
            null(),
            null(),
            null(),
            null(),
        )
        .where(qids)
        .group_by(a.question_id),
        select(
            literal_column(str(_CHOICES)),
            a.question_id,
            a.choice,
            func.count(),
            null(),
            null(),
            null(),
            null(),
        )
        .where(qids, a.choice.is_not(None))
        .group_by(a.question_id, a.choice),
        select(
            literal_column(str(_TEXTS)),
            latest.c.question_id,
            null(),
            latest.c.rank,
            null(),
            null(),
            null(),
            latest.c.text,
        ).where(latest.c.rank <= TEXTS_SHOWN),
    )


def _is_text(question) -> bool:
    return question.kind not in ("single", "multiple", "number")


def survey_summary(survey: Survey) -> list[QuestionSummary]:
    """Per question: how many answered, counts per choice, number statistics, and the
    latest short texts. One statement, whatever the number of questions."""
    questions = survey.questions
    qids = [q.id for q in questions]
    answered: dict[int, int] = {}
    choices = []
    numbers = {}
    texts: dict[int, list[tuple[int, str]]] = {}
    if qids:
        params = {"qids": qids, "text_qids": [q.id for q in questions if _is_text(q)]}
        for part, qid, choice, n, lo, hi, avg, text in db.session.execute(
            _summary_statement(), params
        ):
            if part == _NUMBERS:
                numbers[qid] = {"min": lo, "max": hi, "mean": avg}
            elif part == _ANSWERED:
                answered[qid] = n
            elif part == _TEXTS:
                texts.setdefault(qid, []).append((n, text))
            else:
                choices.append((qid, choice, n))
    out = []
    for q in questions:
        summary = QuestionSummary(q, answered.get(q.id, 0))
        if q.kind in ("single", "multiple"):
            summary.counts = [0] * len(q.choice_list("id"))
            for qid, choice, n in choices:
                if qid == q.id and choice < len(summary.counts):
                    summary.counts[choice] = n
        elif q.kind == "number":
            summary.numbers = numbers.get(q.id, {})
        else:
            summary.texts = [text for _rank, text in sorted(texts.get(q.id, []))]
        out.append(summary)
    return out


def answer_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """Every response as one row, without names or user ids: a running number, RT,
    RW, then one column per question (multiple choices joined with "; ")."""
    questions = survey.questions
    header = ["response", "rt", "rw", *[f"Q{i + 1} {q.text_id}" for i, q in enumerate(questions)]]
    responses = db.session.execute(
        select(SurveyResponse.id, SurveyResponse.rt, SurveyResponse.rw)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyResponse.id)
    ).all()
    answers: dict[int, dict[int, list]] = {}
    for response_id, question_id, choice, number, text in db.session.execute(
        select(
            SurveyAnswer.response_id,
            SurveyAnswer.question_id,
            SurveyAnswer.choice,
            SurveyAnswer.number,
            SurveyAnswer.text,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.id)
    ):
        value = choice if choice is not None else number if number is not None else text
        answers.setdefault(response_id, {}).setdefault(question_id, []).append(value)
    rows = []
    for n, (response_id, rt, rw) in enumerate(responses, start=1):
        row = [n, rt, rw]
        given = answers.get(response_id, {})
        for q in questions:
            values = given.get(q.id, [])
            if q.kind in ("single", "multiple"):
                labels = q.choice_list("id")
                row.append("; ".join(labels[v] for v in values if v < len(labels)))
            else:
                row.append(values[0] if values else "")
        rows.append(row)
    return header, rows


def answers_csv(survey: Survey) -> str:
    header, rows = answer_rows(survey)
    return spreadsheet.csv_text([header, *rows])


def answers_xlsx(survey: Survey) -> bytes:
    header, rows = answer_rows(survey)
    return spreadsheet.xlsx_bytes([("answers", [header, *rows])])


def export_answers(survey: Survey, fmt: str, actor: User):
    """The survey's answers as CSV (text) or .xlsx (bytes), without names; the export
    is audited and committed before the file is made."""
    record("survey.export", "survey", survey.id, actor=actor, summary=fmt)
    db.session.commit()
    return answers_csv(survey) if fmt == "csv" else answers_xlsx(survey)
