"""A district on PostgreSQL: the registry of 250,000 households and 1,000,000 people.

    createdb district_bench
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/district_bench \\
        nice -n 19 .venv/bin/python bench/district.py --households 10000   # develop
    ... bench/district.py --households 250000                             # the district
    ... bench/district.py --households 10000 import                        # one part only

The database named by DATABASE_URL is EMPTIED (its public schema dropped) at the start
of each part: give it a database of its own. Parts, in order:

1. import: a SIAK roster of `households` families of four (1,000,000 rows for 250,000),
   written by bench/registry.py's roster writer (.xlsx, kept in bench/results/district/),
   imported into the empty, migrated database with the real command,
   `flask import-registry FILE --yes --commit-every 20000`, under /usr/bin/time -v.
   The first run is KILLED (SIGKILL) once half the rows are written; the same command
   again resumes after them. Reported: the time of both runs together, the larger peak
   memory of the two, and that every row is there exactly once. Targets: under 10
   minutes, under 1 GB.
2. pages: the registry made again by the demo generator (portal.devdata.registry.generate,
   village by village of 25,000 households, each with its own district code), eight
   operators logged in through the real forms (password and TOTP), gunicorn and wrk as
   in bench/registry.py: search as you type (p95 < 100 ms) and the household page
   (p95 < 50 ms).
3. draft: drawing a draft recipient list over the whole registry
   (`portal.lists.services.draft_candidate_ids`, what proposing a draft inserts),
   in-process; and, for information, `draft_candidates` (the same households loaded
   as objects with their members, what the rule check shows). Target: under 30 s.
4. export: the people of the whole registry as CSV through the export service (streamed),
   in a process of its own: time and that process's peak memory.

Settings: --households N (default 10,000), REGISTRY_BENCH_SECONDS / _WARMUP (10 / 2),
BENCH_WORKERS / BENCH_THREADS (2 / 4). Figures go to bench/results/district-<N>-<parts>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registry  # noqa: E402  (bench/registry.py: roster writer, logging in, wrk)
import run  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "results" / "district"
INSTANCE = WORK / "instance"
VILLAGE = 25_000  # households a village, made one village at a time
STEP_ROWS = 20_000
USERS = 8

IMPORT_MAX_SECONDS = 600.0
IMPORT_MAX_MB = 1024.0
DRAFT_MAX_SECONDS = 30.0


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("DATABASE_URL must name an empty PostgreSQL database of its own")
    return url


def environment() -> dict[str, str]:
    return {**os.environ, "PORTAL_INSTANCE": str(INSTANCE), "PYTHONUNBUFFERED": "1"}


def _app():
    os.environ["PORTAL_INSTANCE"] = str(INSTANCE)
    sys.path.insert(0, str(ROOT))
    from portal import create_app

    return create_app()


def reset_database() -> None:
    """Drop everything in the public schema and migrate it again."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal.extensions import db

    app = _app()
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()


def _scalar(sql: str):
    from sqlalchemy import text

    from portal.extensions import db

    with _app().app_context():
        value = db.session.execute(text(sql)).scalar()
        db.session.remove()
        db.engine.dispose()
        return value


# --------------------------------------------------------------------------- import


def _timed(args: list[str], report: str) -> subprocess.Popen:
    command = ["/usr/bin/time", "-v", "-o", report, *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip


def _peak_mb(report: str) -> float:
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", Path(report).read_text())
    return int(found.group(1)) / 1024 if found else 0.0


def _cpu_seconds(report: str) -> float:
    """User and system CPU time of the import process (what it costs on a quiet machine,
    without PostgreSQL's own share)."""
    text = Path(report).read_text()
    return sum(float(x) for x in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text))


def _run(started: float, report: str, proc: subprocess.Popen) -> dict:
    return {
        "seconds": time.monotonic() - started,
        "peak_mb": _peak_mb(report),
        "cpu_seconds": _cpu_seconds(report),
        "returncode": proc.returncode,
    }


def bench_import(households: int, kill: bool = True) -> dict:
    roster = WORK / f"roster-{households}.xlsx"
    if not roster.exists():
        started = time.monotonic()
        rows = registry.make_roster(roster, households)
        print(f"  roster: {rows:,} rows written in {time.monotonic() - started:.0f} s")
    rows = households * 4
    print(f"  roster: {roster.relative_to(ROOT)} ({roster.stat().st_size / 1e6:.1f} MB)")
    reset_database()
    flask = str(Path(sys.executable).parent / "flask")
    args = [flask, "--app", "portal", "import-registry", str(roster), "--yes",
            "--commit-every", str(STEP_ROWS), "--max-mb", "1000"]  # fmt: skip
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        report = f"{tmp}/first.time"
        started = time.monotonic()
        proc = _timed(args, report)
        killed_at = None
        if kill:
            while proc.poll() is None:
                done = _scalar("SELECT coalesce(max(rows_done), 0) FROM import_batch")
                if done >= rows // 2:
                    # Kill the import itself (the child of /usr/bin/time, which then
                    # still reports the peak memory of what it ran).
                    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text()
                    for child in children.split():
                        os.kill(int(child), signal.SIGKILL)
                    killed_at = done
                    break
                time.sleep(2)
        out = proc.communicate()[0]
        runs.append(_run(started, report, proc))
        if killed_at is not None:
            print(f"  first run killed (SIGKILL) after {killed_at:,} rows written")
            report = f"{tmp}/second.time"
            started = time.monotonic()
            proc = _timed(args, report)
            out = proc.communicate()[0]
            runs.append(_run(started, report, proc))
    if runs[-1]["returncode"] != 0:
        raise RuntimeError(f"the import failed:\n{out}")
    people = _scalar("SELECT count(*) FROM person")
    distinct = _scalar("SELECT count(DISTINCT nik) FROM person")
    result = {
        "rows": rows,
        "people": people,
        "distinct_niks": distinct,
        "households": _scalar("SELECT count(*) FROM household"),
        "killed_after_rows": killed_at,
        "runs": runs,
        "seconds": round(sum(r["seconds"] for r in runs), 1),
        "peak_mb": round(max(r["peak_mb"] for r in runs), 1),
        "output": out.strip().splitlines()[-4:],
    }
    result["pass"] = (
        people == distinct == rows
        and result["seconds"] < IMPORT_MAX_SECONDS
        and result["peak_mb"] < IMPORT_MAX_MB
    )
    return result


# ---------------------------------------------------------------------- the registry


def build_registry(households: int) -> dict:
    """The demo generator, one village of up to 25,000 households at a time, each with
    a district code of its own (14 03 01, 14 03 02, ...), plus the bench's operators."""
    reset_database()
    import pyotp

    from portal.accounts import second_factor
    from portal.accounts.services import create_user
    from portal.devdata import village as demo
    from portal.devdata.registry import generate
    from portal.extensions import db

    app = _app()
    people = 0
    with app.app_context():
        demo.seed(households=0)
        db.session.commit()
        made, village = 0, 0
        while made < households:
            village += 1
            n = min(VILLAGE, households - made)
            counts = generate(n, seed=2026 + village, region=f"1403{village:02d}")
            db.session.commit()
            db.session.expunge_all()
            made += n
            people += counts["people"]
            print(f"  village {village}: {made:,} households, {people:,} people")
        secrets = {}
        for n in range(1, USERS + 1):
            username = f"bench-operator-{n}"
            user = create_user(name=f"Operator Bench {n}", role="operator",
                               password=registry.STAFF_PASSWORD, username=username)  # fmt: skip
            db.session.flush()
            secret = second_factor.start_enrolment(user)
            earlier = time.time() - 30
            if second_factor.confirm_enrolment(
                user, pyotp.TOTP(secret).at(earlier), now=earlier
            ) is None:  # fmt: skip
                raise RuntimeError("could not switch on the second factor")
            secrets[username] = secret
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"households": households, "people": people, "secrets": secrets}


def _paths() -> tuple[list[str], list[str]]:
    from urllib.parse import urlencode

    from sqlalchemy import text

    from portal.extensions import db

    rng = random.Random(2026)
    with _app().app_context():
        q = db.session.execute
        names = q(text("SELECT name FROM person TABLESAMPLE SYSTEM (1) LIMIT 300")).scalars().all()
        niks = q(text("SELECT nik FROM person WHERE nik IS NOT NULL LIMIT 50")).scalars().all()
        kks = q(text("SELECT kk_number FROM household LIMIT 50")).scalars().all()
        ids = q(text("SELECT id FROM household TABLESAMPLE SYSTEM (1) LIMIT 400")).scalars().all()
        db.session.remove()
        db.engine.dispose()
    queries = []
    for name in names:
        typed = " ".join(name.split()[:2])
        queries.append(typed[: rng.randint(3, len(typed))])
    queries += [nik[: rng.randint(8, 16)] for nik in niks]
    queries += [kk[: rng.randint(8, 16)] for kk in kks]
    queries += [f"RT {rng.randint(1, 12)} RW {rng.randint(1, 4)}" for _ in range(40)]
    rng.shuffle(queries)
    searches = ["/staf/registrasi/?" + urlencode({"q": q}) for q in queries[:400]]
    return searches, [f"/staf/registrasi/rumah-tangga/{i}" for i in ids]


def bench_pages(secrets: dict) -> list[dict]:
    searches, households = _paths()
    port = run.free_port()
    server = run.Server(port, environment(), log=WORK / "gunicorn.log", worker_class="gthread",
                        threads=registry.THREADS)  # fmt: skip
    rows = []
    try:
        server.wait_ready()
        cookies = [registry.staff_login(port, u, s) for u, s in sorted(secrets.items())]
        plan = (
            ("search as you type (htmx)", searches, True, 300, 100.0, len(cookies)),
            ("household page", households, False, 1000, 50.0, len(cookies)),
            ("search, one user", searches, True, 0, None, 1),
            ("household page, one user", households, False, 0, None, 1),
        )
        for label, paths, htmx, pace, target, users in plan:
            if registry.WARMUP:
                registry.load(port, paths, cookies[:users], registry.WARMUP, htmx, pace)
            r = registry.load(port, paths, cookies[:users], registry.SECONDS, htmx, pace)
            r.update(label=label, target_p95=target, users=users, pace_ms=pace)
            r["pass"] = (
                not r["bad_status"] and not r["errors"] and (target is None or r["p95"] < target)
            )
            rows.append(r)
            print(f"  {label:28} p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  p99 {r['p99']:6.1f} ms")
    finally:
        server.stop()
    return rows


def bench_draft() -> dict:
    from datetime import date

    from sqlalchemy import select

    from portal.extensions import db
    from portal.lists.models import ListPeriod
    from portal.lists.services import draft_candidate_ids, draft_candidates
    from portal.programmes.models import Programme

    with _app().app_context():
        programme = db.session.scalar(select(Programme).where(Programme.slug == "blt-dana-desa"))
        period = ListPeriod(
            programme=programme, title_id="Uji beban", starts_on=date(2027, 1, 1),
            ends_on=date(2027, 3, 31), rule_need_levels="sangat_miskin miskin",
            rule_aid_fit=False, rule_not_covered=True,
        )  # fmt: skip
        # What "propose the draft" draws (propose_draft inserts these ids).
        started = time.monotonic()
        found = draft_candidate_ids(period)
        seconds = time.monotonic() - started
        # The rule check loads the same households as objects, with their members.
        started = time.monotonic()
        objects = draft_candidates(period)
        check_seconds = time.monotonic() - started
        same = [h.id for h in objects] == found
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    if not same:
        raise RuntimeError("draft_candidates and draft_candidate_ids disagree")
    return {"households": len(found), "seconds": round(seconds, 2),
            "with_objects_seconds": round(check_seconds, 2),
            "pass": seconds < DRAFT_MAX_SECONDS}  # fmt: skip


def _export_here() -> dict:
    """The people of the whole registry as CSV, through the export service, in this
    process (run in a child process of its own, so its peak memory is the export's)."""
    from portal.extensions import db
    from portal.registry import services as registry_services
    from portal.registry.importing import export

    with _app().test_request_context("/"):
        started = time.monotonic()
        size = rows = 0
        body, _mimetype, _name = export.export_list(
            registry_services.Filters(), "people", "csv", actor=None
        )
        for chunk in [body] if isinstance(body, bytes) else body:
            size += len(chunk)
            rows += chunk.count(b"\r\n")
        seconds = time.monotonic() - started
        db.session.remove()
        db.engine.dispose()
    # VmHWM, not getrusage's ru_maxrss: Linux keeps ru_maxrss across exec, so a child
    # of this (large) benchmark process would report the parent's peak as its own.
    status = Path("/proc/self/status").read_text()
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return {"bytes": size, "rows": rows - 1, "seconds": round(seconds, 1),
            "peak_mb": round(peak, 1)}  # fmt: skip


def bench_export() -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "export-child"], cwd=ROOT, env=environment(),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("EXPORT-JSON "))
    return json.loads(line.removeprefix("EXPORT-JSON "))


# ----------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--no-kill", action="store_true", help="import without the kill")
    parser.add_argument("parts", nargs="*", default=["import", "pages", "draft", "export"])
    options = parser.parse_args(argv)
    database_url()
    if options.parts == ["export-child"]:
        print("EXPORT-JSON " + json.dumps(_export_here()))
        return 0
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    n = options.households
    out: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "households": n,
                 "load_1min_start": os.getloadavg()[0], "cpus": os.cpu_count()}  # fmt: skip
    print(f"district benchmark, {n:,} households; load average {os.getloadavg()[0]:.1f}")
    if "import" in options.parts:
        print(f"\nimport of a {4 * n:,}-row SIAK roster, killed half-way and resumed")
        out["import"] = bench_import(n, kill=not options.no_kill)
        r = out["import"]
        print(f"  {r['people']:,} people ({r['distinct_niks']:,} NIKs), {r['seconds']} s, "
              f"peak {r['peak_mb']} MB: {'PASS' if r['pass'] else 'FAIL'}")  # fmt: skip
    if {"pages", "draft", "export"} & set(options.parts):
        print(f"\nregistry of {n:,} households from the demo generator")
        started = time.monotonic()
        built = build_registry(n)
        out["registry"] = {k: v for k, v in built.items() if k != "secrets"}
        out["registry"]["seconds"] = round(time.monotonic() - started, 1)
        if "pages" in options.parts:
            out["pages"] = bench_pages(built["secrets"])
        if "draft" in options.parts:
            out["draft"] = bench_draft()
            print(f"  draft list: {out['draft']}")
        if "export" in options.parts:
            out["export"] = bench_export()
            print(f"  export: {out['export']}")
    out["load_1min_end"] = os.getloadavg()[0]
    path = BENCH / "results" / f"district-{n}-{'-'.join(options.parts)}.json"
    path.write_text(json.dumps(out, indent=2, default=str) + "\n")
    print(f"\nfigures saved to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
