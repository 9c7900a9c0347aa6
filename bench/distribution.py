"""Distribution benchmark: a round of 2,000 households.

    .venv/bin/python bench/distribution.py

Its own SQLite database in bench/results/distribution/ (built once, reused while this
generator is unchanged; DISTRIBUTION_BENCH_FRESH=1 builds it again): the demo data
without households, 2,200 households from the registry's generator and one published
recipient-list period of 2,000 (portal.devdata.lists.bench_period). Each run then:

1. makes a fresh draft round for that list (two points, a slot for every RT, cash and
   three food-formula items: portal.devdata.distribution.bench_round) and times the
   village head's approval, the snapshot of 2,000 entitlements with their lines
   (target: under 5 s);
2. prints all 2,000 invitations as one PDF (four A6 cards to an A4 page, QR codes) in a
   child process, and reports its time and the child's peak memory, the whole Python
   process with the app loaded (targets: under 30 s and 300 MB);
3. serves the database with gunicorn and loads /healthz, the public round page and
   /healthz again with wrk (bench/run.py's settings): the round page should serve at
   least half of /healthz's requests per second in the same run.

Figures go to bench/results/distribution.json.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time

import run

RESULTS = run.RESULTS / "distribution.json"
HOUSEHOLDS, REGISTRY = 2000, 2200
GENERATOR_VERSION = 1
DB = run.BenchDatabase("distribution", GENERATOR_VERSION, "DISTRIBUTION_BENCH_FRESH")
APPROVAL_SECONDS, PDF_SECONDS, PDF_MB = 5.0, 30.0, 300.0


def _build() -> dict:
    from portal.devdata import lists as lists_demo
    from portal.devdata import registry as registry_demo
    from portal.extensions import db
    from portal.lists import queries

    registry_demo.generate(REGISTRY, seed=2026)
    db.session.commit()
    period = lists_demo.bench_period(HOUSEHOLDS)
    version = queries.published_versions(period.id)[0]
    return {"period_id": period.id, "version_id": version.id, "households": version.households}


def _approve(stamp: dict, out: dict) -> None:
    """A fresh draft round for the list, approved under the stopwatch."""
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.devdata.distribution import bench_round
    from portal.distribution import services
    from portal.extensions import db

    head = db.session.scalar(select(User).where(User.role == "admin").limit(1))
    round_ = bench_round(stamp["version_id"])
    started = time.monotonic()
    approval = services.approve(round_.id, actor=head)
    out["approval_seconds"] = round(time.monotonic() - started, 3)
    out["entitlements"] = approval.added
    services.open_round(round_.id, actor=head)
    out["round_id"] = round_.id


def pdf_child(round_id: int) -> None:
    """Run in a child process: all invitations of the round as one PDF; prints JSON."""
    from sqlalchemy import select

    from portal import create_app
    from portal.accounts.models import User
    from portal.distribution import invitations, services
    from portal.extensions import db

    app = create_app()
    with app.test_request_context("/"):
        operator = db.session.scalar(select(User).where(User.role == "operator").limit(1))
        started = time.monotonic()
        found = services.invitations_for(round_id, actor=operator)
        round_ = services.public_round(round_id)
        body = invitations.invitations_pdf(round_, found, "a4", "id")
        seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "PDF-JSON "
        + json.dumps(
            {
                "seconds": round(seconds, 2),
                "bytes": len(body),
                "invitations": len(found),
                "peak_mb": round(peak_mb, 1),
                "starts_with_pdf": body.startswith(b"%PDF"),
            }
        )
    )


def _pdf(round_id: int) -> dict:
    env = {**os.environ, **DB.environment()}
    done = subprocess.run(
        [sys.executable, __file__, "--pdf", str(round_id)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("PDF-JSON ")), None)
    if line is None:
        raise RuntimeError(f"the PDF child printed no result:\n{done.stdout}\n{done.stderr}")
    return json.loads(line.removeprefix("PDF-JSON "))


def _serve(round_id: int) -> list[dict]:
    env = {**os.environ, **DB.environment()}
    pages = (
        ("/healthz", "health check (baseline)", False, True),
        (f"/penyaluran/{round_id}", "round page, 2,000 households", False, True),
        (f"/penyaluran/{round_id}", "round page, never cached", True, False),
        ("/healthz", "health check again", False, True),
    )
    return run.serve_rows(env, DB.work / "gunicorn.log", pages)


def main() -> int:
    if not run.have_wrk():
        return 2
    facts = run.machine()
    print(
        f"machine: {facts['nproc']} CPUs; {facts['cpu_idle_before']:.0%} idle before the run "
        f"(load average {facts['load_1min']:.2f})"
    )
    measured: dict = {}
    stamp = DB.ensure(_build, after=lambda stamp: _approve(stamp, measured))
    ok_approval = measured["approval_seconds"] < APPROVAL_SECONDS
    print(
        f"approval, {measured['entitlements']:,} entitlements: {measured['approval_seconds']} s"
        f" ({run.verdict(ok_approval)}, < {APPROVAL_SECONDS} s)"
    )
    pdf = _pdf(measured["round_id"])
    ok_pdf = pdf["seconds"] < PDF_SECONDS and pdf["peak_mb"] < PDF_MB and pdf["starts_with_pdf"]
    print(
        f"invitations PDF, {pdf['invitations']:,} cards: {pdf['seconds']} s, "
        f"{pdf['bytes']:,} bytes, peak {pdf['peak_mb']} MB ({run.verdict(ok_pdf)}, "
        f"< {PDF_SECONDS} s and {PDF_MB} MB)"
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = _serve(measured["round_id"])
    facts["load_1min_end"] = os.getloadavg()[0]
    ok_pages = run.print_table(results)
    print(
        f"load average {facts['load_1min']:.2f} at the start, "
        f"{facts['load_1min_end']:.2f} at the end"
    )
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                "machine": facts,
                "database": stamp,
                "approval": measured,
                "pdf": pdf,
                "pages": results,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"figures saved to {RESULTS.relative_to(run.BENCH.parent)}")
    if not (ok_approval and ok_pdf and ok_pages):
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pdf":
        pdf_child(int(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
