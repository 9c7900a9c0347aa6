"""Participation: ballots (rules frozen once open, one ballot per voter or household
under concurrency, close, budget, secrecy, results), surveys (once, summary, exports
without names) and proposals (supports once under concurrency, threshold to the
meeting agenda, comments, flags, moderation, the list)."""

from __future__ import annotations

import csv
import io
import itertools
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from portal.models_base import utcnow, village_today
from portal.participation import services
from portal.participation.models import (
    Ballot,
    BallotVote,
    BallotVoteChoice,
    Proposal,
    ProposalSupport,
    Survey,
    SurveyResponse,
)
from portal.registry.models import Household, Membership, Person
from tests import factories

_numbers = itertools.count(1)


def text_of(response) -> str:
    return response.get_data(as_text=True)


# --- helpers ---------------------------------------------------------------------------


def make_home(rt: int = 1, rw: int = 1) -> Household:
    home = Household(address="Jl. Melati", rt=rt, rw=rw)
    db.session.add(home)
    db.session.flush()
    return home


def make_resident(home: Household | None = None, name: str | None = None, verified=True, **kw):
    """A resident account linked to a registry person living in `home` (made if None).

    Built directly (no password hashing) so that fifty of them are quick."""
    n = next(_numbers)
    home = home or make_home(**kw)
    person = Person(
        nik=f"3201{n:012d}",
        name=name or f"Warga Nomor {n}",
        name_norm=(name or f"warga nomor {n}").lower(),
        sex="female",
        birth_date=village_today() - timedelta(days=12000),
    )
    db.session.add(person)
    db.session.flush()
    person.household_id = home.id
    db.session.add(
        Membership(
            person_id=person.id,
            household_id=home.id,
            relation="head",
            start_date=village_today(),
        )
    )
    user = User(
        name=name or f"Warga Nomor {n}",
        role="resident",
        phone=f"+62812{n:07d}",
        password_hash="!",
        person_id=person.id,
        verification_status="verified" if verified else "pending",
        verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def staff(make_user):
    return make_user("operator")


def ballot_data(**fields) -> dict:
    now = utcnow()
    data = {
        "question_id": "Prioritas dana desa 2027",
        "question_en": "Village fund priority 2027",
        "description_id": "Pilih satu.",
        "description_en": None,
        "method": "single",
        "max_choices": None,
        "budget": None,
        "per_household": False,
        "opens_at": now - timedelta(minutes=1),
        "closes_at": now + timedelta(days=7),
        "results_mode": "live",
        "options": services.parse_options(
            "Jalan desa | Village road | 300\n"
            "Air bersih | Clean water | 200\n"
            "Posyandu | Health post | 100"
        ),
    }
    data.update(fields)
    return data


def make_ballot(staff, **fields) -> Ballot:
    data = ballot_data(**fields)
    opens_at = data["opens_at"]
    if opens_at < utcnow():
        # Created before it opens, as staff do; then moved to "open" for the test.
        data["opens_at"] = utcnow() + timedelta(minutes=1)
        ballot = services.save_ballot(None, data, staff)
        ballot.opens_at = opens_at
        db.session.commit()
        return ballot
    return services.save_ballot(None, data, staff)


def option_ids(ballot: Ballot) -> list[int]:
    return [o.id for o in ballot.options]


def login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


# --- ballots: rules ----------------------------------------------------------------------


def test_rules_can_change_before_opening(app, staff):
    ballot = make_ballot(staff, opens_at=utcnow() + timedelta(days=1))
    services.save_ballot(
        ballot, ballot_data(opens_at=ballot.opens_at, method="approval", max_choices=2), staff
    )
    assert ballot.method == "approval" and ballot.max_choices == 2


def test_rules_of_an_open_ballot_cannot_be_edited(app, client, login_as, staff):
    ballot = make_ballot(staff)
    with pytest.raises(services.ParticipationError) as caught:
        services.save_ballot(ballot, ballot_data(method="approval", max_choices=2), staff)
    assert caught.value.message is services.LOCKED
    # The refusing rule rolled back itself (views never roll back): nothing is pending.
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).method == "single"
    login_as("admin")
    page = client.get(f"/staf/partisipasi/pemungutan/{ballot.id}/ubah?lang=en")
    assert "its rules can no longer be changed" in text_of(page)
    assert 'name="question_id"' not in text_of(page)
    posted = client.post(
        f"/staf/partisipasi/pemungutan/{ballot.id}/ubah",
        data={"question_id": "Diubah", "method": "budget", "options": "A|A|1\nB|B|2"},
    )
    assert posted.status_code == 302
    db.session.expire_all()
    ballot = db.session.get(Ballot, ballot.id)
    assert ballot.question_id == "Prioritas dana desa 2027" and ballot.method == "single"
    assert len(ballot.options) == 3


def test_staff_form_creates_a_ballot_and_keeps_input_on_error(app, client, login_as):
    login_as("operator")
    start = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(
        "/staf/partisipasi/pemungutan/baru?lang=en",
        data={
            "question_id": "Anggaran partisipatif",
            "method": "budget",
            "results_mode": "hidden",
            "options": "Lampu jalan | Street lights | 5000000\nSumur | Well",
            "budget": "8000000",
            "opens_at": start,
            "closes_at": end,
        },
    )
    assert bad.status_code == 400
    assert "Every option needs a cost" in text_of(bad)
    assert "Anggaran partisipatif" in text_of(bad)
    good = client.post(
        "/staf/partisipasi/pemungutan/baru",
        data={
            "question_id": "Anggaran partisipatif",
            "method": "budget",
            "results_mode": "hidden",
            "options": "Lampu jalan | Street lights | 5000000\nSumur | Well | 4000000",
            "budget": "8000000",
            "opens_at": start,
            "closes_at": end,
        },
    )
    assert good.status_code == 302
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.budget == 8_000_000 and [o.cost for o in ballot.options] == [5_000_000, 4_000_000]
    # The operator typed village time (WIB); the same instant is stored, in UTC.
    typed = datetime.strptime(start, "%Y-%m-%dT%H:%M").replace(tzinfo=ZoneInfo("Asia/Jakarta"))
    stored = ballot.opens_at if ballot.opens_at.tzinfo else ballot.opens_at.replace(tzinfo=UTC)
    assert stored == typed
    form = client.get(f"/staf/partisipasi/pemungutan/{ballot.id}/ubah")
    assert f'value="{start}"' in form.get_data(as_text=True)


# --- ballots: voting ---------------------------------------------------------------------


def test_changing_a_vote_keeps_one_ballot(app, staff):
    ballot = make_ballot(staff)
    voter = make_resident()
    a, b, _c = option_ids(ballot)
    services.cast_vote(ballot.id, voter, [a])
    services.cast_vote(ballot.id, voter, [b])
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 1
    assert services.my_choice(ballot, voter) == [b]
    res = services.compute_results(ballot)
    assert res.counts == {b: 1} and res.voters == 1 and res.eligible == 1


def test_turnout_counts_voters_who_are_no_longer_eligible(app, staff):
    """A resident who voted and then closed their account (or a household that moved
    away) still counts among the eligible: turnout is over who could vote, never > 100%."""
    ballot = make_ballot(staff)
    first, second, third = make_resident(), make_resident(), make_resident()
    a, b, _c = option_ids(ballot)
    services.cast_vote(ballot.id, first, [a])
    services.cast_vote(ballot.id, second, [b])
    res = services.compute_results(ballot)
    assert (res.voters, res.eligible, res.turnout) == (2, 3, 67)
    second.active = False
    third.verification_status = "rejected"
    db.session.commit()
    res = services.compute_results(ballot)
    assert (res.voters, res.eligible, res.turnout) == (2, 2, 100)

    household = make_ballot(staff, per_household=True)
    moved, stayed = make_home(rt=1, rw=1), make_home(rt=2, rw=1)
    mover = make_resident(moved)
    make_resident(stayed)
    services.cast_vote(household.id, mover, [option_ids(household)[0]])
    mover.active = False
    db.session.commit()
    res = services.compute_results(household)
    # The household that moved away, the one that stayed, and the first resident's.
    assert (res.voters, res.eligible, res.turnout) == (1, 3, 33)


def test_vote_after_closing_is_refused_clearly(app, client, staff):
    ballot = make_ballot(staff)
    voter = make_resident()
    a = option_ids(ballot)[0]
    services.cast_vote(ballot.id, voter, [a])
    ballot.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(services.ParticipationError):
        services.cast_vote(ballot.id, voter, [option_ids(ballot)[1]])
    db.session.rollback()
    login(client, voter)
    response = client.post(
        f"/partisipasi/pemungutan/{ballot.id}/pilih?lang=en", data={"option": option_ids(ballot)[1]}
    )
    assert response.status_code == 400
    assert "This ballot has closed: votes are no longer accepted." in text_of(response)
    indonesian = client.post(
        f"/partisipasi/pemungutan/{ballot.id}/pilih?lang=id", data={"option": a}
    )
    assert "Pemungutan suara ini sudah ditutup" in text_of(indonesian)
    assert services.my_choice(ballot, voter) == [a]


def test_budget_over_the_limit_is_refused_in_the_voters_language(app, client, staff):
    ballot = make_ballot(staff, method="budget", budget=400)
    voter = make_resident()
    login(client, voter)
    a, b, c = option_ids(ballot)
    english = client.post(
        f"/partisipasi/pemungutan/{ballot.id}/pilih?lang=en", data={"option": [a, b]}
    )
    assert english.status_code == 400
    assert "Your choice costs IDR 500, more than the budget of IDR 400" in text_of(english)
    indonesian = client.post(
        f"/partisipasi/pemungutan/{ballot.id}/pilih?lang=id", data={"option": [a, b]}
    )
    assert "Pilihan Anda bernilai Rp" in text_of(indonesian)
    assert "melebihi anggaran" in text_of(indonesian)
    assert services.my_choice(ballot, voter) == []
    ok = client.post(f"/partisipasi/pemungutan/{ballot.id}/pilih", data={"option": [a, c]})
    assert ok.status_code == 302
    assert sorted(services.my_choice(ballot, voter)) == sorted([a, c])


def test_approval_allows_up_to_k(app, staff):
    ballot = make_ballot(staff, method="approval", max_choices=2)
    voter = make_resident()
    ids = option_ids(ballot)
    with pytest.raises(services.ParticipationError):
        services.cast_vote(ballot.id, voter, ids)
    db.session.rollback()
    assert services.cast_vote(ballot.id, voter, ids[:2]) == sorted(ids[:2])


def test_single_choice_takes_exactly_one_known_option(app, staff):
    ballot = make_ballot(staff)
    voter = make_resident()
    with pytest.raises(services.ParticipationError):
        services.cast_vote(ballot.id, voter, option_ids(ballot)[:2])
    with pytest.raises(services.ParticipationError):
        services.cast_vote(ballot.id, voter, ["999999"])
    with pytest.raises(services.ParticipationError):
        services.cast_vote(ballot.id, voter, [])


def test_unverified_resident_cannot_vote(app, client, staff):
    ballot = make_ballot(staff)
    voter = make_resident(verified=False)
    login(client, voter)
    response = client.post(
        f"/partisipasi/pemungutan/{ballot.id}/pilih?lang=en", data={"option": option_ids(ballot)[0]}
    )
    assert response.status_code == 400
    assert "Only verified residents" in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 0


def test_household_ballot_counts_one_vote_per_household(app, staff):
    ballot = make_ballot(staff, per_household=True)
    home = make_home(rt=2, rw=3)
    first, second = make_resident(home), make_resident(home)
    a, b, _c = option_ids(ballot)
    services.cast_vote(ballot.id, first, [a])
    services.cast_vote(ballot.id, second, [b])
    votes = db.session.scalars(select(BallotVote)).all()
    assert (
        len(votes) == 1 and votes[0].voter_key == home.id and (votes[0].rt, votes[0].rw) == (2, 3)
    )
    assert services.my_choice(ballot, first) == [b]
    assert services.compute_results(ballot).eligible == 1


def test_a_vote_costs_few_statements_and_leaves_the_page_cache_alone(app, client, staff):
    """The vote path's cost, pinned: once the worker keeps the ballot's rules, a vote is
    the login's read of the account, the upsert of the voter's row (which reads RT/RW
    and proves the kept rules current) and the replacement of its choices: one
    statement on PostgreSQL, a DELETE and an INSERT on SQLite (plus SQLite's BEGIN
    IMMEDIATE; the read's deferred BEGIN goes to the driver directly, past SQLAlchemy's
    events: portal/database.py). Votes change no watched table: the page cache's
    generation stays."""
    from sqlalchemy import event

    from portal import cache

    ballot = make_ballot(staff, method="approval", max_choices=2)
    a, b, c = option_ids(ballot)
    voter = make_resident()
    login(client, voter)
    url = f"/partisipasi/pemungutan/{ballot.id}/pilih"
    assert client.post(url, data={"option": [a]}).status_code == 302  # reads the rules
    page_cache = app.extensions[cache.EXTENSION]
    generation = page_cache.generation()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.post(url, data={"option": [b, c]}).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    postgres = db.engine.dialect.name == "postgresql"
    assert len(statements) == (3 if postgres else 5), "\n".join(s[:60] for s in statements)
    assert not any(s.lstrip().upper().startswith("SELECT BALLOT") for s in statements)
    assert page_cache.generation() == generation
    assert sorted(services.my_choice(ballot, voter)) == sorted([b, c])
    assert db.session.scalar(select(func.count()).select_from(BallotVoteChoice)) == 2


def test_kept_rules_are_proved_current_when_the_vote_is_written(app, client, staff):
    """A worker's copy of a ballot's rules is checked by the upsert itself: after the
    ballot row changed (here behind the service's back, as a migration or an operator
    at the database could), the next vote is decided on the rules read again."""
    from sqlalchemy import update

    ballot = make_ballot(staff)
    a, b, _c = option_ids(ballot)
    voter = make_resident()
    services.cast_vote(ballot.id, voter, [a])  # the rules are now kept
    with pytest.raises(services.ParticipationError):
        services.cast_vote(ballot.id, voter, [a, b])  # single choice
    db.session.rollback()
    db.session.execute(
        update(Ballot).where(Ballot.id == ballot.id).values(method="approval", max_choices=2)
    )
    db.session.commit()
    assert services.cast_vote(ballot.id, voter, [a, b]) == sorted([a, b])
    db.session.execute(
        update(Ballot)
        .where(Ballot.id == ballot.id)
        .values(closes_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    with pytest.raises(services.ParticipationError) as refused:
        services.cast_vote(ballot.id, voter, [b])
    assert refused.value.message is services.CLOSED
    db.session.rollback()
    assert sorted(services.my_choice(ballot, voter)) == sorted([a, b])
    login(client, voter)
    assert (
        client.post("/partisipasi/pemungutan/999999/pilih", data={"option": a}).status_code == 404
    )


def test_household_ballot_refuses_a_voter_the_registry_has_no_household_for(app, staff):
    from sqlalchemy import update

    ballot = make_ballot(staff, per_household=True)
    a = option_ids(ballot)[0]
    services.cast_vote(ballot.id, make_resident(), [a])  # the rules are now kept
    moved_out = make_resident()
    db.session.execute(
        update(Membership)
        .where(Membership.person_id == moved_out.person_id)
        .values(end_date=village_today())
    )
    db.session.commit()
    with pytest.raises(services.ParticipationError) as refused:
        services.cast_vote(ballot.id, moved_out, [a])
    assert refused.value.message is services.HOUSEHOLD_MISSING
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 1


def test_voting_page_works_with_htmx_and_without(app, client, staff):
    ballot = make_ballot(staff)
    voter = make_resident()
    login(client, voter)
    page = client.get(f"/partisipasi/pemungutan/{ballot.id}?lang=en")
    assert 'type="radio" name="option"' in text_of(page)
    a, b, _c = option_ids(ballot)
    swapped = client.post(
        f"/partisipasi/pemungutan/{ballot.id}/pilih",
        data={"option": a},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200
    body = text_of(swapped)
    assert body.lstrip().startswith('<div id="ballot-box">') and "<html" not in body
    plain = client.post(f"/partisipasi/pemungutan/{ballot.id}/pilih", data={"option": b})
    assert plain.status_code == 302
    again = client.get(f"/partisipasi/pemungutan/{ballot.id}")
    assert f'value="{b}" checked' in text_of(again)


# --- ballots: results and secrecy ------------------------------------------------------------


def test_hidden_results_stay_hidden_until_published(app, client, staff):
    ballot = make_ballot(staff, results_mode="hidden")
    voter = make_resident(name="Siti Aminah")
    services.cast_vote(ballot.id, voter, [option_ids(ballot)[0]])
    page = client.get(f"/partisipasi/pemungutan/{ballot.id}/hasil?lang=en")
    assert "not public yet" in text_of(page)
    assert client.get(f"/partisipasi/pemungutan/{ballot.id}/hasil.csv").status_code == 404
    with pytest.raises(services.ParticipationError):
        services.publish_results(ballot.id, staff)
    db.session.rollback()
    ballot.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    services.publish_results(ballot.id, staff)
    page = client.get(f"/partisipasi/pemungutan/{ballot.id}/hasil?lang=en")
    assert "Final results" in text_of(page) and "1 vote" in text_of(page)
    download = client.get(f"/partisipasi/pemungutan/{ballot.id}/hasil.csv?lang=en")
    rows = list(csv.reader(io.StringIO(text_of(download))))
    assert rows[0] == ["option", "cost", "votes", "share_percent"]
    assert rows[1] == ["Village road", "300", "1", "100"]


def test_live_results_show_while_open(app, client, staff):
    ballot = make_ballot(staff, results_mode="live")
    services.cast_vote(ballot.id, make_resident(), [option_ids(ballot)[1]])
    page = text_of(client.get(f"/partisipasi/pemungutan/{ballot.id}?lang=en"))
    assert "Live results" in page and "1 vote" in page


def test_nobody_sees_who_voted_for_what(app, client, login_as, staff):
    ballot = make_ballot(staff)
    voters = [make_resident(name=f"Pemilih Rahasia{i}") for i in range(3)]
    for v in voters:
        services.cast_vote(ballot.id, v, [option_ids(ballot)[0]])
    for role in ("admin", "auditor"):
        login_as(role)
        for url in (
            f"/staf/partisipasi/pemungutan/{ballot.id}",
            f"/staf/partisipasi/pemungutan/{ballot.id}/hasil.csv",
            "/staf/partisipasi/",
            "/staf/audit",
        ):
            body = text_of(client.get(url))
            assert "Rahasia" not in body and "R*****a" not in body, url
            assert voters[0].phone not in body


def test_small_areas_are_folded_so_they_cannot_be_subtracted():
    from portal.participation.services import Area, suppress_small_areas

    areas = [Area(1, 1, 9), Area(1, 2, 6), Area(2, 1, 2)]
    shown, hidden, rest = suppress_small_areas(areas, 17)
    # 2 left over would reveal RT 1/RW 2's voters: the smallest shown area joins them.
    assert [(a.rw, a.rt) for a in shown] == [(1, 1)] and hidden == 2 and rest == 8
    shown, hidden, rest = suppress_small_areas([Area(1, 1, 5), Area(1, 2, 5)], 10)
    assert len(shown) == 2 and rest == 0


def test_results_by_area_need_five_votes(app, staff):
    ballot = make_ballot(staff)
    big, small = make_home(rt=1, rw=1), make_home(rt=4, rw=2)
    a = option_ids(ballot)[0]
    for _ in range(5):
        services.cast_vote(ballot.id, make_resident(big), [a])
    services.cast_vote(ballot.id, make_resident(small), [a])
    res = services.compute_results(ballot)
    # One vote left over would be that person's vote: no area is shown.
    assert res.areas == [] and res.hidden_voters == 6
    for _ in range(4):
        services.cast_vote(ballot.id, make_resident(small), [a])
    res = services.compute_results(ballot)
    assert [(x.label, x.voters, x.counts[a]) for x in res.areas] == [
        ("001/001", 5, 5),
        ("004/002", 5, 5),
    ]


# --- concurrency ---------------------------------------------------------------------------


def _race(app, jobs, work):
    """Run `work(*job)` for every job at once, each in a thread with its own app
    context and session. Returns the outcomes ("ok", "refused" or "error: ...")."""
    db.session.commit()  # end the test's own transaction: no old snapshot after the race
    barrier = threading.Barrier(len(jobs), timeout=120)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job):
        with app.app_context():
            try:
                barrier.wait()
                work(*job)
                result = "ok"
            except services.ParticipationError:
                result = "refused"
            except Exception as error:  # anything else fails the test
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    db.session.commit()
    return outcomes


def _vote_as(ballot_id, user_id, choice):
    services.cast_vote(ballot_id, db.session.get(User, user_id), choice)


@pytest.mark.concurrency
def test_200_concurrent_votes_from_50_residents_leave_one_ballot_each(app, staff):
    ballot = make_ballot(staff, method="approval", max_choices=2)
    ids = option_ids(ballot)
    voters = [make_resident(rt=1 + i % 4) for i in range(50)]
    # Each resident votes four times; their own four choices are the same, so the
    # totals are known whichever request lands last.
    wanted = {
        v.id: [ids[i % 3]] if i % 2 else [ids[i % 3], ids[(i + 1) % 3]]
        for i, v in enumerate(voters)
    }
    jobs = [(ballot.id, v.id, wanted[v.id]) for v in voters for _ in range(4)]
    outcomes = _race(app, jobs, _vote_as)
    assert outcomes.count("ok") == 200, [o for o in outcomes if o != "ok"][:5]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 50
    keys = db.session.scalars(select(BallotVote.voter_key)).all()
    assert sorted(keys) == sorted(v.id for v in voters)
    res = services.compute_results(ballot)
    expected = {i: sum(1 for w in wanted.values() if i in w) for i in ids}
    assert res.counts == expected and res.voters == 50
    assert db.session.scalar(select(func.count()).select_from(BallotVoteChoice)) == sum(
        len(w) for w in wanted.values()
    )


@pytest.mark.concurrency
def test_concurrent_votes_with_changes_keep_one_consistent_ballot(app, staff):
    ballot = make_ballot(staff)
    ids = option_ids(ballot)
    voters = [make_resident() for _ in range(50)]
    # Each resident's four requests pick different options: any one may win, but
    # every resident ends with exactly one ballot holding exactly one choice.
    jobs = [(ballot.id, v.id, [ids[(i + k) % 3]]) for i, v in enumerate(voters) for k in range(4)]
    outcomes = _race(app, jobs, _vote_as)
    assert outcomes.count("ok") == 200
    db.session.expire_all()
    per_vote = db.session.execute(
        select(BallotVoteChoice.vote_id, func.count()).group_by(BallotVoteChoice.vote_id)
    ).all()
    assert len(per_vote) == 50 and all(n == 1 for _vote, n in per_vote)
    res = services.compute_results(ballot)
    assert sum(res.counts.values()) == 50 and res.voters == 50


@pytest.mark.concurrency
def test_concurrent_household_votes_leave_one_ballot_per_household(app, staff):
    ballot = make_ballot(staff, per_household=True)
    ids = option_ids(ballot)
    homes = [make_home(rt=1 + h % 3) for h in range(25)]
    db.session.commit()
    voters = [(make_resident(homes[i // 2]), i // 2) for i in range(50)]
    jobs = [(ballot.id, v.id, [ids[h % 3]]) for v, h in voters for _ in range(4)]
    outcomes = _race(app, jobs, _vote_as)
    assert outcomes.count("ok") == 200
    db.session.expire_all()
    keys = db.session.scalars(select(BallotVote.voter_key)).all()
    assert sorted(keys) == sorted(h.id for h in homes)
    res = services.compute_results(ballot)
    assert res.counts == {ids[i]: sum(1 for h in range(25) if h % 3 == i) for i in range(3)}


@pytest.mark.concurrency
def test_concurrent_supports_count_once_each(app, make_user):
    author = make_resident()
    proposal = services.create_proposal(
        author, {"title": "Lampu jalan RT 3", "description": "Gelap.", "category": "infrastructure"}
    )
    supporters = [make_resident() for _ in range(50)]
    jobs = [(proposal.id, s.id) for s in supporters for _ in range(4)]
    outcomes = _race(app, jobs, lambda pid, uid: services.support(pid, db.session.get(User, uid)))
    assert outcomes.count("ok") == 50 and outcomes.count("refused") == 150, set(outcomes)
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).supports_count == 50
    assert db.session.scalar(select(func.count()).select_from(ProposalSupport)) == 50


# --- surveys ---------------------------------------------------------------------------------


def make_survey(staff) -> Survey:
    survey = services.save_survey(None, {"title_id": "Kebutuhan warga", "title_en": "Needs"}, staff)
    services.add_question(
        survey,
        {
            "kind": "single",
            "text_id": "Kebutuhan utama?",
            "text_en": "Main need?",
            "choices_id": "Pangan\nAir\nPekerjaan",
            "choices_en": "Food\nWater\nWork",
            "required": True,
        },
        staff,
    )
    services.add_question(
        survey,
        {
            "kind": "multiple",
            "text_id": "Pelatihan?",
            "choices_id": "Menjahit\nBertani",
            "required": False,
        },
        staff,
    )
    services.add_question(
        survey, {"kind": "number", "text_id": "Jumlah anak?", "required": True}, staff
    )
    services.add_question(survey, {"kind": "text", "text_id": "Saran?", "required": False}, staff)
    services.set_survey_status(survey, "open", staff)
    return survey


def test_survey_summary_shows_the_latest_texts_of_each_text_question(app, staff):
    """The summary's one statement gives each text question its latest 20 answers,
    newest first, and no other question's."""
    survey = make_survey(staff)
    q1, _q2, q3, q4 = (q.id for q in survey.questions)
    for n in range(22):
        answers = {q1: ["0"], q3: [str(n)], q4: [f"Saran {n}"]}
        services.submit_response(survey.id, make_resident(), answers)
    db.session.expire_all()
    summary = services.survey_summary(db.session.get(Survey, survey.id))
    assert summary[3].texts == [f"Saran {n}" for n in range(21, 1, -1)]
    assert [s.texts for s in summary[:3]] == [[], [], []]
    assert summary[3].answered == 22


def test_survey_is_answered_once_and_summarised_without_names(app, client, login_as, staff):
    survey = make_survey(staff)
    q1, q2, q3, q4 = (q.id for q in survey.questions)
    voter = make_resident(name="Budi Santoso")
    login(client, voter)
    bad = client.post(
        f"/partisipasi/survei/{survey.id}/jawab?lang=en", data={f"q{q1}": "1", f"q{q3}": "banyak"}
    )
    assert bad.status_code == 400 and "Enter a whole number." in text_of(bad)
    assert 'value="1" checked' in text_of(bad)
    ok = client.post(
        f"/partisipasi/survei/{survey.id}/jawab",
        data={f"q{q1}": "1", f"q{q2}": ["0", "1"], f"q{q3}": "3", f"q{q4}": "Perbaiki sumur"},
    )
    assert ok.status_code == 302
    again = client.post(
        f"/partisipasi/survei/{survey.id}/jawab", data={f"q{q1}": "0", f"q{q3}": "1"}
    )
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    with pytest.raises(services.ParticipationError):
        services.submit_response(survey.id, voter, {q1: ["0"], q3: ["2"]})
    db.session.rollback()
    services.submit_response(survey.id, make_resident(), {q1: ["0"], q3: ["5"]})
    summary = services.survey_summary(db.session.get(Survey, survey.id))
    assert summary[0].counts == [1, 1, 0] and summary[2].numbers["max"] == 5
    assert [s.answered for s in summary] == [2, 1, 2, 1]
    assert summary[1].counts == [1, 1] and summary[2].numbers["min"] == 3
    assert summary[2].numbers["mean"] == 4 and summary[3].texts == ["Perbaiki sumur"]
    login_as("auditor")
    page = text_of(client.get(f"/staf/partisipasi/survei/{survey.id}?lang=en"))
    assert (
        "<progress" in page
        and "Perbaiki sumur" in page
        and "<script" not in page.split("</head>")[1]
    )
    exported = text_of(client.get(f"/staf/partisipasi/survei/{survey.id}/jawaban.csv"))
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][3:] == ["Air", "Menjahit; Bertani", "3", "Perbaiki sumur"]
    assert "Budi" not in exported and str(voter.id) not in rows[1][:1][0][1:]
    book = load_workbook(
        io.BytesIO(client.get(f"/staf/partisipasi/survei/{survey.id}/jawaban.xlsx").data)
    )
    cells = [c.value for c in next(book.active.iter_rows(min_row=2, max_row=2))]
    assert cells[3:] == ["Air", "Menjahit; Bertani", 3, "Perbaiki sumur"]


def test_questions_are_frozen_once_the_survey_opens(app, staff):
    survey = make_survey(staff)
    with pytest.raises(services.ParticipationError):
        services.add_question(survey, {"kind": "text", "text_id": "Lagi?"}, staff)


def test_staff_build_a_survey_through_the_forms(app, client, login_as):
    login_as("operator")
    made = client.post("/staf/partisipasi/survei/baru", data={"title_id": "Survei air"})
    assert made.status_code == 302
    survey = db.session.scalars(select(Survey)).one()
    bad = client.post(
        f"/staf/partisipasi/survei/{survey.id}/pertanyaan?lang=en",
        data={"kind": "single", "text_id": "Sumber air?", "choices_id": "Sumur"},
    )
    assert bad.status_code == 400 and "at least two choices" in text_of(bad)
    good = client.post(
        f"/staf/partisipasi/survei/{survey.id}/pertanyaan",
        data={
            "kind": "single",
            "text_id": "Sumber air?",
            "choices_id": "Sumur\nPDAM",
            "required": "y",
        },
    )
    assert good.status_code == 302
    client.post(f"/staf/partisipasi/survei/{survey.id}/buka")
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status == "open"


# --- proposals -------------------------------------------------------------------------------


def test_threshold_puts_a_proposal_on_the_next_meeting(app, client, staff):
    app.config["PROPOSAL_SUPPORT_THRESHOLD"] = 3
    factories.meeting(days=30, title_id="Musdes Desember")
    soon = factories.meeting(days=5, title_id="Musdes November")
    factories.meeting(days=-2, title_id="Musdes lalu")
    proposal = services.create_proposal(
        make_resident(rt=3, rw=1),
        {
            "title": "Perbaikan jalan RT 3",
            "description": "Jalan rusak.",
            "category": "infrastructure",
        },
    )
    assert (proposal.rt, proposal.rw) == (3, 1)
    for _ in range(2):
        services.support(proposal.id, make_resident())
    assert db.session.get(Proposal, proposal.id).meeting_id is None
    services.support(proposal.id, make_resident())
    proposal = db.session.get(Proposal, proposal.id)
    assert proposal.meeting_id == soon.id and proposal.supports_count == 3
    page = text_of(client.get(f"/partisipasi/usulan/{proposal.id}"))
    assert "Musdes November" in page


def test_meeting_page_lists_scheduled_proposals(app, client, staff):
    app.config["PROPOSAL_SUPPORT_THRESHOLD"] = 1
    meeting = factories.meeting(days=5)
    proposal = services.create_proposal(
        make_resident(),
        {"title": "Bak sampah umum", "description": "Untuk RW 2.", "category": "environment"},
    )
    services.support(proposal.id, make_resident())
    with app.test_request_context():
        from flask import url_for

        url = url_for("public.meeting", meeting_id=meeting.id)
    assert "Bak sampah umum" in text_of(client.get(url))


def test_support_once_and_comment_through_the_pages(app, client):
    author = make_resident(name="Ani Lestari")
    proposal = services.create_proposal(
        author, {"title": "Posyandu keliling", "description": "Tiap bulan.", "category": "health"}
    )
    fan = make_resident()
    login(client, fan)
    before = text_of(client.get(f"/partisipasi/usulan/{proposal.id}?lang=en"))
    assert "You already support this proposal." not in before
    assert services.proposal_with_support(proposal.id, fan) == (proposal, False)
    first = client.post(f"/partisipasi/usulan/{proposal.id}/dukung", headers={"HX-Request": "true"})
    assert "You support this proposal." in text_of(
        first
    ) or "Anda mendukung usulan ini." in text_of(first)
    second = client.post(f"/partisipasi/usulan/{proposal.id}/dukung?lang=en")
    assert second.status_code == 302
    page = text_of(client.get(f"/partisipasi/usulan/{proposal.id}?lang=en"))
    assert "You already support this proposal." in page and "1 support" in page
    assert services.proposal_with_support(proposal.id, fan)[1] is True
    assert services.proposal_with_support(proposal.id, author)[1] is False
    assert services.proposal_with_support(proposal.id + 1000, fan) is None
    assert "A*i L*****i" in page and "Ani Lestari" not in page
    empty = client.post(f"/partisipasi/usulan/{proposal.id}/komentar?lang=en", data={"body": ""})
    assert empty.status_code == 400 and "Please fill in this field." in text_of(empty)
    client.post(f"/partisipasi/usulan/{proposal.id}/komentar", data={"body": "Setuju sekali"})
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).comments_count == 1


def test_new_proposal_form_keeps_input_and_creates(app, client):
    login(client, make_resident())
    bad = client.post(
        "/partisipasi/usulan/baru?lang=en",
        data={"title": "Abc", "description": "Isi", "category": "water"},
    )
    assert bad.status_code == 400 and 'value="Abc"' in text_of(bad)
    good = client.post(
        "/partisipasi/usulan/baru",
        data={
            "title": "Sumur bor RW 2",
            "description": "Air bersih.",
            "category": "water",
            "rw": "2",
        },
    )
    assert good.status_code == 302
    assert db.session.scalars(select(Proposal)).one().rw == 2


def test_flagged_content_is_hidden_with_its_reason(app, client, login_as):
    author = make_resident()
    proposal = services.create_proposal(
        author, {"title": "Usulan kasar sekali", "description": "Kata kasar.", "category": "other"}
    )
    comment = services.add_comment(proposal.id, author, "Komentar kasar")
    reporter = make_resident()
    login(client, reporter)
    client.post(f"/partisipasi/komentar/{comment.id}/tandai", data={"reason": "kasar"})
    client.post(f"/partisipasi/komentar/{comment.id}/tandai", data={"reason": "kasar"})
    client.post(f"/partisipasi/usulan/{proposal.id}/tandai", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).flags_count == 1
    assert services.flagged()[1][0].flags_count == 1
    assert services.flagged_count() == 2
    login_as("operator")
    queue = text_of(client.get("/staf/partisipasi/moderasi"))
    assert "Komentar kasar" in queue
    no_reason = client.post(
        f"/staf/partisipasi/moderasi/komentar/{comment.id}/sembunyikan", data={"reason": ""}
    )
    assert no_reason.status_code == 302
    client.post(
        f"/staf/partisipasi/moderasi/komentar/{comment.id}/sembunyikan",
        data={"reason": "Berisi kata kasar"},
    )
    # The staff page counts the reported items still shown: the proposal.
    assert services.flagged_count() == 1
    assert '<span class="tag tag-warn">1</span>' in client.get("/staf/partisipasi/").text
    page = text_of(client.get(f"/partisipasi/usulan/{proposal.id}?lang=en"))
    assert "Hidden by an operator: Berisi kata kasar" in page and "Komentar kasar" not in page


def test_auditor_reads_but_cannot_moderate(app, client, login_as):
    proposal = services.create_proposal(
        make_resident(), {"title": "Usulan biasa", "description": "Biasa.", "category": "other"}
    )
    login_as("auditor")
    assert client.get("/staf/partisipasi/moderasi").status_code == 200
    refused = client.post(
        f"/staf/partisipasi/moderasi/usulan/{proposal.id}/sembunyikan", data={"reason": "x"}
    )
    assert refused.status_code == 403


def test_proposals_list_pages_without_a_query_per_row(app, client):
    from sqlalchemy import event

    author = make_resident()
    db.session.add_all(
        Proposal(
            author_id=author.id,
            author_label="W***a",
            title=f"Usulan nomor {i}",
            description="Isi",
            category="other",
            supports_count=i % 17,
            comments_count=0,
            flags_count=0,
        )
        for i in range(60)
    )
    db.session.commit()
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/partisipasi/usulan?halaman=2")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200 and text_of(page).count('class="meta"') >= 20
    assert len(statements) <= 6
    assert client.get("/partisipasi/usulan?halaman=0").status_code == 404
    assert client.get("/partisipasi/usulan?urut=x").status_code == 404


def test_a_page_of_proposals_is_what_paging_the_objects_gave(app):
    """proposals_page reads plain rows with their total in one statement: the same
    proposals, order, total and pages as Flask-SQLAlchemy's paginate over the objects
    (the old way), for both orders, with and without a category, past the end too;
    hidden proposals are left out."""
    from portal.participation.services.common import PAGE_SIZE

    author = make_resident()
    db.session.add_all(
        Proposal(
            author_id=author.id, author_label="W***a", title=f"Usulan {i}", description="Isi",
            category=("water", "other")[i % 2], supports_count=i % 7, comments_count=i % 3,
            flags_count=0, rt=i % 4 or None, rw=1, created_at=utcnow() - timedelta(hours=i % 5),
            hidden_at=utcnow() if i % 11 == 0 else None,
        )
        for i in range(3 * PAGE_SIZE)
    )  # fmt: skip
    db.session.commit()
    columns = ("id", "title", "category", "rt", "rw", "supports_count", "comments_count")
    for sort, category, page in itertools.product(("support", "new"), (None, "water"), range(1, 5)):
        stmt = select(Proposal).where(Proposal.hidden_at.is_(None))
        if category:
            stmt = stmt.where(Proposal.category == category)
        order = Proposal.created_at if sort == "new" else Proposal.supports_count
        stmt = stmt.order_by(order.desc(), Proposal.id.desc())
        old = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False, count=True)
        new = services.proposals_page(page, sort, category)
        assert [tuple(getattr(p, c) for c in columns) for p in old.items] == [
            tuple(getattr(r, c) for c in columns) for r in new.items
        ]
        assert (new.total, new.pages, new.page) == (old.total, old.pages, old.page)
        assert new.total > 0


def test_public_pages_render_in_both_languages(app, client, staff):
    ballot = make_ballot(staff)
    for lang in ("id", "en"):
        for url in ("/partisipasi/", f"/partisipasi/pemungutan/{ballot.id}", "/partisipasi/usulan"):
            assert client.get(f"{url}?lang={lang}").status_code == 200
    assert "Village road" in text_of(client.get(f"/partisipasi/pemungutan/{ballot.id}?lang=en"))


# --- rate limits and the page cache ------------------------------------------------------


def test_votes_supports_flags_and_answers_are_rate_limited_per_account(app, client, staff):
    app.config.update(
        RATELIMIT_VOTE="2 per minute",
        RATELIMIT_SUPPORT="1 per minute",
        RATELIMIT_FLAG="1 per minute",
        RATELIMIT_SURVEY_ANSWER="1 per minute",
        RATELIMIT_COMMENT="1 per minute",
    )
    ballot = make_ballot(staff)
    a, b, _c = option_ids(ballot)
    voter = make_resident()
    login(client, voter)
    vote_url = f"/partisipasi/pemungutan/{ballot.id}/pilih"
    assert client.post(vote_url, data={"option": a}).status_code == 302
    assert client.post(vote_url, data={"option": b}).status_code == 302
    limited = client.post(vote_url, data={"option": a})
    assert limited.status_code == 429 and limited.headers.get("Retry-After")
    assert "Anda terlalu sering melakukan ini" in text_of(limited)
    english = client.post(f"{vote_url}?lang=en", data={"option": a})
    assert english.status_code == 429
    assert "You have done this too often in a short time." in text_of(english)
    swapped = client.post(vote_url, data={"option": a}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and swapped.headers["HX-Reswap"] == "afterbegin"
    assert text_of(swapped).lstrip().startswith('<p class="notice notice-error" role="alert">')
    # The refused votes changed nothing; the limit is per account, not per address.
    assert services.my_choice(ballot, voter) == [b]
    other = make_resident()
    login(client, other)
    assert client.post(vote_url, data={"option": a}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(BallotVote)) == 2

    first, second = (
        services.create_proposal(
            voter, {"title": f"Usulan nomor {n}", "description": "Isi.", "category": "other"}
        )
        for n in (1, 2)
    )
    assert client.post(f"/partisipasi/usulan/{first.id}/dukung").status_code == 302
    assert client.post(f"/partisipasi/usulan/{second.id}/dukung").status_code == 429
    comment = services.add_comment(first.id, voter, "Komentar")
    assert client.post(f"/partisipasi/usulan/{first.id}/tandai").status_code == 302
    # Reports of proposals and of comments share one budget.
    assert client.post(f"/partisipasi/komentar/{comment.id}/tandai").status_code == 429
    comment_url = f"/partisipasi/usulan/{first.id}/komentar"
    assert client.post(comment_url, data={"body": "Setuju"}).status_code == 302
    assert client.post(comment_url, data={"body": "Setuju lagi"}).status_code == 429

    survey = make_survey(staff)
    q1 = survey.questions[0].id
    answer_url = f"/partisipasi/survei/{survey.id}/jawab"
    assert client.post(answer_url, data={}).status_code == 400  # a form with errors counts
    assert client.post(answer_url, data={f"q{q1}": "0"}).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_cached_participation_pages_show_changes_at_once(app, client, staff):
    author = make_resident()
    listed = client.get("/partisipasi/usulan")
    assert listed.headers["X-Portal-Cache"] == "miss"
    assert client.get("/partisipasi/usulan").headers["X-Portal-Cache"] == "hit"
    proposal = services.create_proposal(
        author, {"title": "Taman bacaan anak", "description": "Buku.", "category": "education"}
    )
    fresh = client.get("/partisipasi/usulan")
    assert fresh.headers["X-Portal-Cache"] == "miss" and "Taman bacaan anak" in text_of(fresh)
    client.get(f"/partisipasi/usulan/{proposal.id}")
    services.support(proposal.id, make_resident())
    page = client.get(f"/partisipasi/usulan/{proposal.id}", headers={"Accept-Language": "en"})
    assert page.headers["X-Portal-Cache"] == "miss" and "1 support" in text_of(page)
    # Live results are kept no longer than PARTICIPATION_RESULTS_SECONDS; 0 keeps none.
    app.config["PARTICIPATION_RESULTS_SECONDS"] = 0
    ballot = make_ballot(staff)
    url = f"/partisipasi/pemungutan/{ballot.id}/hasil"
    client.get(url)
    services.cast_vote(ballot.id, make_resident(), [option_ids(ballot)[0]])
    again = client.get(url)
    assert again.headers["X-Portal-Cache"] == "miss" and "1 suara" in text_of(again)


def test_the_staff_lists_read_plain_rows_with_the_ballots_states(staff):
    """The staff index's rows (ballot_rows, survey_rows) say what the records say: a
    ballot's state is its is_open / is_closed, latest closing first; surveys newest
    first with their counts."""
    future = make_ballot(staff, opens_at=utcnow() + timedelta(days=1))
    running = make_ballot(staff, question_id="Sekarang")
    closed = make_ballot(staff, question_id="Lalu")
    closed.opens_at = utcnow() - timedelta(days=2)
    closed.closes_at = utcnow() - timedelta(hours=1)
    closed.results_published_at = utcnow()
    db.session.commit()
    rows = services.ballot_rows()
    assert [row.id for row in rows] == [b.id for b in services.ballots()]
    by_id = {row.id: row for row in rows}
    for ballot in (future, running, closed):
        row = by_id[ballot.id]
        expected = "open" if ballot.is_open() else "closed" if ballot.is_closed() else "not_open"
        assert row.state == expected
        assert (row.question_id, row.method) == (ballot.question_id, ballot.method)
        assert row.results_published == ballot.results_published
    assert [by_id[b.id].state for b in (future, running, closed)] == ["not_open", "open", "closed"]
    survey = services.save_survey(None, {"title_id": "Kebutuhan", "title_en": None}, staff)
    found = services.survey_rows()
    assert [tuple(r) for r in found] == [
        (s.id, s.title_id, s.status, s.responses_count) for s in services.surveys()
    ]
    assert found[0].id == survey.id
