"""Crash recovery: kill -9 a worker, then the whole server, in the middle of writes.

    .venv/bin/python bench/crash.py                    # SQLite in bench/results/crash/
    CRASH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB .venv/bin/python bench/crash.py

Builds a fresh database (the demo data, CRASH_VOTERS verified residents of generated
households, an open ballot, a training session with a seat for everyone, a confirmed
CSR pledge with room for every delivery), serves it with gunicorn (2 sync workers) on
127.0.0.1 and sends, from threads, real form POSTs with signed-in session cookies and
CSRF tokens: votes and training sign-ups as residents, CSR deliveries (1 unit each) as
an operator, while a registry import runs (`flask import-registry FILE --yes`, the
operators' command, in its own process). Every answer is recorded: 302 is "the
client was told it succeeded", a refused connection or a cut answer is "unknown".
After CRASH_FIRST acknowledged writes one worker gets SIGKILL (gunicorn starts a new
one); once the import's confirmation has begun, the import process and the whole server
(master and workers, one process group) get SIGKILL. Then the server is started again
on the same database and the script checks:

- every acknowledged vote, sign-up and delivery is in the database;
- nothing is half-written: every vote row has its choice, every place its outbox
  message, the session's seat counter equals its enrolled places, the pledge's
  delivered sum equals its delivery rows, and deliveries, their pledge events and
  their audit rows ("deliver") are equal in number; the import wrote all of its
  households with its audit row ("import"), or nothing;
- the restarted server answers /healthz and takes a new vote.

Votes and residents' own sign-ups write no audit row (the audit log records staff
actions and decisions), so for them the checks are the paired rows above. Handovers
(distribution) do not exist yet and are not part of this run. The database for
PostgreSQL must be one you can drop: its schema is dropped and migrated afresh.
Loopback only; every loop is bounded; the server is stopped on every way out.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import run

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = run.RESULTS / "crash"
INSTANCE = WORK / "instance"
ROSTER = WORK / "roster.xlsx"
VOTERS = int(os.environ.get("CRASH_VOTERS", "300"))
DELIVERIES = int(os.environ.get("CRASH_DELIVERIES", "400"))
FIRST_KILL = int(os.environ.get("CRASH_FIRST", "60"))
ROSTER_FAMILIES = int(os.environ.get("CRASH_FAMILIES", "3000"))
URL = os.environ.get("CRASH_DATABASE_URL")

sys.path.insert(0, str(ROOT))


def environment() -> dict[str, str]:
    url = URL or f"sqlite:///{WORK / 'crash.sqlite3'}"
    return {"PORTAL_INSTANCE": str(INSTANCE), "DATABASE_URL": url, "PUBLIC_CACHE_SECONDS": "0"}


def prepare() -> dict:
    """A fresh database with the residents, ballot, session and pledge; their cookies."""
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)
    INSTANCE.mkdir(parents=True)
    # No rate limits: the point is many writes at once, not the limits.
    (INSTANCE / "config.py").write_text("RATELIMIT_ENABLED = False\n")
    os.environ.update(environment())

    from flask_migrate import upgrade

    from portal import create_app
    from portal.devdata import village as demo
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        if URL:
            _drop_schema(db)
        upgrade()
        demo.seed(households=0)
        facts = _make_targets()
        facts["cookies"] = _cookies(app, facts.pop("residents"), facts["operator"])
        db.session.remove()
        db.engine.dispose()
    import registry  # bench/registry.py: the roster generator

    registry.make_roster(ROSTER, families=ROSTER_FAMILIES)
    return facts


def _drop_schema(db) -> None:
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def _ballot_and_session(now):
    """An open single-choice ballot, and a course session with a seat for everyone."""
    from datetime import timedelta

    from portal.extensions import db
    from portal.participation.models import Ballot, BallotOption
    from portal.training.models import Course, TrainingSession

    ballot = Ballot(
        question_id="Uji pemulihan: pilihan prioritas",
        description_id="",
        method="single",
        per_household=False,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=30),
        results_mode="hidden",
    )
    for position, label in enumerate(("Jalan", "Air bersih", "Posyandu")):
        ballot.options.append(BallotOption(position=position, label_id=label))
    course = Course(
        title_id="Uji pemulihan: pelatihan",
        description_id="Uji.",
        category="entrepreneurship",
        place="Balai Desa",
        priority_rule="open",
        published=True,
    )
    db.session.add_all([ballot, course])
    db.session.flush()
    start = (now + timedelta(days=7)).replace(microsecond=0)
    session = TrainingSession(
        course_id=course.id, starts_at=start, ends_at=start + timedelta(hours=3),
        seats=VOTERS + 10, taken=0, waitlist_seq=0, cancelled=False,
    )  # fmt: skip
    db.session.add(session)
    db.session.flush()
    return ballot, session


def _make_targets() -> dict:
    from sqlalchemy import insert, select

    from portal.accounts.models import User, new_session_token
    from portal.csr.models import Pledge
    from portal.devdata import registry as registry_demo
    from portal.extensions import db
    from portal.models_base import utcnow
    from portal.registry.models import Membership

    now = utcnow()
    registry_demo.generate(VOTERS // 3 + 20, seed=2028)
    db.session.flush()
    ballot, session = _ballot_and_session(now)
    pledge = db.session.scalars(
        select(Pledge).where(Pledge.status.in_(("confirmed", "partly_delivered")))
    ).first()
    if pledge is None:
        raise SystemExit("the demo data has no confirmed pledge")
    pledge.amount = pledge.delivered + DELIVERIES * 2
    pledge.need.target = pledge.need.target + DELIVERIES * 4
    people = db.session.scalars(
        select(Membership.person_id).where(Membership.end_date.is_(None)).limit(VOTERS)
    ).all()
    rows = [
        {
            "name": f"Warga Uji {i}",
            "role": "resident",
            "phone": f"+62814{i:08d}",
            "password_hash": "!",
            "session_token": new_session_token(),
            "person_id": pid,
            "verification_status": "verified",
            "verified_at": now,
        }  # fmt: skip
        for i, pid in enumerate(people)
    ]
    db.session.execute(insert(User), rows)
    db.session.commit()
    residents = db.session.execute(
        select(User.id, User.session_token).where(User.name.like("Warga Uji %")).order_by(User.id)
    ).all()
    operator = db.session.scalar(select(User.id).where(User.role == "operator"))
    return {
        "ballot_id": ballot.id,
        "options": [o.id for o in ballot.options],
        "session_id": session.id,
        "pledge_id": pledge.id,
        "pledge_delivered_before": pledge.delivered,
        "operator": operator,
        "residents": [tuple(r) for r in residents],
    }


def _cookies(app, residents, operator_id) -> dict:
    """A session cookie and CSRF token for each resident and for the operator, as the
    login form would make them (the operator marked as past the second factor)."""
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    from portal.accounts import staff_session
    from portal.accounts.models import User
    from portal.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)

    def make(user_id, token, staff=None):
        with app.test_request_context("/"):
            session["_user_id"] = f"{user_id}:{token}"
            session["_fresh"] = True
            if staff is not None:
                staff_session.mark_verified(staff, session)
            g.pop("csrf_token", None)
            csrf = generate_csrf()
            return {"user_id": user_id, "cookie": f"session={serializer.dumps(dict(session))}",
                    "csrf": csrf}  # fmt: skip

    operator = db.session.get(User, operator_id)
    return {
        "residents": [make(uid, token) for uid, token in residents],
        "operator": make(operator.id, operator.session_token, staff=operator),
    }


class Load:
    """The writers: each thread walks its own bounded list of requests."""

    def __init__(self, port: int, facts: dict):
        self.port = port
        self.facts = facts
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.outcomes = {"vote": {}, "sign_up": {}, "delivery": []}
        self.acked = 0

    def post(self, path: str, who: dict, form: dict) -> str:
        body = urlencode({**form, "csrf_token": who["csrf"]})
        headers = {"Cookie": who["cookie"], "Content-Type": "application/x-www-form-urlencoded"}
        try:
            conn = http.client.HTTPConnection(run.HOST, self.port, timeout=20)
            conn.request("POST", path, body=body, headers=headers)
            status = conn.getresponse().status
            conn.close()
        except OSError:
            return "unknown"
        if status == 302:
            with self.lock:
                self.acked += 1
            return "ok"
        return f"refused {status}"

    def voters(self, part: list[dict]) -> None:
        ballot, options = self.facts["ballot_id"], self.facts["options"]
        for who in part:
            if self.stop.is_set():
                return
            option = options[who["user_id"] % len(options)]
            result = self.post(f"/partisipasi/pemungutan/{ballot}/pilih", who, {"option": option})
            self.outcomes["vote"][who["user_id"]] = (result, option)

    def sign_ups(self, part: list[dict]) -> None:
        path = f"/pelatihan/sesi/{self.facts['session_id']}/daftar"
        for who in part:
            if self.stop.is_set():
                return
            self.outcomes["sign_up"][who["user_id"]] = self.post(path, who, {})

    def deliveries(self) -> None:
        from datetime import date

        path = f"/staf/csr/janji/{self.facts['pledge_id']}/pengiriman"
        operator = self.facts["cookies"]["operator"]
        form = {"amount": "1", "delivered_on": date.today().isoformat(), "note": "uji"}
        for _ in range(DELIVERIES):
            if self.stop.is_set():
                return
            self.outcomes["delivery"].append(self.post(path, operator, form))

    def start(self) -> list[threading.Thread]:
        residents = self.facts["cookies"]["residents"]
        half = len(residents) // 2
        jobs = [
            (self.voters, (residents[:half],)),
            (self.voters, (residents[half:],)),
            (self.sign_ups, (residents[::2],)),
            (self.sign_ups, (residents[1::2],)),
            (self.deliveries, ()),
        ]
        threads = [threading.Thread(target=f, args=a, daemon=True) for f, a in jobs]
        for thread in threads:
            thread.start()
        return threads


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def wait_for(condition, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def import_status() -> str | None:
    """The registry import batch's status, read straight from the database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(run_url())
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT status FROM import_batch ORDER BY id DESC")).scalar()
    except Exception:  # locked or not there yet: ask again
        return None
    finally:
        engine.dispose()


def run_url() -> str:
    from portal.config import database_url

    return database_url(str(INSTANCE))


def crash(port: int, server: run.Server, facts: dict) -> dict:
    """The load, the worker kill, the import and the server kill. Returns what happened."""
    load = Load(port, facts)
    threads = load.start()
    events = {}
    if not wait_for(lambda: load.acked >= FIRST_KILL, 60):
        raise RuntimeError(f"only {load.acked} writes acknowledged in 60 s")
    worker = workers_of(server.proc.pid)[0]
    os.kill(worker, signal.SIGKILL)
    events["worker_killed_after_acks"] = load.acked
    flask = Path(sys.executable).parent / "flask"
    importer = subprocess.Popen(
        [str(flask), "--app", "portal", "import-registry", str(ROSTER), "--yes"],
        cwd=ROOT, env={**os.environ, **environment()},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    # Kill in the middle of the confirmation (the one transaction that writes).
    wait_for(lambda: import_status() == "previewed" or importer.poll() is not None, 120, 0.1)
    time.sleep(0.3)
    events["import_status_at_kill"] = import_status()
    events["import_finished_before_kill"] = importer.poll() is not None
    if importer.poll() is None:
        os.killpg(importer.pid, signal.SIGKILL)
    os.killpg(server.proc.pid, signal.SIGKILL)
    importer.wait()
    server.proc.wait()
    events["server_killed_after_acks"] = load.acked
    load.stop.set()
    for thread in threads:
        thread.join(timeout=30)
    events["outcomes"] = load.outcomes
    return events


def _check_votes(s, facts: dict, out: dict, problems: list) -> int:
    from sqlalchemy import select

    from portal.participation.models import BallotVote, BallotVoteChoice

    votes = dict(
        s.execute(
            select(BallotVote.voter_key, BallotVoteChoice.option_id)
            .join(BallotVoteChoice, BallotVoteChoice.vote_id == BallotVote.id, isouter=True)
            .where(BallotVote.ballot_id == facts["ballot_id"])
        ).all()
    )
    for user_id, (result, option) in out["vote"].items():
        if result == "ok" and votes.get(user_id) != option:
            problems.append(f"acknowledged vote of user {user_id} is missing")
    problems += [f"vote of {k} without its choice" for k, v in votes.items() if v is None]
    return len(votes)


def _check_sign_ups(s, facts: dict, out: dict, problems: list) -> int:
    from sqlalchemy import func, select

    from portal.notify.models import OutboxMessage
    from portal.training.models import Place, TrainingSession

    places = dict(
        s.execute(
            select(Place.user_id, Place.id).where(Place.session_id == facts["session_id"])
        ).all()
    )
    for user_id, result in out["sign_up"].items():
        if result == "ok" and user_id not in places:
            problems.append(f"acknowledged sign-up of user {user_id} is missing")
    told = set(s.scalars(select(OutboxMessage.about_id).where(OutboxMessage.about_id.is_not(None))))
    problems += [f"place {p} without its message" for p in places.values() if p not in told]
    ts = s.get(TrainingSession, facts["session_id"])
    enrolled = s.scalar(
        select(func.count(Place.id)).where(Place.session_id == ts.id, Place.status == "enrolled")
    )
    if ts.taken != enrolled:
        problems.append(f"seat counter {ts.taken} but {enrolled} enrolled places")
    return len(places)


def _check_deliveries(s, facts: dict, out: dict, problems: list) -> dict:
    from sqlalchemy import func, select

    from portal.audit.models import AuditEntry
    from portal.csr.models import Delivery, Pledge, PledgeEvent

    pledge_id = facts["pledge_id"]
    rows = s.scalar(select(func.count(Delivery.id)).where(Delivery.pledge_id == pledge_id))
    events_n = s.scalar(
        select(func.count(PledgeEvent.id)).where(
            PledgeEvent.pledge_id == pledge_id, PledgeEvent.amount.is_not(None)
        )
    )
    audited = s.scalar(
        select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "deliver", AuditEntry.object_id == str(pledge_id)
        )
    )
    delivered = s.get(Pledge, pledge_id).delivered - facts["pledge_delivered_before"]
    acked = out["delivery"].count("ok")
    if not acked <= rows <= acked + out["delivery"].count("unknown"):
        problems.append(f"{rows} deliveries stored, {acked} acknowledged")
    if not rows == events_n == audited == delivered:
        problems.append(f"deliveries {rows}, events {events_n}, audit {audited}, sum {delivered}")
    return {"rows": rows, "events": events_n, "audit": audited}


def check(facts: dict, events: dict) -> dict:
    """What the database holds after the restart, against what clients were told."""
    from sqlalchemy import func, select

    from portal import create_app
    from portal.audit.models import AuditEntry
    from portal.extensions import db
    from portal.registry.models import Household

    out = events["outcomes"]
    problems: list[str] = []
    app = create_app()
    with app.app_context():
        s = db.session
        votes = _check_votes(s, facts, out, problems)
        places = _check_sign_ups(s, facts, out, problems)
        deliveries = _check_deliveries(s, facts, out, problems)
        imports = s.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "import"))
        households = s.scalar(select(func.count(Household.id)))
        db.session.remove()
        db.engine.dispose()
    return {
        "votes": _tally(out["vote"].values(), key=lambda r: r[0]) | {"rows": votes},
        "sign_ups": _tally(out["sign_up"].values()) | {"rows": places},
        "deliveries": _tally(out["delivery"]) | deliveries,
        "import": {"audit_rows": imports, "households": households},
        "problems": problems,
    }


def _tally(results, key=lambda r: r) -> dict:
    counts: dict[str, int] = {}
    for result in results:
        counts[key(result)] = counts.get(key(result), 0) + 1
    return counts


def main() -> int:
    started = time.monotonic()
    print(f"database: {'PostgreSQL' if URL else 'SQLite'}; building ...", flush=True)
    facts = prepare()
    base_households = _households()
    env = {**os.environ, **environment()}
    port = run.free_port()
    server = run.Server(port, env, log=WORK / "gunicorn.log")
    try:
        server.wait_ready()
        events = crash(port, server, facts)
    finally:
        server.stop()
    server = run.Server(port, env, log=WORK / "gunicorn-restart.log")
    try:
        server.wait_ready()
        result = check(facts, events)
        who = facts["cookies"]["residents"][0]
        again = Load(port, facts).post(
            f"/partisipasi/pemungutan/{facts['ballot_id']}/pilih",
            who,
            {"option": facts["options"][0]},
        )
        result["vote_after_restart"] = again
        if again != "ok":
            result["problems"].append(f"a vote after the restart: {again}")
    finally:
        server.stop()
    imported = result["import"]["households"] - base_households
    result["import"]["households_added"] = imported
    if (result["import"]["audit_rows"] == 0) != (imported == 0):
        result["problems"].append(f"import: {imported} households, audit rows {result['import']}")
    result["events"] = {k: v for k, v in events.items() if k != "outcomes"}
    result["seconds"] = round(time.monotonic() - started)
    (WORK / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print("PASS: nothing lost, nothing half-written" if not result["problems"] else "FAIL")
    return 0 if not result["problems"] else 1


def _households() -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(run_url())
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM household")).scalar()
    engine.dispose()
    return count


if __name__ == "__main__":
    sys.exit(main())
