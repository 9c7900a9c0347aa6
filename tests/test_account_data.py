""" "My account" shows and downloads what every feature keeps about the person, and
nothing about anyone else; a ballot row says that they voted, never what."""

from __future__ import annotations

import json

from portal.complaints import services as complaints
from portal.extensions import db
from portal.participation import services as participation
from portal.training.models import Place
from tests import training_helpers as training
from tests.test_participation import login, make_ballot, make_resident, make_survey, option_ids


def test_my_account_shows_every_feature_and_only_mine(app, client, make_user):
    staff = make_user("operator")
    me = make_resident(name="Saya Sendiri")
    neighbour = make_resident(name="Tetangga Sebelah")
    ballot = make_ballot(staff, question_id="Prioritas jalan desa", question_en=None)
    other_ballot = make_ballot(staff, question_id="Pilihan yang tidak saya ikuti", question_en=None)
    participation.cast_vote(ballot.id, me, [option_ids(ballot)[0]])
    participation.cast_vote(other_ballot.id, neighbour, [option_ids(other_ballot)[1]])
    mine = participation.create_proposal(
        me,
        {
            "title": "Lampu jalan RT 1",
            "description": "Gelap di malam hari.",
            "category": "infrastructure",
        },
    )
    theirs = participation.create_proposal(
        neighbour, {"title": "Sumur bor", "description": "Air susah.", "category": "infrastructure"}
    )
    participation.add_comment(theirs.id, me, "Saya setuju sekali.")
    participation.add_comment(mine.id, neighbour, "Komentar tetangga.")
    participation.support(theirs.id, me)
    course = training.course(title_id="Menjahit untuk ibu", title_en="Sewing for mothers")
    session = training.session(course)
    db.session.add(
        Place(
            session_id=session.id, holder=f"u{me.id}", user_id=me.id, name=me.name, phone=me.phone
        )
    )
    db.session.commit()
    complaints.file_complaint(
        category="misuse",
        description="Bantuan dipotong oleh oknum.",
        anonymous=False,
        reporter_name="Saya Sendiri",
        reporter_contact=me.phone,
    )
    survey = make_survey(staff)
    q1, _q2, q3, _q4 = (q.id for q in survey.questions)
    assert participation.submit_response(survey.id, me, {q1: ["1"], q3: ["4"]}) == {}
    login(client, me)

    page = client.get("/akun?lang=en").get_data(as_text=True)
    for expected in (
        "Prioritas jalan desa",
        "Lampu jalan RT 1",
        "Saya setuju sekali.",
        "Sumur bor",
        "Sewing for mothers",
        "Bantuan dipotong oleh oknum.",
        "Main need?",
        "Water",
    ):
        assert expected in page, expected
    # Never what was chosen, never a neighbour's ballot, words or proposal text.
    for absent in (
        "Jalan desa",
        "Pilihan yang tidak saya ikuti",
        "Komentar tetangga.",
        "Air susah.",
    ):
        assert absent not in page, absent

    data = json.loads(client.get("/akun/data.json").get_data(as_text=True))
    labels = {s["label"] for s in data["sections"]}
    assert {"Votes (that you voted, never what)", "Your proposals", "Your comments"} <= labels
    assert {"Proposals you support", "Course places", "Complaints"} <= labels
    text = json.dumps(data)
    assert "Jalan desa" not in text and "Komentar tetangga." not in text
    assert "Sewing for mothers" in text


def test_participation_sections_in_two_statements_in_their_order(app, make_user):
    """Votes (own and the household's, by the ballots' opening), survey answers, and the
    resident's writings: six sections in two statements, however many rows."""
    from datetime import timedelta

    from flask_babel import force_locale
    from sqlalchemy import event

    from portal.models_base import utcnow
    from portal.participation import account_data

    staff = make_user("operator")
    me = make_resident(name="Saya Sendiri")
    opens = utcnow() - timedelta(hours=1)
    late = make_ballot(staff, question_id="Satu", question_en="One", opens_at=opens)
    early = make_ballot(
        staff,
        question_id="Dua",
        question_en=None,
        per_household=True,
        opens_at=opens - timedelta(hours=4),
    )
    for ballot in (late, early):
        participation.cast_vote(ballot.id, me, [option_ids(ballot)[0]])
    survey = make_survey(staff)
    q1, _q2, q3, _q4 = (q.id for q in survey.questions)
    assert participation.submit_response(survey.id, me, {q1: ["1"], q3: ["4"]}) == {}
    db.session.commit()
    seen = []

    def count(*_args):
        seen.append(1)

    with app.test_request_context("/"), force_locale("en"):
        assert me.is_verified and me.person_id  # the account loaded before counting
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            sections = account_data.participation(me)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(seen) == 2
        (_votes_label, votes), (_answers_label, answers) = sections[:2]
        assert [(row["ballot"], str(row["voted_as"])) for row in votes] == [
            ("Dua", "Your household"),
            ("One", "You"),
        ]
        assert [(row["question"], row["answer"]) for row in answers] == [
            ("Main need?", "Water"),
            ("Jumlah anak?", 4),
        ]
        assert len(sections) == 6
