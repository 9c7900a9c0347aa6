"""The post-distribution survey, answered with the invitation's code: no account, one
response per invitation (a unique index, also when sent at once), the answers counted
in the household's RT/RW without the code or the household, every refusal beside the
code field in the reader's language with nothing written; and the need-level snapshot
that cannot be rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

from portal.distribution.models import DistributionRound, Entitlement
from portal.extensions import db
from portal.monitoring import services
from portal.monitoring.models import NeedSnapshot
from portal.participation import services as participation
from portal.participation.models import SurveyAnswer, SurveyResponse
from tests.at_once import run_at_once
from tests.distribution_helpers import approved_round
from tests.test_participation import make_survey

URL = "/partisipasi/kode"


def _responses() -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyResponse))


def _closed_round_with_survey(make_user, households: int = 6):
    round_, _version, operator, _head = approved_round(make_user, households=households)
    db.session.execute(
        update(DistributionRound).where(DistributionRound.id == round_.id).values(status="closed")
    )
    db.session.commit()
    survey = make_survey(operator)
    services.save_evaluation("round", round_.id, {"survey_id": survey.id}, actor=operator)
    codes = db.session.scalars(
        select(Entitlement.code).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    return round_, survey, operator, codes


def _answers(survey, choice: str = "1", number: str = "3") -> dict:
    first, _multiple, count, _text = (q.id for q in survey.questions)
    return {f"q{first}": choice, f"q{count}": number}


def test_an_invited_household_answers_once_without_an_account(app, client, make_user):
    round_, survey, _operator, codes = _closed_round_with_survey(make_user)
    page = client.get(URL + "?lang=en").get_data(as_text=True)
    assert "Code on your invitation" in page and 'name="code"' in page
    # The code as people type it: lower case, spaces for dashes.
    typed = codes[0].lower().replace("-", " ")
    questions = client.post(URL + "?lang=en", data={"code": typed})
    body = questions.get_data(as_text=True)
    assert questions.status_code == 200
    assert "Main need?" in body and (round_.title_en or round_.title_id) in body
    assert f'value="{typed}"' in body  # the code travels on in a hidden field

    sent = client.post(URL + "/jawab", data={"code": typed, **_answers(survey)})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(URL)
    response = db.session.scalars(select(SurveyResponse)).one()
    entitlement = db.session.scalars(select(Entitlement).where(Entitlement.code == codes[0])).one()
    assert response.user_id is None and response.rt == entitlement.rt
    assert response.rw == entitlement.rw
    # Neither the code nor the household's or the invitation's id is stored with it.
    key = response.respondent_key
    assert key and len(key) == 64
    assert codes[0].replace("-", "") not in key and codes[0] not in key
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 2
    assert participation.survey_for_code(codes[0])[1].responses_count == 1

    again = client.post(URL + "/jawab?lang=en", data={"code": codes[0], **_answers(survey, "0")})
    assert again.status_code == 400
    body = again.get_data(as_text=True)
    assert "This invitation has already answered the survey." in body
    assert 'id="code-error"' in body and codes[0] in body
    again_id = client.post(URL + "/jawab?lang=id", data={"code": codes[0], **_answers(survey)})
    assert "Undangan ini sudah menjawab survei." in again_id.get_data(as_text=True)
    assert _responses() == 1
    # Another invitation of the round answers too.
    other = client.post(URL + "/jawab", data={"code": codes[1], **_answers(survey)})
    assert other.status_code == 302
    assert _responses() == 2


def test_bad_answers_stay_beside_their_question_and_write_nothing(app, client, make_user):
    _round, survey, _operator, codes = _closed_round_with_survey(make_user)
    first, _multiple, count, _text = (q.id for q in survey.questions)
    sent = client.post(
        URL + "/jawab?lang=en", data={"code": codes[0], f"q{first}": "1", f"q{count}": "banyak"}
    )
    body = sent.get_data(as_text=True)
    assert sent.status_code == 400
    assert f'id="q{count}-error"' in body and "Enter a whole number." in body
    assert 'value="banyak"' in body and f'name="q{first}" value="1" checked' in body
    assert _responses() == 0
    assert db.session.scalar(select(func.count()).select_from(SurveyAnswer)) == 0


@pytest.mark.parametrize(
    "case, message",
    [
        ("unknown", "We do not know this code."),
        ("garbage", "We do not know this code."),
        ("empty", "Please fill in this field."),
        ("open_round", "The survey opens when the distribution round is over."),
        ("cancelled", "This invitation was cancelled"),
        ("no_survey", "There is no survey for this round yet."),
        ("survey_closed", "The survey for this round is not open."),
    ],
)
def test_every_refusal_is_beside_the_code_field(app, client, make_user, case, message):
    round_, survey, operator, codes = _closed_round_with_survey(make_user, households=3)
    code = codes[0]
    if case == "unknown":
        code = "2222-3333-4444-5555"
    elif case == "garbage":
        code = "<b>not a code</b>"
    elif case == "empty":
        code = ""
    elif case == "open_round":
        db.session.execute(
            update(DistributionRound).where(DistributionRound.id == round_.id).values(status="open")
        )
    elif case == "cancelled":
        db.session.execute(
            update(Entitlement)
            .where(Entitlement.code == code)
            .values(status="cancelled", cancel_reason="pindah")
        )
    elif case == "no_survey":
        services.save_evaluation("round", round_.id, {"survey_id": None}, actor=operator)
    elif case == "survey_closed":
        participation.set_survey_status(survey, "closed", operator)
    db.session.commit()
    for url in (URL, URL + "/jawab"):
        refused = client.post(url + "?lang=en", data={"code": code, **_answers(survey)})
        body = refused.get_data(as_text=True)
        assert refused.status_code == 400, (case, url)
        assert message in body and 'id="code-error"' in body, (case, url)
        assert "Main need?" not in body  # the questions are not shown
    assert "<b>not a code</b>" not in body
    assert _responses() == 0


def test_one_response_per_invitation_when_sent_at_once(app, make_user):
    _round, survey, _operator, codes = _closed_round_with_survey(make_user, households=3)
    raw = {survey.questions[0].id: ["2"], survey.questions[2].id: ["1"]}
    db.session.commit()  # no read transaction of this thread's left open across theirs

    def answer():
        return "error" if participation.submit_coded_response(codes[0], raw)[2] else "saved"

    outcomes = [
        "refused"
        if isinstance(result, participation.ParticipationError)
        and result.message is participation.ANSWERED_WITH_CODE
        else result
        for result in run_at_once(app, 4, answer, refusals=(participation.ParticipationError,))
    ]
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"], outcomes
    assert _responses() == 1
    assert participation.survey_for_code(codes[0])[1].responses_count == 1


def test_the_code_form_is_rate_limited_per_address(app, client, make_user):
    _round, survey, _operator, codes = _closed_round_with_survey(make_user, households=3)
    app.config["RATELIMIT_SURVEY_CODE"] = "2 per minute"
    assert client.post(URL, data={"code": "2222-3333-4444-5555"}).status_code == 400
    assert client.post(URL, data={"code": "2222-3333-4444-6666"}).status_code == 400
    # The answers share the budget: a guessed code gets no more tries there.
    limited = client.post(URL + "/jawab?lang=en", data={"code": codes[0], **_answers(survey)})
    assert limited.status_code == 429 and limited.headers.get("Retry-After")
    assert "You have done this too often" in limited.get_data(as_text=True)
    assert _responses() == 0


def test_the_pages_read_in_both_languages(app, client, make_user):
    _round, _survey, _operator, codes = _closed_round_with_survey(make_user, households=3)
    # The language switch on the questions page links to the answers' address.
    switched = client.get(URL + "/jawab?lang=en")
    assert switched.status_code == 302 and switched.headers["Location"].endswith(URL)
    assert "Survei setelah penyaluran" in client.get(URL + "?lang=id").get_data(as_text=True)
    assert "Survey after the distribution" in client.get(URL + "?lang=en").get_data(as_text=True)
    page = client.post(URL + "?lang=id", data={"code": codes[0]}).get_data(as_text=True)
    assert "Kebutuhan utama?" in page and "Kirim jawaban saya" in page


def test_the_yearly_need_level_snapshot_cannot_be_rewritten(app, make_user):
    approved_round(make_user, households=3)
    assert services.take_snapshot(2025) == 3
    for statement in (
        "UPDATE monitoring_need_snapshot SET need_level = 'mampu'",
        "DELETE FROM monitoring_need_snapshot",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(NeedSnapshot)) == 3


def test_a_household_answers_a_rounds_survey_once_with_code_or_account(app, client, make_user):
    """The invitation's household answers once: a member's account after the code is
    refused, the code after a member's account is refused, another member's account
    too; a resident of a household the round did not invite answers as before."""
    from portal.accounts.models import User
    from portal.registry.models import Household
    from tests.test_participation import make_resident

    round_, survey, _operator, codes = _closed_round_with_survey(make_user)
    invited = db.session.scalars(
        select(Entitlement).where(Entitlement.round_id == round_.id).order_by(Entitlement.id)
    ).all()
    first_home, second_home = (db.session.get(Household, e.household_id) for e in invited[:2])
    raw = {q.id: v for q, v in zip(survey.questions, (["1"], [], ["3"], []), strict=True)}

    def answer(user):
        return participation.submit_response(survey.id, db.session.get(User, user.id), raw)

    def said(error) -> str:
        with app.test_request_context("/?lang=en"):
            return str(error.value.message)

    # The code first, then a member's account.
    assert (
        client.post(URL + "/jawab", data={"code": codes[0], **_answers(survey)}).status_code == 302
    )
    member = make_resident(first_home)
    assert participation.has_answered(survey, member)
    with pytest.raises(participation.ParticipationError) as refused:
        answer(member)
    assert "household has already answered" in said(refused)
    as_member = app.test_client()  # the survey's page as the member sees it
    with as_member.session_transaction() as session:
        session["_user_id"] = member.get_id()
        session["_fresh"] = True
    shown = as_member.get(f"/partisipasi/survei/{survey.id}?lang=en").get_data(as_text=True)
    assert "You have already answered this survey." in shown
    assert _responses() == 1

    # A member's account first, then the code, then another member's account.
    second = make_resident(second_home)
    assert not participation.has_answered(survey, second)
    assert answer(second) == {}
    stored = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.user_id == second.id)
    ).one()
    assert stored.respondent_key and len(stored.respondent_key) == 64
    by_code = client.post(URL + "/jawab?lang=en", data={"code": codes[1], **_answers(survey)})
    assert by_code.status_code == 400
    assert "This invitation has already answered the survey." in by_code.get_data(as_text=True)
    with pytest.raises(participation.ParticipationError):
        answer(make_resident(second_home))
    assert _responses() == 2

    # A household the round did not invite: an account answers, keyless, once.
    outsider = make_resident()
    assert answer(outsider) == {}
    assert (
        db.session.scalars(
            select(SurveyResponse.respondent_key).where(SurveyResponse.user_id == outsider.id)
        ).one()
        is None
    )
    with pytest.raises(participation.ParticipationError) as again:
        answer(outsider)
    assert "You have already answered" in said(again)
    assert _responses() == 3


def test_one_response_per_household_when_code_and_accounts_answer_at_once(app, make_user):
    """Two members' accounts and the invitation's code, twice, at one moment: one
    response is stored (the unique index on the survey and the invitation's key)."""
    import itertools

    from portal.accounts.models import User
    from portal.registry.models import Household
    from tests.test_participation import make_resident

    round_, survey, _operator, codes = _closed_round_with_survey(make_user, households=3)
    first = db.session.scalars(select(Entitlement).where(Entitlement.code == codes[0])).one()
    home = db.session.get(Household, first.household_id)
    members = [make_resident(home).id, make_resident(home).id]
    raw = {survey.questions[0].id: ["2"], survey.questions[2].id: ["1"]}
    survey_id = survey.id
    db.session.commit()  # no read transaction of this thread's left open across theirs
    turns = itertools.count()

    def answer():
        turn = next(turns)
        if turn < 2:
            errors = participation.submit_response(
                survey_id, db.session.get(User, members[turn]), raw
            )
        else:
            errors = participation.submit_coded_response(codes[0], raw)[2]
        return "error" if errors else "saved"

    outcomes = [
        "refused"
        if isinstance(result, participation.ParticipationError)
        and any(
            result.message is said
            for said in (participation.ANSWERED_WITH_CODE, participation.ANSWERED_BY_HOUSEHOLD)
        )
        else result
        for result in run_at_once(app, 4, answer, refusals=(participation.ParticipationError,))
    ]
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"], outcomes
    assert _responses() == 1
