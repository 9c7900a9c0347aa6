"""A survey answered with a code printed on paper, without an account: the households
a distribution round invited answer its post-distribution survey with their
invitation's code, once per invitation (a unique index on the survey and the
invitation's key). Which code answers which survey is the business of the feature that
registered the finder (`portal.participation.hooks`)."""

from __future__ import annotations

from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.participation import hooks
from portal.participation.models import Survey
from portal.participation.services.common import ParticipationError, owns_transaction
from portal.participation.services.needs_surveys import check_answers, store_response

CODE_MAX = 40
ANSWERED_WITH_CODE = _l("This invitation has already answered the survey. Thank you!")
UNKNOWN_CODE = _l(
    "We do not know this code. Type the 16 letters and digits printed on the invitation."
)
NOT_OPEN = _l("The survey for this round is not open.")


def survey_for_code(code: str | None) -> tuple[hooks.CodeRespondent, Survey]:
    """The respondent a typed code is, and its open survey; a refusal beside the code
    field otherwise."""
    code = (code or "").strip()
    if not code or len(code) > CODE_MAX:
        raise ParticipationError(UNKNOWN_CODE, "code")
    respondent = hooks.respondent_for(code)
    if respondent is None:
        raise ParticipationError(UNKNOWN_CODE, "code")
    survey = db.session.get(Survey, respondent.survey_id)
    if survey is None or survey.status != "open":
        raise ParticipationError(NOT_OPEN, "code")
    return respondent, survey


@owns_transaction
def submit_coded_response(
    code: str | None, raw: dict[int, list[str]]
) -> tuple[hooks.CodeRespondent, Survey, dict[int, str]]:
    """Store the answers given with an invitation's code, once per invitation. Returns
    the respondent, the survey and the errors per question id (empty: saved), for the
    page shown again; a refused code raises ParticipationError."""
    respondent, survey = survey_for_code(code)
    rows, errors = check_answers(survey, raw)
    if errors:
        return respondent, survey, errors
    store_response(
        survey.id,
        rows,
        ANSWERED_WITH_CODE,
        user_id=None,
        respondent_key=respondent.key,
        rt=respondent.rt,
        rw=respondent.rw,
    )
    return respondent, survey, {}
