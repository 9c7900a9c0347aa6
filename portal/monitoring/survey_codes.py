"""The post-distribution survey, answered with the invitation's code.

A round's evaluation links a survey (`/staf/pemantauan/evaluasi`); once the round is
over (closed or reconciled) and the survey is open, the households it invited answer it
without an account at `/partisipasi/kode` with the code printed on their invitation
(the card prints that address). Participation stores one response per invitation: the
key it keeps is an HMAC of the survey and the invitation under the app's secret key,
never the code, so the answers cannot be joined to a household from the database alone.
Registered with participation's hook (`portal.participation.hooks`) by the app factory,
with `household_key`: a verified resident answering the round's survey with an account
is stored under the same key as their household's invitation, so one household answers
once, with the code or an account.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from portal.distribution import queries as distribution
from portal.i18n import lazy_gettext as _l
from portal.monitoring.services.evaluation import (
    EVALUATED_ROUNDS,
    _rounds_asking_statement,
    get_evaluation,
)
from portal.participation import hooks
from portal.participation.services import ParticipationError

CANCELLED = _l("This invitation was cancelled, so it cannot answer the survey.")
NOT_YET = _l("The survey opens when the distribution round is over. Please come back then.")
NO_SURVEY = _l("There is no survey for this round yet.")


def respondent_key(survey_id: int, entitlement_id: int) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    message = f"survey:{survey_id}:invitation:{entitlement_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def find(code: str) -> hooks.CodeRespondent | None:
    """The survey this invitation may answer; None for a code that is no invitation."""
    invitation = distribution.invitation_by_code(code)
    if invitation is None:
        return None
    if invitation.status == "cancelled":
        raise ParticipationError(CANCELLED, "code")
    round_ = distribution.round_row(invitation.round_id)
    if round_ is None or round_.status not in EVALUATED_ROUNDS:
        raise ParticipationError(NOT_YET, "code")
    evaluation = get_evaluation("round", invitation.round_id)
    if evaluation is None or evaluation.survey_id is None:
        raise ParticipationError(NO_SURVEY, "code")
    return hooks.CodeRespondent(
        survey_id=evaluation.survey_id,
        key=respondent_key(evaluation.survey_id, invitation.entitlement_id),
        rt=invitation.rt,
        rw=invitation.rw,
        about_id=round_.title_id,
        about_en=round_.title_en,
    )


def household_key(survey_id: int, household_id: int) -> str | None:
    """The key of the household's invitation in a round whose evaluation links this
    survey, or None (a survey no round asks, a household no such round invited)."""
    entitlement_id = distribution.invitation_in_rounds(
        _rounds_asking_statement(), household_id, {"survey_id": survey_id}
    )
    return None if entitlement_id is None else respondent_key(survey_id, entitlement_id)


def register() -> None:
    hooks.register_code_finder(find)
    hooks.register_household_key(household_key)
