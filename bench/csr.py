"""CSR benchmark: the public pledge board with 200 needs and 5,000 pledges.

    .venv/bin/python bench/csr.py

Its own SQLite database in bench/results/csr/ (built once, reused while this generator
is unchanged; CSR_BENCH_FRESH=1 builds it again): the demo data (portal.devdata.village.seed,
without households) plus portal.devdata.csr.generate(needs=200, pledges=5000,
companies=40). The server, the load and the table are bench/run.py's own (gunicorn,
wrk, ratios to /healthz measured in the same run), with the same settings
(BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_WORKERS, BENCH_WORKER_CLASS,
BENCH_STRICT, PUBLIC_CACHE_SECONDS). Targets: at least 50% of /healthz throughput and
p95 under 50 ms at 16 connections. Figures go to bench/results/csr.json.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import sys
import time

import run

RESULTS = run.RESULTS / "csr.json"

NEEDS, PLEDGES, COMPANIES = 200, 5000, 40
GENERATOR_VERSION = 1
DB = run.BenchDatabase("csr", GENERATOR_VERSION, "CSR_BENCH_FRESH")


def _build() -> dict:
    from sqlalchemy import func, select

    from portal.csr.models import Delivery, Need, Pledge
    from portal.devdata import csr as csr_demo
    from portal.extensions import db

    made = csr_demo.generate(needs=NEEDS, pledges=PLEDGES, companies=COMPANIES)
    db.session.commit()
    counts = {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in (("needs", Need), ("pledges", Pledge), ("deliveries", Delivery))
    }
    return {"made": made, "counts": counts}


def _partner_page(stamp: dict) -> None:
    """A partner page of one of the generated companies, for an information row."""
    from sqlalchemy import select

    from portal.csr.models import Company
    from portal.extensions import db

    stamp["company_id"] = db.session.scalar(
        select(Company.id).where(Company.status == "verified").order_by(Company.id.desc())
    )


def ensure() -> dict:
    """Migrate and fill the benchmark's database unless this generator already did."""
    return DB.ensure(_build, after=_partner_page)


def page_size(port: int, path: str) -> dict:
    """Bytes of one page as served and gzip-compressed (-6, as nginx would)."""
    status, headers, body = run.fetch(
        port, path, {"Accept-Language": run.ACCEPT_LANGUAGE, "Accept-Encoding": "gzip"}
    )
    raw = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    return {"path": path, "status": status, "raw": len(raw), "gzip": len(gzip.compress(raw, 6))}


def main() -> int:
    if not run.have_wrk():
        return 2
    stamp = ensure()
    env = {**os.environ, **DB.environment()}
    port = run.free_port()
    facts = run.machine()
    print(
        f"\nserver: gunicorn {run.WORKERS} {run.WORKER_CLASS} workers on {run.HOST}:{port}; "
        f"wrk, {run.CONNECTIONS} connections, {run.WARMUP} s warm-up + {run.SECONDS} s per path"
    )
    print(
        f"machine: {facts['nproc']} CPUs, {facts['cpu']}; before the run "
        f"{facts['cpu_idle_before']:.0%} of the CPU was idle (load average "
        f"{facts['load_1min']:.2f})"
    )
    if facts["cpu_idle_before"] < 0.8:
        print("WARNING: the machine is busy: every figure will be lower, and wander.")
    company = f"/csr/mitra/{stamp['company_id']}"
    pages = (
        ("/healthz", "health check (baseline)", False, True),
        ("/csr/", "CSR board", False, True),
        ("/csr/?halaman=5", "CSR board, page 5", False, True),
        ("/csr/", "board, never from the cache", True, False),
        (company, "partner page, never from cache", True, False),
        ("/healthz", "health check again", False, True),
    )
    server = run.Server(port, env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.wait_ready()
        results = []
        for path, label, miss, target in pages:
            status, _, _ = run.fetch(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}:\n{server.tail()}")
            if run.WARMUP:
                run.load_wrk(port, path, run.WARMUP, miss)
            r = run.load_wrk(port, path, run.SECONDS, miss)
            probe = f"{path}{'&' if '?' in path else '?'}bench-miss=probe" if miss else path
            _, h, _ = run.fetch(port, probe)
            r.update(
                path=path, label=label, miss=miss, target=target, cache=h.get("X-Portal-Cache", "-")
            )
            results.append(r)
            print(f"  {label:32} {r['rps']:8.1f} req/s  p95 {r['p95']:.1f} ms")
        sizes = [page_size(port, "/csr/"), page_size(port, "/csr/?lang=en")]
    finally:
        server.stop()
    facts["load_1min_end"] = os.getloadavg()[0]
    ok = run.print_table(results)
    print()
    for s in sizes:
        print(f"{s['path']:20} {s['status']} {s['raw']:8,} bytes, {s['gzip']:7,} gzip-compressed")
    print(
        f"\nload average {facts['load_1min']:.2f} at the start, {facts['load_1min_end']:.2f} at "
        "the end"
    )
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
                "machine": facts,
                "database": stamp,
                "pages": results,
                "sizes": sizes,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"figures saved to {RESULTS.relative_to(run.BENCH.parent)}")
    if not ok:
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
