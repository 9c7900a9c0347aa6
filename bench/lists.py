"""Recipient-list benchmark: the public board of a period with 2,000 households, and the
self-check under load.

    .venv/bin/python bench/lists.py

Its own SQLite database in bench/results/lists/ (built once, reused while this
generator is unchanged; LISTS_BENCH_FRESH=1 builds it again): the demo data
(portal.devdata.village.seed without households), 2,200 households from the registry's generator,
and one published period of 2,000 households (portal.devdata.lists.bench_period). The
server, the load and the table are bench/run.py's (gunicorn, wrk, ratios to /healthz
in the same run) with its settings (BENCH_SECONDS, BENCH_WARMUP, BENCH_CONNECTIONS,
BENCH_WORKERS, BENCH_STRICT, PUBLIC_CACHE_SECONDS).

Then the self-check: wrk POSTs the form as fast as it can (bench/selfcheck.lua, 8
connections, a valid CSRF token) and counts 200 and 429 answers, first alone, then while
a second wrk loads the board. The rate limit holds when no more answers than the limit
allow came back 200 (RATELIMIT_SELF_CHECK per address, counted per worker with the
default in-memory storage: a district with several workers sets RATELIMIT_STORAGE_URI),
and the rest of the site keeps its throughput when the board under the flood serves at
least half of what it served alone. Figures go to bench/results/lists.json.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

import run

RESULTS = run.RESULTS / "lists.json"

HOUSEHOLDS, REGISTRY = 2000, 2200
GENERATOR_VERSION = 1
FLOOD_CONNECTIONS = 8
SELF_CHECK_LIMIT = "5 per minute;20 per hour"
DB = run.BenchDatabase(
    "lists",
    GENERATOR_VERSION,
    "LISTS_BENCH_FRESH",
    extra_env={"RATELIMIT_SELF_CHECK": SELF_CHECK_LIMIT},
)


def _build() -> dict:
    from portal.devdata import lists as lists_demo
    from portal.devdata import registry as registry_demo
    from portal.extensions import db

    registry_demo.generate(REGISTRY, seed=2026)
    db.session.commit()
    period = lists_demo.bench_period(HOUSEHOLDS)
    return {"period_id": period.id, "households": HOUSEHOLDS}


def ensure() -> dict:
    """Migrate and fill the benchmark's database unless this generator already did."""
    return DB.ensure(_build)


def form_session(port: int) -> tuple[str, str]:
    """A session cookie and its CSRF token, as a browser gets them from the form page."""
    conn = http.client.HTTPConnection(run.HOST, port, timeout=60)
    try:
        conn.request("GET", "/cek-bansos")
        response = conn.getresponse()
        body = response.read()
        cookies = response.msg.get_all("Set-Cookie") or []
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"/cek-bansos answered {response.status}")
    session = [c.split(";", 1)[0] for c in cookies if c.startswith("session=")]
    match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        rb'name="csrf_token" value="([^"]+)"', body
    )
    if not session or match is None:
        raise RuntimeError("no session cookie or CSRF token on /cek-bansos")
    return session[0], match.group(1).decode()


def flood(port: int, seconds: int, cookie: str, token: str) -> subprocess.Popen:
    args = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(FLOOD_CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        "--script",
        str(run.BENCH / "selfcheck.lua"),
        f"http://{run.HOST}:{port}/cek-bansos",
    ]
    env = {**os.environ, "BENCH_CSRF": token, "BENCH_COOKIE": cookie}
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def flood_result(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=120)
    line = next((x for x in out.splitlines() if x.startswith("SELFCHECK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}\n{err}")
    raw = json.loads(line.removeprefix("SELFCHECK-JSON "))
    raw["rps"] = raw["requests"] / (raw["duration_us"] / 1e6)
    return raw


def main() -> int:
    if not run.have_wrk():
        return 2
    stamp = ensure()
    env = {**os.environ, **DB.environment()}
    port = run.free_port()
    facts = run.machine()
    board = f"/daftar-penerima/{stamp['period_id']}"
    print(
        f"\nserver: gunicorn {run.WORKERS} {run.WORKER_CLASS} workers on {run.HOST}:{port}; "
        f"wrk, {run.CONNECTIONS} connections, {run.WARMUP} s warm-up + {run.SECONDS} s per path"
    )
    print(
        f"machine: {facts['nproc']} CPUs; {facts['cpu_idle_before']:.0%} idle before the run "
        f"(load average {facts['load_1min']:.2f})"
    )
    pages = (
        ("/healthz", "health check (baseline)", False, True),
        (board, "board, 2,000 households", False, True),
        (f"{board}?halaman=15", "board, page 15", False, True),
        (board, "board, never from the cache", True, False),
        ("/healthz", "health check again", False, True),
    )
    server = run.Server(port, env, log=DB.work / "gunicorn.log")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.wait_ready()
        results = []
        for path, label, miss, target in pages:
            status, _, _ = run.fetch(port, path, timeout=60)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}:\n{server.tail()}")
            if run.WARMUP:
                run.load_wrk(port, path, run.WARMUP, miss)
            r = run.load_wrk(port, path, run.SECONDS, miss)
            _, h, _ = run.fetch(port, path, timeout=60)
            r.update(
                path=path, label=label, miss=miss, target=target, cache=h.get("X-Portal-Cache", "-")
            )
            results.append(r)
            print(f"  {label:32} {r['rps']:8.1f} req/s  p95 {r['p95']:.1f} ms")

        # The printable PDF of all 2,000 rows is made on request (not cached): timed alone.
        pdf_times = []
        for _ in range(3):
            started = time.monotonic()
            status, _, body = run.fetch(port, f"{board}/versi/1.pdf", timeout=120)
            pdf_times.append(time.monotonic() - started)
            if status != 200 or not body.startswith(b"%PDF"):
                raise RuntimeError(f"the PDF answered {status}")
        pdf = {"seconds": round(sum(pdf_times) / 3, 3), "bytes": len(body)}
        print(f"  notice-board PDF, 2,000 rows: {pdf['seconds']} s, {pdf['bytes']:,} bytes")

        cookie, token = form_session(port)
        alone = flood_result(flood(port, run.SECONDS, cookie, token))
        print(f"  self-check flood alone: {alone}")
        # The board alone was measured above; now the same with the flood running.
        proc = flood(port, run.SECONDS + 2, cookie, token)
        time.sleep(1)
        under = run.load_wrk(port, board, run.SECONDS)
        during = flood_result(proc)
        print(f"  board under the flood: {under['rps']:.1f} req/s, p95 {under['p95']:.1f} ms")
        print(f"  self-check flood meanwhile: {during}")
    finally:
        server.stop()
    facts["load_1min_end"] = os.getloadavg()[0]
    ok = run.print_table(results)
    board_alone = results[1]["rps"]
    # 5 per minute per address, per worker: two runs inside one minute share the budget.
    allowed = 5 * run.WORKERS
    held = alone["ok"] + during["ok"] <= allowed and alone["other"] == during["other"] == 0
    kept = under["rps"] >= 0.5 * board_alone
    print(
        f"\nself-check: {alone['ok'] + during['ok']} answered 200 of "
        f"{alone['requests'] + during['requests']} POSTs (at most {allowed} allowed: "
        f"{SELF_CHECK_LIMIT} per address, {run.WORKERS} workers): "
        f"{'PASS' if held else 'FAIL'}"
    )
    print(
        f"board under the flood: {under['rps']:.1f} req/s = "
        f"{under['rps'] / board_alone:.0%} of the board alone: {'PASS' if kept else 'FAIL'}"
    )
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
                "pages": results,
                "self_check_alone": alone,
                "self_check_during_board_load": during,
                "board_under_flood": under,
                "pdf": pdf,
            },
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"figures saved to {RESULTS.relative_to(run.BENCH.parent)}")
    if not (ok and held and kept):
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
