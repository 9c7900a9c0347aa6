"""Training benchmark on PostgreSQL: a sign-up burst, and the public course list.

    .venv/bin/python bench/training.py

Database: TRAINING_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/bench_training, created if missing; its schema is
dropped and migrated afresh on every run), filled with the demo data (no households).

1. Sign-up burst: 500 callers (10 processes of 50 threads, each thread with its own app
   context and database session; 3 pooled connections per process) are released at
   once and all call
   `portal.training.services.sign_up` for one session of 50 seats at once. This is the
   service the sign-up view calls, without HTTP, logins and CSRF in front (those cost the
   same whether the session is full or not; the race is in the database). Before the
   release each process makes 3 sign-ups to a separate warm-up session, so its pool's
   connections are open and its statements compiled, as in a worker that has been
   serving (not counted). Target: all 500 done in under 5 s, exactly 50 places, 450
   waitlisted numbered 1-450.
2. Course list: gunicorn and wrk from bench/run.py (same settings: BENCH_SECONDS,
   BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_WORKERS ...) against /healthz and /pelatihan/,
   from the page cache and never from it. Target: at least 50% of /healthz throughput.

Figures go to bench/results/training.json.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import run

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = run.RESULTS / "training"
INSTANCE = WORK / "instance"
RESULTS = run.RESULTS / "training.json"
URL = os.environ.get(
    "TRAINING_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_training"
)
BURST, SEATS, TARGET_SECONDS = 500, 50, 5.0
# 500 callers from 10 processes of 50 threads (as gunicorn workers would be), each
# process with a pool of 3 connections: 30 in all (PostgreSQL here allows 100).
PROCESSES = int(os.environ.get("TRAINING_BENCH_PROCESSES", "10"))
THREADS = BURST // PROCESSES
POOL = int(os.environ.get("TRAINING_BENCH_POOL", "3"))

sys.path.insert(0, str(ROOT))


def environment() -> dict[str, str]:
    return {"PORTAL_INSTANCE": str(INSTANCE), "DATABASE_URL": URL}


def prepare() -> tuple[int, int]:
    """A fresh schema with the demo data, the 50-seat session of the burst and a 1-seat
    session for the warm-up; returns their ids."""
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment())
    run.fresh_postgresql()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.devdata import village as demo
    from portal.extensions import db
    from tests import training_helpers as th

    app = create_app()
    with app.app_context():
        upgrade()
        demo.seed(households=0)
        course = th.course(title_id="Bench: lomba pendaftaran")
        session_id = th.session(course, seats=SEATS).id
        warm_up_id = th.session(course, seats=1, days=8).id
        db.session.remove()
        db.engine.dispose()
    return session_id, warm_up_id


def _warm_up(app, warm_up_id: int, index: int) -> None:
    """POOL sign-ups at once to the warm-up session (one seat: the first takes it, the
    others join its waitlist), so that the process has opened its POOL connections
    and compiled its statements before the burst, as a worker that has been serving
    requests has. Not counted; the burst's session is not touched."""
    from portal.extensions import db
    from portal.training import services

    def one(n: int) -> None:
        with app.app_context():
            applicant = services.Applicant(
                name=f"Pemanasan {n}", holder=f"t+62816{n:08d}", phone=f"+62816{n:08d}"
            )
            try:
                services.sign_up(warm_up_id, applicant)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(index * POOL + k,)) for k in range(POOL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _child(index: int, session_id: int, warm_up_id: int, ready, go, out) -> None:
    """One process (as one gunicorn worker would be): THREADS callers sharing a small pool."""
    from portal import create_app
    from portal.extensions import db
    from portal.training import services

    app = create_app(
        {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": POOL, "max_overflow": 0, "pool_timeout": 60}}
    )
    start = threading.Event()
    outcomes: list[tuple[str, float]] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        with app.app_context():
            applicant = services.Applicant(
                name=f"Peserta {i}", holder=f"t+62815{i:08d}", phone=f"+62815{i:08d}"
            )
            start.wait()
            try:
                result = services.sign_up(session_id, applicant).status
            except Exception as error:  # counted as a failure by the parent
                result = f"error: {error!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append((result, time.time()))

    threads = [threading.Thread(target=one, args=(index * THREADS + i,)) for i in range(THREADS)]
    _warm_up(app, warm_up_id, index)
    for t in threads:
        t.start()
    ready.wait()
    go.wait()
    start.set()
    for t in threads:
        t.join()
    out.put(outcomes)


def burst(session_id: int, warm_up_id: int) -> dict:
    """500 sign-ups released at once from PROCESSES processes; wall time from the release
    to the last answer."""
    import multiprocessing as mp

    from sqlalchemy import func, select

    from portal import create_app
    from portal.extensions import db
    from portal.training.models import Place, TrainingSession

    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Barrier(PROCESSES + 1), ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_child, args=(i, session_id, warm_up_id, ready, go, out))
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    ready.wait(timeout=120)
    time.sleep(0.5)  # let every thread reach its wait
    started = time.time()
    go.set()
    outcomes = []
    for _ in procs:
        outcomes += out.get(timeout=300)
    for p in procs:
        p.join()
    seconds = max(t for _, t in outcomes) - started
    app = create_app()
    with app.app_context():
        taken = db.session.get(TrainingSession, session_id).taken
        numbers = db.session.scalars(
            select(Place.waitlist_no)
            .where(Place.session_id == session_id, Place.status == "waitlisted")
            .order_by(Place.waitlist_no)
        ).all()
        places = db.session.scalar(
            select(func.count(Place.id)).where(
                Place.session_id == session_id, Place.status == "enrolled"
            )
        )
        db.session.remove()
        db.engine.dispose()
    errors = [o for o, _ in outcomes if o.startswith("error")]
    result = {
        "sign_ups": len(outcomes),
        "processes": PROCESSES,
        "connections": PROCESSES * POOL,
        "seats": SEATS,
        "seconds": round(seconds, 3),
        "per_second": round(len(outcomes) / seconds, 1),
        "places": places,
        "taken": taken,
        "waitlisted": len(numbers),
        "waitlist_in_order": numbers == list(range(1, BURST - SEATS + 1)),
        "errors": errors[:5],
    }
    result["pass"] = (
        seconds < TARGET_SECONDS
        and places == SEATS == taken
        and result["waitlist_in_order"]
        and not errors
        and len(outcomes) == BURST
    )
    return result


def course_list() -> tuple[list[dict], bool]:
    env = {**os.environ, **environment()}
    port = run.free_port()
    pages = (
        ("/healthz", "health check (baseline)", False, True),
        ("/pelatihan/", "course list", False, True),
        ("/pelatihan/", "course list, never from cache", True, False),
        ("/healthz", "health check again", False, True),
    )
    server = run.Server(port, env)
    results = []
    try:
        server.wait_ready()
        for path, label, miss, target in pages:
            status, _, _ = run.fetch(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}:\n{server.tail()}")
            if run.WARMUP:
                run.load_wrk(port, path, run.WARMUP, miss)
            r = run.load_wrk(port, path, run.SECONDS, miss)
            probe = f"{path}?bench-miss=probe" if miss else path
            _, h, _ = run.fetch(port, probe)
            r.update(
                path=path, label=label, miss=miss, target=target, cache=h.get("X-Portal-Cache", "-")
            )
            results.append(r)
            print(f"  {label:32} {r['rps']:8.1f} req/s  p95 {r['p95']:.1f} ms")
    finally:
        server.stop()
    return results, run.print_table(results)


def main() -> int:
    facts = run.begin()
    if facts is None:
        return 2
    session_id, warm_up_id = prepare()
    print(f"\nsign-up burst: {BURST} threads at once for {SEATS} seats (PostgreSQL) ...")
    b = burst(session_id, warm_up_id)
    print(
        f"  {b['seconds']:.2f} s ({b['per_second']:.0f} sign-ups/s): {b['places']} places, "
        f"{b['waitlisted']} waitlisted, numbers in order: {b['waitlist_in_order']}, "
        f"errors: {len(b['errors'])}  {run.verdict(b['pass'])} (target < {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"\ncourse list: gunicorn {run.WORKERS} {run.WORKER_CLASS} workers, wrk "
        f"{run.CONNECTIONS} connections, {run.WARMUP} s warm-up + {run.SECONDS} s per path"
    )
    pages, pages_ok = course_list()
    facts["load_1min_end"] = os.getloadavg()[0]
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                "machine": facts,
                "burst": b,
                "pages": pages,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"figures saved to {RESULTS.relative_to(ROOT)}")
    ok = b["pass"] and pages_ok
    if not ok:
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
