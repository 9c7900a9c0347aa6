"""`make bench`: serve a village-sized database with gunicorn and load it from wrk.

Steps: build (or reuse) the database (bench/generate.py), start gunicorn on a free
loopback port, wait for /healthz, then for each path a warm-up and a measured run of
the same length with the same number of connections, one path after the other. The
table gives requests per second, p50/p95/p99 and each page's throughput as a share
of /healthz measured in the same run, so the ratio says how much the page costs over
the bare framework-plus-database round trip on this machine, whatever the machine.
Then the bytes of a first visit to / (HTML, CSS, JS), as served and gzip-compressed.

Settings (environment): BENCH_SECONDS (10), BENCH_WARMUP (2), BENCH_CONNECTIONS (16),
BENCH_WORKERS (2), BENCH_WORKER_CLASS (sync), BENCH_THREADS (4, for gthread), BENCH_TOOL (wrk,
or locust), BENCH_FRESH=1 (rebuild the database), BENCH_STRICT=1 (exit 1 when a target
is missed), DATABASE_URL (an empty PostgreSQL database instead of SQLite),
PUBLIC_CACHE_SECONDS (the app's page cache; 0 measures without it).
Only loopback traffic; the server is stopped on every way out.
"""

from __future__ import annotations

import csv
import gzip
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import generate

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
HOST = "127.0.0.1"

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
TOOL = os.environ.get("BENCH_TOOL", "wrk")
# What a phone in the village sends: Indonesian first.
ACCEPT_LANGUAGE = "id-ID,id;q=0.9,en;q=0.8"

# (path, label, miss, target). The search uses two words that match a few dozen
# announcements. "miss" rows make every request unique (see report.lua), so the page
# cache cannot answer them: they show the cost of rendering, for information only.
PAGES = (
    ("/healthz", "health check (baseline)", False, True),
    ("/", "home", False, True),
    ("/pengumuman", "announcements list", False, True),
    ("/pengumuman?q=posyandu+balita", "announcement search", False, True),
    ("/", "home, never from the cache", True, False),
    ("/pengumuman?q=posyandu+balita", "search, never from the cache", True, False),
    # Again at the end: the baseline is the mean of both, so that a machine whose speed
    # drifts during the run (other work, CPU boost) does not tilt the ratios.
    ("/healthz", "health check again", False, True),
)
MIN_RATIO = 0.5
MAX_P95_MS = 50.0
MAX_FIRST_VISIT = 60_000  # bytes, gzip-compressed


class Server:
    """gunicorn in its own process group, so that stopping it stops its workers too."""

    def __init__(
        self,
        port: int,
        env: dict[str, str],
        *,
        log: Path | None = None,
        worker_class: str | None = None,
        threads: int | None = None,
    ):
        """`log`, `worker_class` and `threads` default to this script's settings
        (BENCH_WORKER_CLASS, BENCH_THREADS); other bench scripts pass their own."""
        self.port = port
        self.log = log or RESULTS / "gunicorn.log"
        worker_class = worker_class or WORKER_CLASS
        args = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
            "--error-logfile",
            str(self.log),
            "--graceful-timeout",
            "5",
        ]
        if worker_class == "gthread":
            args += ["--threads", str(threads or THREADS)]
        args.append("portal:create_app()")
        self.log.write_text("")
        # The benchmark measures several workers with their counters in memory, as it
        # always did; the app refuses that unless told it is meant (portal/workers.py).
        env = {**(os.environ if env is None else env)}
        env.setdefault("RATELIMIT_PER_WORKER_OK", "1")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                status, _, _ = fetch(self.port, "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/healthz did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        # Only this server's own process group: gunicorn's master and its workers.
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


class BenchDatabase:
    """A feature benchmark's own SQLite database in bench/results/<name>/, with the demo
    data and what `build` adds, made once and reused while `generator` stays the same
    (a JSON stamp beside it records what was made)."""

    def __init__(self, name: str, generator: int, fresh_variable: str, extra_env=None):
        self.work = RESULTS / name
        self.instance = self.work / "instance"
        self.database = self.work / f"{name}.sqlite3"
        self.stamp_path = self.work / f"{name}-db.json"
        self.generator = generator
        self.fresh_variable = fresh_variable
        self.extra_env = dict(extra_env or {})

    def environment(self) -> dict[str, str]:
        return {
            "PORTAL_INSTANCE": str(self.instance),
            "DATABASE_URL": f"sqlite:///{self.database}",
            **self.extra_env,
        }

    def ensure(self, build, after=None) -> dict:
        """Migrate; unless the stamp matches, seed the demo data and call `build()` (in
        the app context; it returns what to record). `after(stamp)` runs every time."""
        self.work.mkdir(parents=True, exist_ok=True)
        self.instance.mkdir(parents=True, exist_ok=True)
        fresh = os.environ.get(self.fresh_variable) == "1"
        stamp = json.loads(self.stamp_path.read_text()) if self.stamp_path.exists() else None
        if fresh or not stamp or stamp.get("generator") != self.generator:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.database}{suffix}").unlink(missing_ok=True)
            stamp = None
        os.environ.update(self.environment())

        from flask_migrate import upgrade

        from portal import create_app
        from portal.devdata import village as demo
        from portal.extensions import db

        shown = self.database.relative_to(BENCH.parent)
        app = create_app()
        with app.app_context():
            upgrade()
            if stamp is None:
                started = time.monotonic()
                print(f"database: building {shown} ...")
                if demo.seed(households=0) is None:
                    raise SystemExit(
                        f"{self.database} is not empty: run with {self.fresh_variable}=1"
                    )
                db.session.commit()
                made = build()
                stamp = {
                    "generator": self.generator,
                    **made,
                    "seconds": round(time.monotonic() - started, 1),
                }
                self.stamp_path.write_text(json.dumps(stamp, indent=2, default=str) + "\n")
                print(f"database: built in {stamp['seconds']} s: {made}")
            else:
                print(f"database: reusing {shown}")
            if after is not None:
                after(stamp)
            db.session.remove()
            db.engine.dispose()
        return stamp


def have_wrk() -> bool:
    """wrk makes the load; say how to get it when it is missing."""
    if shutil.which("wrk"):
        return True
    print("wrk is not installed (Debian: apt install wrk)")
    return False


def begin() -> dict | None:
    """The start of a feature benchmark: wrk is there, SIGTERM (from make or CI) stops
    the servers too, and the machine is described, with a warning when it is busy.
    Returns the machine's facts, or None when wrk is missing."""
    if not have_wrk():
        return None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    facts = machine()
    print(
        f"machine: {facts['nproc']} CPUs, {facts['cpu']}; {facts['cpu_idle_before']:.0%} idle "
        f"before the run (load average {facts['load_1min']:.2f})"
    )
    if facts["cpu_idle_before"] < 0.8:
        print("WARNING: the machine is busy: every figure will be lower, and wander.")
    return facts


def fresh_postgresql() -> None:
    """Create the PostgreSQL database named by DATABASE_URL if it is missing and empty
    its public schema: the PostgreSQL benchmarks migrate afresh on every run."""
    from sqlalchemy import create_engine, text

    from portal.config import database_url

    url = database_url("unused")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fetch(port: int, path: str, headers: dict | None = None, timeout: float = 10):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def load_wrk(port: int, path: str, seconds: int, miss: bool = False) -> dict:
    """One wrk run against one path; latencies in ms."""
    args = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        "--script",
        str(BENCH / "report.lua"),
        "--header",
        f"Accept-Language: {ACCEPT_LANGUAGE}",
        f"http://{HOST}:{port}{path}",
    ]
    env = {**os.environ, "BENCH_MISS": "1" if miss else "0"}
    out = subprocess.run(
        args, capture_output=True, text=True, timeout=seconds + 30, check=True, env=env
    )
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
    raw = json.loads(line.removeprefix("BENCH-JSON "))
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "max": raw["max_us"] / 1000,
        "bad_status": raw["status_errors"],
        "errors": errors,
        "bytes_per_request": raw["bytes"] / max(1, raw["requests"]),
    }


def load_locust(port: int, path: str, seconds: int, miss: bool = False) -> dict:
    """The same with locust headless (percentiles rounded by locust, in ms)."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, "run")
        args = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(BENCH / "locustfile.py"),
            "--headless",
            "--users",
            str(CONNECTIONS),
            "--spawn-rate",
            str(CONNECTIONS),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://{HOST}:{port}",
            "--csv",
            prefix,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        env = {
            **os.environ,
            "BENCH_PATH": path,
            "BENCH_MISS": "1" if miss else "0",
            "BENCH_ACCEPT_LANGUAGE": ACCEPT_LANGUAGE,
        }
        out = subprocess.run(
            args, capture_output=True, text=True, timeout=seconds + 60, env=env, check=False
        )
        if not os.path.exists(prefix + "_stats.csv"):
            raise RuntimeError(f"locust wrote no figures:\n{out.stderr[-2000:]}")
        with open(prefix + "_stats.csv", newline="") as fh:
            row = next((r for r in csv.DictReader(fh) if r["Name"] == path), None)
    if row is None:  # too short a run for locust to send anything
        return {"requests": 0, "rps": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0,
                "bad_status": 0, "errors": 1, "bytes_per_request": 0.0}  # fmt: skip
    return {
        "requests": int(row["Request Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "max": float(row["Max Response Time"]),
        "bad_status": int(row["Failure Count"]),
        "errors": 0,
        "bytes_per_request": float(row["Average Content Size"]),
    }


class _Assets(HTMLParser):
    """Stylesheets and scripts a page asks for (same-site paths only)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        url = None
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split():
            url = a.get("href")
        elif tag == "script":
            url = a.get("src")
        if url and url.startswith("/") and not url.startswith("//"):
            self.urls.append(url)


def first_visit(port: int) -> dict:
    """Bytes of / and the CSS and JS it loads, fetched as a browser would (gzip accepted).

    "served" is the body as it comes over the wire; "gzip" is that body if the server
    compressed it, otherwise what gzip -6 (a common nginx setting) makes of it.
    """
    headers = {"Accept-Encoding": "gzip", "Accept-Language": ACCEPT_LANGUAGE}
    rows = []
    status, h, body = fetch(port, "/", headers)
    parser = _Assets()
    raw_home = gzip.decompress(body) if h.get("Content-Encoding") == "gzip" else body
    parser.feed(raw_home.decode("utf-8", "replace"))
    for path in ["/", *parser.urls]:
        status, h, body = fetch(port, path, headers)
        served_gzip = h.get("Content-Encoding") == "gzip"
        raw = gzip.decompress(body) if served_gzip else body
        rows.append(
            {
                "path": path,
                "status": status,
                "type": h.get("Content-Type", "").split(";")[0],
                "raw": len(raw),
                "served": len(body),
                "served_gzip": served_gzip,
                "gzip": len(body) if served_gzip else len(gzip.compress(raw, 6)),
            }
        )
    # Not linked, but every browser asks for it on a first visit.
    status, h, body = fetch(port, "/favicon.ico", headers)
    favicon = {"path": "/favicon.ico", "status": status, "served": len(body)}
    return {
        "files": rows,
        "served_total": sum(r["served"] for r in rows),
        "gzip_total": sum(r["gzip"] for r in rows),
        "raw_total": sum(r["raw"] for r in rows),
        "any_served_gzip": any(r["served_gzip"] for r in rows),
        "favicon": favicon,
    }


def cpu_idle(seconds: float = 3.0) -> float:
    """Share of CPU time left idle over a few seconds: the load average lags a minute."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values[:8]), idle

    total1, idle1 = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return (idle2 - idle1) / max(1, total2 - total1)


def machine() -> dict:
    """The facts that make figures comparable: CPUs, model, memory, software versions."""
    model = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    wrk = shutil.which("wrk")
    return {
        "cpu_idle_before": round(cpu_idle(), 3),
        "load_1min": os.getloadavg()[0],
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_tool": f"wrk ({wrk})" if TOOL == "wrk" else "locust",
    }


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_table(results: list[dict]) -> bool:
    """The figures, each page against /healthz; True when every target is met."""
    health = [r["rps"] for r in results if r["path"] == "/healthz"]
    base = sum(health) / len(health)
    print()
    print(
        f"{'page':30} {'path':30} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'ratio':>5}  {'>=50%':5} {'p95<50':6} {'cache':5}"
    )
    all_ok = True
    for r in results:
        r["ratio"] = r["rps"] / base if base else 0.0
        ratio_ok = r["path"] == "/healthz" or r["ratio"] >= MIN_RATIO
        p95_ok = r["p95"] < MAX_P95_MS
        clean = not r["bad_status"] and not r["errors"]
        r["pass"] = ratio_ok and p95_ok and clean
        if r["target"]:
            all_ok &= r["pass"]
            ratio_col = "-" if r["path"] == "/healthz" else verdict(ratio_ok)
            p95_col = verdict(p95_ok)
        else:
            ratio_col = p95_col = "info"
        print(
            f"{r['label']:30} {r['path']:30} {r['rps']:7.0f} {r['p50']:6.1f} {r['p95']:6.1f} "
            f"{r['p99']:6.1f} {r['ratio']:5.2f}  {ratio_col:5} {p95_col:6} {r['cache']:5}"
            + ("" if clean else f"  ERRORS: {r['bad_status']} bad status, {r['errors']} other")
        )
    print(
        f"(latencies in ms; ratio = the page's req/s divided by {base:.0f}, the mean of the "
        "two /healthz rows of this run)"
    )
    return all_ok


def print_first_visit(fv: dict) -> bool:
    print()
    print(f"{'first visit to /':40} {'status':>6} {'raw':>8} {'served':>8} {'gzip':>8}")
    for r in fv["files"]:
        mark = " (gzip)" if r["served_gzip"] else ""
        print(f"{r['path']:40} {r['status']:6} {r['raw']:8,} {r['served']:8,} {r['gzip']:8,}{mark}")
    ok = fv["gzip_total"] < MAX_FIRST_VISIT
    print(
        f"{'total':40} {'':6} {fv['raw_total']:8,} {fv['served_total']:8,} "
        f"{fv['gzip_total']:8,}  {verdict(ok)} (< {MAX_FIRST_VISIT:,} bytes compressed)"
    )
    if not fv["any_served_gzip"]:
        print(
            "  The app serves nothing compressed: 'gzip' is computed here (gzip -6). In\n"
            "  production nginx gzips text responses and serves /static/ (README, deploying)."
        )
    fav = fv["favicon"]
    print(f"  (browsers also ask for /favicon.ico: {fav['status']}, {fav['served']:,} bytes)")
    return ok


def serve_rows(env: dict, log: Path, pages) -> list[dict]:
    """Serve the database of `env` with gunicorn and load each (path, label, miss,
    target) row with wrk after a warm-up; the rows' figures with the page cache's answer
    to one more request. Used by the feature benchmarks."""
    port = free_port()
    server = Server(port, env, log=log)
    results = []
    try:
        server.wait_ready()
        for path, label, miss, target in pages:
            status, _, _ = fetch(port, path, timeout=60)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}:\n{server.tail()}")
            if WARMUP:
                load_wrk(port, path, WARMUP, miss)
            r = load_wrk(port, path, SECONDS, miss)
            _, h, _ = fetch(port, path, timeout=60)
            r.update(
                path=path, label=label, miss=miss, target=target, cache=h.get("X-Portal-Cache", "-")
            )
            results.append(r)
            print(f"  {label:32} {r['rps']:8.1f} req/s  p95 {r['p95']:.1f} ms")
    finally:
        server.stop()
    return results


def main() -> int:
    if TOOL == "wrk" and not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt install wrk); or run with BENCH_TOOL=locust")
        return 2
    load = load_wrk if TOOL == "wrk" else load_locust
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = generate.ensure(fresh=os.environ.get("BENCH_FRESH") == "1")
    env = {**os.environ, **generate.environment()}
    port = free_port()
    facts = machine()
    print(
        f"\nserver: gunicorn {WORKERS} {WORKER_CLASS} workers"
        + (f" x {THREADS} threads" if WORKER_CLASS == "gthread" else "")
        + f" on {HOST}:{port}; load: {TOOL}, {CONNECTIONS} connections, "
        f"{WARMUP} s warm-up + {SECONDS} s per path"
    )
    print(
        f"machine: {facts['nproc']} CPUs, {facts['cpu']}, {facts['memory_gib']} GiB, "
        f"Python {facts['python']}; before the run {facts['cpu_idle_before']:.0%} of the CPU "
        f"was idle (load average {facts['load_1min']:.1f})"
    )
    engine = env["DATABASE_URL"].split(":", 1)[0].split("+", 1)[0]
    print(f"database: {engine}" + (f" {facts['sqlite']}" if engine == "sqlite" else ""))
    cache_on = env.get("PUBLIC_CACHE_SECONDS", "30") != "0"
    if facts["cpu_idle_before"] < 0.8:
        print(
            f"WARNING: the machine is busy (only {facts['cpu_idle_before']:.0%} of the CPU idle): "
            "every figure will be lower than on a quiet machine, and wander."
        )
    server = Server(port, env)
    # SIGTERM (e.g. from make or CI) must also stop the server: turn it into an exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.wait_ready()
        results = []
        for path, label, miss, target in PAGES:
            if miss and not cache_on:
                continue  # without the cache every row already renders every time
            status, _, _ = fetch(port, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}:\n{server.tail()}")
            if WARMUP:
                load(port, path, WARMUP, miss)
            r = load(port, path, SECONDS, miss)
            # What the page cache said to one more request right after the run.
            probe = f"{path}{'&' if '?' in path else '?'}bench-miss=probe" if miss else path
            _, h, _ = fetch(port, probe)
            r.update(
                path=path, label=label, miss=miss, target=target, cache=h.get("X-Portal-Cache", "-")
            )
            results.append(r)
            print(f"  {label:32} {r['rps']:8.1f} req/s  p95 {r['p95']:.1f} ms")
        fv = first_visit(port)
    finally:
        server.stop()

    facts["load_1min_end"] = os.getloadavg()[0]
    pages_ok = print_table(results)
    fv_ok = print_first_visit(fv)
    out = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": facts,
        "server": {"workers": WORKERS, "worker_class": WORKER_CLASS, "threads": THREADS},
        "load": {"tool": TOOL, "connections": CONNECTIONS, "seconds": SECONDS, "warmup": WARMUP},
        "public_cache_seconds": os.environ.get("PUBLIC_CACHE_SECONDS", "default"),
        "database": {k: v for k, v in stamp.items() if k != "url"},
        "pages": results,
        "first_visit": fv,
    }
    (RESULTS / "latest.json").write_text(json.dumps(out, indent=2) + "\n")
    print(
        f"\nload average {facts['load_1min']:.1f} at the start, {facts['load_1min_end']:.1f} at "
        f"the end (the run itself keeps about 3 processes busy on {facts['nproc']} CPUs)"
    )
    print(f"figures saved to {(RESULTS / 'latest.json').relative_to(ROOT)}")
    if not (pages_ok and fv_ok):
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
