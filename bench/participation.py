"""Participation benchmark on PostgreSQL: a ballot with 20,000 votes, its results page,
1,000 proposals, and a burst of votes through the real voting form.

    .venv/bin/python bench/participation.py

Database: PARTICIPATION_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/bench_participation, created if missing; its
schema is dropped and migrated afresh on every run), filled with the demo data (no
demo households), `portal.devdata.participation.bench_ballot(20_000)` (an open approval
ballot, live results, 20,000 votes over 12 RT/RW areas),
`portal.devdata.participation.bench_proposals(1_000)`, a second open single-choice ballot
for the vote burst, and PARTICIPATION_BENCH_VOTERS (500) verified residents, each
linked to a person of a household made by the registry's own generator (so that every
vote looks up the voter's household and RT/RW, as in production).

The server, the GET load and the settings are bench/run.py's (gunicorn, wrk,
BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_WORKERS, BENCH_WORKER_CLASS,
PUBLIC_CACHE_SECONDS). Rows: /healthz first and last (the ratios divide by the mean of
both), the ballot page and the results page of the 20,000-vote ballot, the proposals
list (first page, most supported first) from the page cache and never from it.

Votes go through HTTP: wrk POSTs the voting form (bench/vote.lua) round robin over the
voters, each request with that voter's session cookie and CSRF token, so every request
passes the session, the login check, CSRF, the rate limit and the view, and each voter
votes several times (the later votes replace the earlier ones). The session cookies
are signed here with the app's own key, as the login form would sign them after the
password check; the password check (argon2) is not part of the measurement. Each voter
always picks the same option, so the database must end with exactly one ballot row
per voter, one choice per row, and totals per option equal to the number of voters
given that option.

Targets (issue 4): results page at least 40% of /healthz throughput; at least 300
accepted votes a second on PostgreSQL, none lost or doubled; proposals list p95 under
50 ms (at BENCH_CONNECTIONS, 16, connections). Figures go to
bench/results/participation.json. BENCH_STRICT=1 exits 1 when a target is missed;
PARTICIPATION_BENCH_ROWS=votes runs only /healthz and the vote burst (to try changes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import run

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = run.RESULTS / "participation"
INSTANCE = WORK / "instance"
RESULTS = run.RESULTS / "participation.json"
VOTERS_FILE = WORK / "voters.tsv"
URL = os.environ.get(
    "PARTICIPATION_BENCH_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/bench_participation",
)
VOTES, PROPOSALS = 20_000, 1_000
VOTERS = int(os.environ.get("PARTICIPATION_BENCH_VOTERS", "500"))
MIN_RESULTS_RATIO = 0.40
MIN_VOTES_PER_SECOND = 300
MAX_LIST_P95_MS = 50.0

sys.path.insert(0, str(ROOT))


def environment() -> dict[str, str]:
    return {"PORTAL_INSTANCE": str(INSTANCE), "DATABASE_URL": URL}


def prepare() -> dict:
    """A fresh schema with the demo data, the two ballots, the proposals and the voters."""
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment())
    run.fresh_postgresql()

    from datetime import timedelta

    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from portal import create_app
    from portal.accounts.models import User, new_session_token
    from portal.devdata import participation as participation_demo
    from portal.devdata import registry as registry_demo
    from portal.devdata import village as demo
    from portal.extensions import db
    from portal.models_base import utcnow
    from portal.participation.models import Ballot, BallotOption, BallotVote
    from portal.registry.models import Membership

    started = time.monotonic()
    app = create_app()
    with app.app_context():
        upgrade()
        demo.seed(households=0)
        # About 3.7 people a household: enough people for every voter.
        registry_demo.generate(VOTERS // 3 + 20, seed=2027)
        db.session.flush()
        big = participation_demo.bench_ballot(VOTES)
        participation_demo.bench_proposals(PROPOSALS)
        now = utcnow()
        burst = Ballot(
            question_id="Uji beban: pemungutan suara serentak",
            question_en="Load test: votes at once",
            description_id="",
            method="single",
            per_household=False,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=30),
            results_mode="hidden",
        )
        for position, label in enumerate(("Jalan", "Air bersih", "Posyandu")):
            burst.options.append(BallotOption(position=position, label_id=label))
        db.session.add(burst)
        db.session.flush()
        people = db.session.scalars(
            select(Membership.person_id)
            .where(Membership.end_date.is_(None))
            .order_by(Membership.person_id)
            .limit(VOTERS)
        ).all()
        if len(people) < VOTERS:
            raise SystemExit(f"only {len(people)} people for {VOTERS} voters")
        db.session.execute(
            insert(User),
            [
                {
                    "name": f"Pemilih Uji {i}",
                    "role": "resident",
                    "phone": f"+62813{i:08d}",
                    # No password: these accounts are only ever used with the session
                    # cookies made below.
                    "password_hash": "!",
                    "session_token": new_session_token(),
                    "person_id": person_id,
                    "verification_status": "verified",
                    "verified_at": now,
                }
                for i, person_id in enumerate(people)
            ],
        )
        db.session.commit()
        voters = db.session.execute(
            select(User.id, User.session_token)
            .where(User.name.like("Pemilih Uji %"))
            .order_by(User.id)
        ).all()
        option_ids = [o.id for o in burst.options]
        facts = {
            "big_ballot_id": big.id,
            "burst_ballot_id": burst.id,
            "options": option_ids,
            "voters": len(voters),
            "votes": db.session.scalar(
                select(func.count()).select_from(BallotVote).where(BallotVote.ballot_id == big.id)
            ),
            "seconds": 0.0,
        }
        # Each voter's session, as the login form would set it, with a CSRF token.
        from flask import g, session
        from flask_wtf.csrf import generate_csrf

        serializer = app.session_interface.get_signing_serializer(app)
        lines = []
        expected = {}
        for i, (user_id, token) in enumerate(voters):
            option = option_ids[i % len(option_ids)]
            expected[user_id] = option
            with app.test_request_context("/"):
                session["_user_id"] = f"{user_id}:{token}"
                session["_fresh"] = True
                g.pop("csrf_token", None)  # kept in the app context, shared: a token per voter
                csrf = generate_csrf()
                cookie = serializer.dumps(dict(session))
            lines.append(f"session={cookie}\t{csrf}\t{option}")
        VOTERS_FILE.write_text("\n".join(lines) + "\n")
        facts["expected"] = expected
        db.session.remove()
        db.engine.dispose()
    facts["seconds"] = round(time.monotonic() - started, 1)
    return facts


def load_votes(port: int, path: str, seconds: int) -> dict:
    args = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(run.CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        "--script",
        str(BENCH / "vote.lua"),
        f"http://{run.HOST}:{port}{path}",
    ]
    env = {**os.environ, "BENCH_VOTERS": str(VOTERS_FILE), "BENCH_VOTE_PATH": path}
    out = subprocess.run(
        args, capture_output=True, text=True, timeout=seconds + 60, check=True, env=env
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("VOTE-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("VOTE-JSON "))
    raw["votes_per_second"] = raw["ok"] / (raw["duration_us"] / 1e6)
    for key in ("p50", "p95", "p99"):
        raw[key] = raw.pop(f"{key}_us") / 1000
    return raw


def check_votes(ballot_id: int, expected: dict[int, int]) -> dict:
    """What the database holds after the burst: rows per voter, choices per row, whether
    each stored choice is the voter's, and the totals the results page would show."""
    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.participation import services
    from portal.participation.models import Ballot, BallotVote, BallotVoteChoice

    app = create_app()
    with app.app_context():
        rows = db.session.scalar(
            select(func.count()).select_from(BallotVote).where(BallotVote.ballot_id == ballot_id)
        )
        doubled = db.session.scalar(
            select(func.count()).select_from(
                select(BallotVote.voter_key)
                .where(BallotVote.ballot_id == ballot_id)
                .group_by(BallotVote.voter_key)
                .having(func.count() > 1)
                .subquery()
            )
        )
        # The bench knows what each voter chose; the app never reads it this way.
        stored = db.session.execute(
            select(BallotVote.voter_key, BallotVoteChoice.option_id)
            .join(BallotVoteChoice, BallotVoteChoice.vote_id == BallotVote.id)
            .where(BallotVote.ballot_id == ballot_id)
        ).all()
        choices_per_vote = {}
        wrong = 0
        for key, option in stored:
            choices_per_vote[key] = choices_per_vote.get(key, 0) + 1
            wrong += expected.get(key) != option
        not_one_choice = sum(1 for n in choices_per_vote.values() if n != 1)
        voted = set(choices_per_vote)
        missing = len(set(expected) - voted)
        strangers = len(voted - set(expected))
        result = services.compute_results(db.session.get(Ballot, ballot_id))
        want = {}
        for key in voted & set(expected):
            want[expected[key]] = want.get(expected[key], 0) + 1
        totals_equal = result.counts == want and result.voters == rows
        db.session.remove()
        db.engine.dispose()
    return {
        "rows": rows,
        "voters": len(expected),
        "doubled": doubled,
        "votes_without_exactly_one_choice": not_one_choice,
        "wrong_choice": wrong,
        "voters_missing": missing,
        "unknown_voter_keys": strangers,
        "totals": {str(k): v for k, v in result.counts.items()},
        "expected_totals": {str(k): v for k, v in want.items()},
        "totals_equal": totals_equal,
    }


def print_pages(results: list[dict]) -> float:
    health = [r["rps"] for r in results if r["path"] == "/healthz"]
    base = sum(health) / len(health)
    print()
    print(f"{'page':34} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} {'ratio':>5}  {'cache':5}")
    for r in results:
        r["ratio"] = r["rps"] / base if base else 0.0
        bad = r["bad_status"] or r["errors"]
        print(
            f"{r['label']:34} {r['rps']:7.0f} {r['p50']:6.1f} {r['p95']:6.1f} {r['p99']:6.1f} "
            f"{r['ratio']:5.2f}  {r['cache']:5}"
            + (f"  ERRORS: {r['bad_status']} bad status, {r['errors']} other" if bad else "")
        )
    print(f"(ms; ratio = req/s divided by {base:.0f}, the mean of the two /healthz rows)")
    return base


def main() -> int:
    facts = run.begin()
    if facts is None:
        return 2
    print(f"database: {URL} (built afresh) ...")
    data = prepare()
    print(
        f"  built in {data['seconds']} s: ballot {data['big_ballot_id']} with {data['votes']:,} "
        f"votes, {PROPOSALS:,} proposals, {data['voters']:,} voters for ballot "
        f"{data['burst_ballot_id']}"
    )
    big = data["big_ballot_id"]
    pages = (
        ("/healthz", "health check (baseline)", False),
        (f"/partisipasi/pemungutan/{big}", "ballot page, 20,000 votes", False),
        (f"/partisipasi/pemungutan/{big}/hasil", "results page, 20,000 votes", False),
        (f"/partisipasi/pemungutan/{big}/hasil", "results, never from the cache", True),
        ("/partisipasi/usulan", "proposals list, 1,000", False),
        ("/partisipasi/usulan", "proposals, never from the cache", True),
        ("/healthz", "health check again", False),
    )
    if os.environ.get("PARTICIPATION_BENCH_ROWS") == "votes":
        # Only the vote burst (with /healthz for scale): for trying changes quickly.
        pages = (pages[0], pages[-1])
    env = {**os.environ, **environment()}
    port = run.free_port()
    print(
        f"\nserver: gunicorn {run.WORKERS} {run.WORKER_CLASS} workers on {run.HOST}:{port}; "
        f"wrk, {run.CONNECTIONS} connections, {run.WARMUP} s warm-up + {run.SECONDS} s a row"
    )
    server = run.Server(port, env, log=WORK / "gunicorn.log")
    vote_path = f"/partisipasi/pemungutan/{data['burst_ballot_id']}/pilih"
    try:
        server.wait_ready()
        results = []
        for path, label, miss in pages:
            status, _, _ = run.fetch(port, path, timeout=60)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}:\n{server.tail()}")
            if run.WARMUP:
                run.load_wrk(port, path, run.WARMUP, miss)
            r = run.load_wrk(port, path, run.SECONDS, miss)
            probe = f"{path}{'&' if '?' in path else '?'}bench-miss=probe" if miss else path
            _, h, _ = run.fetch(port, probe, timeout=60)
            r.update(path=path, label=label, miss=miss, cache=h.get("X-Portal-Cache", "-"))
            results.append(r)
            print(f"  {label:34} {r['rps']:8.1f} req/s  p95 {r['p95']:.1f} ms")
        warm = load_votes(port, vote_path, run.WARMUP) if run.WARMUP else None
        votes = load_votes(port, vote_path, run.SECONDS)
        print(
            f"  votes (HTTP POST)                  {votes['votes_per_second']:8.1f} accepted/s "
            f"p95 {votes['p95']:.1f} ms; {votes}"
        )
    finally:
        server.stop()
    check = check_votes(data["burst_ballot_id"], data["expected"])
    facts["load_1min_end"] = os.getloadavg()[0]
    check["every_voter_answered"] = votes["errors"] == 0 and votes["ok"] >= (
        data["voters"] + run.CONNECTIONS
    )

    base = print_pages(results)
    by_label = {r["label"]: r for r in results}
    missing = {"rps": 0.0, "ratio": 0.0, "p95": float("inf"), "bad_status": 1}
    results_row = by_label.get("results page, 20,000 votes", missing)
    list_row = by_label.get("proposals list, 1,000", missing)
    # Round robin: once the run has had more accepted answers than voters plus the
    # requests in flight, every voter has had a vote accepted and must have its row.
    all_answered = check["every_voter_answered"]
    clean = (
        check["doubled"] == 0
        and check["votes_without_exactly_one_choice"] == 0
        and check["wrong_choice"] == 0
        and check["unknown_voter_keys"] == 0
        and check["totals_equal"]
        and votes["ok"] > 0
        and (check["voters_missing"] == 0 if all_answered else check["rows"] >= votes["ok"])
    )
    targets = [
        (
            "results page >= 40% of /healthz",
            f"{results_row['ratio']:.2f} ({results_row['rps']:.0f} / {base:.0f} req/s)",
            results_row["ratio"] >= MIN_RESULTS_RATIO and not results_row["bad_status"],
        ),
        (
            f"votes on PostgreSQL >= {MIN_VOTES_PER_SECOND}/s (HTTP)",
            f"{votes['votes_per_second']:.0f}/s accepted, p95 {votes['p95']:.0f} ms "
            f"({votes['limited']} rate-limited, {votes['refused']} refused, "
            f"{votes['other']} other, {votes['errors']} errors)",
            votes["votes_per_second"] >= MIN_VOTES_PER_SECOND,
        ),
        (
            "votes: none lost or doubled",
            f"{check['rows']:,} rows for {check['voters']:,} voters"
            + (
                f" ({check['voters_missing']} missing)"
                if all_answered
                else f" (the run reached only {check['rows']:,}; {votes['ok']:,} accepted)"
            )
            + f", {check['doubled']} doubled, {check['wrong_choice']} wrong, "
            f"totals {'equal' if check['totals_equal'] else 'DIFFER'}",
            clean,
        ),
        (
            f"proposals list p95 < {MAX_LIST_P95_MS:.0f} ms",
            f"p95 {list_row['p95']:.1f} ms ({list_row['rps']:.0f} req/s)",
            list_row["p95"] < MAX_LIST_P95_MS and not list_row["bad_status"],
        ),
    ]
    print()
    print(f"{'target':42} {'measured':72} result")
    for name, measured, ok in targets:
        print(f"{name:42} {measured:72} {run.verdict(ok)}")
    print(
        f"\nload average {facts['load_1min']:.2f} at the start, {facts['load_1min_end']:.2f} at "
        "the end"
    )
    data.pop("expected")
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                "machine": facts,
                "server": {"workers": run.WORKERS, "worker_class": run.WORKER_CLASS},
                "load": {
                    "connections": run.CONNECTIONS,
                    "seconds": run.SECONDS,
                    "warmup": run.WARMUP,
                },
                "database": data,
                "pages": results,
                "votes_warmup": warm,
                "votes": votes,
                "vote_check": check,
                "targets": [{"target": n, "measured": m, "pass": ok} for n, m, ok in targets],
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"figures saved to {RESULTS.relative_to(ROOT)}")
    if not all(ok for _, _, ok in targets):
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
