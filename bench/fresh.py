"""Pages rendered afresh for people who log in: every GET page kind, each role.

    .venv/bin/python bench/fresh.py

The page cache (portal/cache.py) answers only anonymous visitors: residents, partners,
trainers and staff always get a page rendered for them. This benchmark measures those.

Its own SQLite database in bench/results/fresh/ (built once, reused while this generator
is unchanged; FRESH_BENCH_FRESH=1 builds it again): the demo village as `make run` makes
it (portal.devdata.village.seed, 200 households), plus a trainer account. A resident, a
partner, the trainer, the operator and the admin get a known password; the operator and
the admin a TOTP secret. gunicorn serves it (bench/run.py's Server, 2 sync workers);
each role logs in through the real forms (password, then the TOTP code for staff), and
wrk, with that role's session cookie, loads every GET route that answers an HTML page
(ids 1 and the demo's slugs and codes), one after the other.

Each page is measured once, logged in as the first of resident, partner, trainer,
operator, admin that may open it (public pages as a resident); FRESH_ROLES=all measures
every page for every role. /healthz (no cookie) runs first, after every FRESH_HEALTH_EVERY
pages and last; each page's share is its requests per second divided by the mean of
those /healthz rows, all in the same run.

Settings: FRESH_SECONDS (3) and FRESH_WARMUP (1) per row, FRESH_CONNECTIONS (8),
FRESH_ONLY (a substring: only the paths holding it), FRESH_PATHS (a comma-separated
list of exact paths), BENCH_WORKERS (2). Targets: at
least 35% of /healthz and p95 under 100 ms. The table goes to bench/results/fresh.json
and, with FRESH_README=1, into bench/README.md between its FRESH-TABLE markers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import run

SECONDS = int(os.environ.get("FRESH_SECONDS", "3"))
WARMUP = int(os.environ.get("FRESH_WARMUP", "1"))
CONNECTIONS = int(os.environ.get("FRESH_CONNECTIONS", "8"))
HEALTH_EVERY = int(os.environ.get("FRESH_HEALTH_EVERY", "15"))
MIN_SHARE = 0.35
MAX_P95_MS = 100.0
ROLES = ("resident", "partner", "trainer", "operator", "admin")
PASSWORD = "bench-fresh-password-2026"  # noqa: S105  (a bench database of its own)
GENERATOR_VERSION = 1
WORK = run.RESULTS / "fresh"
DATABASE = WORK / "fresh.sqlite3"
INSTANCE = WORK / "instance"
STAMP = WORK / "fresh-db.json"
RESULTS = run.RESULTS / "fresh.json"
README = run.BENCH / "README.md"
MARK_START, MARK_END = "<!-- FRESH-TABLE -->", "<!-- /FRESH-TABLE -->"


def environment() -> dict[str, str]:
    return {
        "PORTAL_INSTANCE": str(INSTANCE),
        "DATABASE_URL": f"sqlite:///{DATABASE}",
        "RATELIMIT_PER_WORKER_OK": "1",
    }


def _accounts() -> dict:
    """The role's account, a known password and, for staff, a TOTP secret."""
    import pyotp
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.accounts.passwords import hash_password
    from portal.accounts.services import create_user
    from portal.csr.models import Company
    from portal.extensions import db
    from portal.models_base import utcnow
    from portal.training.models import Place

    create_user(name="Pelatih Bench", role="trainer", password=PASSWORD, username="pelatih")
    db.session.flush()
    accounts = {}
    for role in ROLES:
        query = select(User).where(User.role == role).order_by(User.id)
        richer = {
            "resident": query.join(Place, Place.user_id == User.id),
            "partner": query.join(Company, Company.user_id == User.id),
        }.get(role, query)
        user = db.session.scalars(richer).first() or db.session.scalars(query).first()
        user.password_hash = hash_password(PASSWORD)
        secret = None
        if user.is_staff:
            secret = pyotp.random_base32()
            user.totp_secret = secret
            user.totp_enabled_at = utcnow()
        login = user.username or user.email or user.phone
        accounts[role] = {"login": login, "secret": secret}
    db.session.commit()
    return accounts


def _demo_values() -> dict[str, list[str]]:
    """Values for the routes' text arguments, from the demo data."""
    from sqlalchemy import select

    from portal.devdata.complaints import DEMO_CODE
    from portal.extensions import db
    from portal.programmes.models import Programme
    from portal.public.manage import KINDS

    slug = db.session.scalars(select(Programme.slug).order_by(Programme.id)).first()
    return {"slug": [slug], "kind": sorted(KINDS), "code": [DEMO_CODE]}


def _pages(app) -> list[dict]:
    """Every GET route (ids 1, demo values) and the roles that may open it."""
    from werkzeug.routing import IntegerConverter

    from portal.security import PUBLIC_ATTR, ROLES_ATTR

    values = _demo_values()
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, ROLES_ATTR, None)
        if roles is None and not getattr(view, PUBLIC_ATTR, False):
            continue
        allowed = [r for r in ROLES if roles is None or r in roles]
        if not allowed:
            continue
        builds = [{}]
        for arg in sorted(a for a in rule.arguments if a in rule._converters):
            if isinstance(rule._converters[arg], IntegerConverter):
                options = [1]
            else:
                options = values.get(arg, [])
            builds = [{**b, arg: option} for b in builds for option in options]
        for b in builds:
            path = rule.build(b, append_unknown=False)[1]
            pages.append({"path": path, "endpoint": rule.endpoint, "roles": allowed})
    return sorted(pages, key=lambda p: p["path"])


def ensure() -> dict:
    """Migrate and fill the database unless this generator already did; the page list
    is made afresh every run (routes change more often than the data)."""
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    # The pages that try a code (a complaint's tracking code, a CSR certificate) are
    # limited per address by design (tests/test_complaints.py, tests/test_csr.py): one
    # address loading them thousands of times would measure the "too many tries" page.
    # The bench's own instance raises those two limits so that the pages are measured.
    (INSTANCE / "config.py").write_text(
        'COMPLAINT_TRACK_LIMIT = "1000000 per minute"\nCSR_VERIFY_LIMIT = "1000000 per minute"\n'
    )
    stamp = json.loads(STAMP.read_text()) if STAMP.exists() else None
    if (
        os.environ.get("FRESH_BENCH_FRESH") == "1"
        or (stamp or {}).get("generator") != GENERATOR_VERSION
    ):
        stamp = None
    if stamp is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    os.environ.update(environment())

    from flask_migrate import upgrade

    from portal import create_app
    from portal.devdata import village
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        if stamp is None:
            started = time.monotonic()
            print("database: building the demo village ...")
            if village.seed() is None:
                raise SystemExit(f"{DATABASE} is not empty: run with FRESH_BENCH_FRESH=1")
            stamp = {"generator": GENERATOR_VERSION, "accounts": _accounts()}
            stamp["seconds"] = round(time.monotonic() - started, 1)
            STAMP.write_text(json.dumps(stamp, indent=2) + "\n")
            print(f"database: built in {stamp['seconds']} s")
        else:
            print(f"database: reusing {DATABASE.relative_to(run.BENCH.parent)}")
        stamp["pages"] = _pages(app)
        db.session.remove()
        db.engine.dispose()
    return stamp


def login(port: int, role: str, account: dict) -> str:
    """Log in through the real forms (password, then a TOTP code for staff); the
    Cookie header the browser would send afterwards."""
    from registry import Browser

    browser = Browser(port)
    _, _, page = browser.get("/masuk")
    form = {"identifier": account["login"], "password": PASSWORD, "csrf_token": ""}
    form["csrf_token"] = browser.csrf(page)
    status, headers, _ = browser.post("/masuk", form)
    if status != 302:
        raise RuntimeError(f"the password step refused the {role} ({status})")
    if account["secret"]:
        import pyotp

        _, _, page = browser.get(headers["Location"])
        for _attempt in range(3):
            code = pyotp.TOTP(account["secret"]).now()
            token = browser.csrf(page)
            status, _, _ = browser.post("/masuk/kode", {"code": code, "csrf_token": token})
            if status == 302:
                break
            time.sleep(31 - time.time() % 30)  # this step's code was used: the next one
        else:
            raise RuntimeError(f"the second step refused the {role}")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def load(port: int, path: str, seconds: int, cookie: str | None) -> dict:
    """One wrk run against one path with the role's cookie; latencies in ms."""
    args = [
        "wrk", "--threads", "1", "--connections", str(CONNECTIONS),
        "--duration", f"{seconds}s", "--timeout", "5s",
        "--script", str(run.BENCH / "report.lua"),
        "--header", f"Accept-Language: {run.ACCEPT_LANGUAGE}",
    ]  # fmt: skip
    if cookie:
        args += ["--header", f"Cookie: {cookie}"]
    args.append(f"http://{run.HOST}:{port}{path}")
    env = {**os.environ, "BENCH_MISS": "0"}
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
        "bad_status": raw["status_errors"],
        "errors": errors,
    }


def plan(stamp: dict, port: int, cookies: dict[str, str]) -> list[tuple[str, str]]:
    """(role, path) rows: pages answering HTML with 200 to the role that opens them."""
    everyone = os.environ.get("FRESH_ROLES") == "all"
    only = os.environ.get("FRESH_ONLY", "")
    exact = set(filter(None, os.environ.get("FRESH_PATHS", "").split(",")))
    rows = []
    for page in stamp["pages"]:
        if only not in page["path"] or (exact and page["path"] not in exact):
            continue
        for role in page["roles"] if everyone else page["roles"][:1]:
            status, headers, _ = run.fetch(
                port, page["path"], {"Cookie": cookies[role], "Accept-Language": "id"}
            )
            if status == 200 and headers.get("Content-Type", "").startswith("text/html"):
                rows.append((role, page["path"]))
    return rows


def measure(port: int, rows, cookies) -> list[dict]:
    results = []

    def health():
        r = load(port, "/healthz", SECONDS, None)
        r.update(role="-", path="/healthz")
        results.append(r)
        print(f"  {'/healthz':44} {r['rps']:8.1f} req/s  p95 {r['p95']:6.1f} ms")

    health()
    for i, (role, path) in enumerate(rows, 1):
        if WARMUP:
            load(port, path, WARMUP, cookies[role])
        r = load(port, path, SECONDS, cookies[role])
        r.update(role=role, path=path)
        results.append(r)
        print(f"  {role:9} {path:34} {r['rps']:8.1f} req/s  p95 {r['p95']:6.1f} ms")
        if i % HEALTH_EVERY == 0:
            health()
    health()
    return results


def table(results: list[dict]) -> tuple[list[str], bool]:
    """Markdown rows, worst share first; True when every page meets both targets."""
    health = [r["rps"] for r in results if r["path"] == "/healthz"]
    base = sum(health) / len(health)
    pages = [r for r in results if r["path"] != "/healthz"]
    for r in pages:
        r["share"] = r["rps"] / base
        r["pass"] = (
            r["share"] >= MIN_SHARE and r["p95"] < MAX_P95_MS and not r["bad_status"] + r["errors"]
        )
    pages.sort(key=lambda r: r["share"])
    lines = [
        f"/healthz: {base:,.0f} requests a second (mean of {len(health)} rows, "
        f"{min(health):,.0f}-{max(health):,.0f}); {CONNECTIONS} connections, "
        f"{run.WORKERS} sync workers, {SECONDS} s per row.",
        "",
        "| page | logged in as | req/s | p95 ms | share of /healthz | target |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for r in pages:
        flag = "ok" if r["pass"] else "MISSED"
        if r["bad_status"] or r["errors"]:
            flag += f" ({r['bad_status']} bad status, {r['errors']} errors)"
        lines.append(
            f"| `{r['path']}` | {r['role']} | {r['rps']:.0f} | {r['p95']:.0f} | "
            f"{r['share']:.0%} | {flag} |"
        )
    return lines, all(r["pass"] for r in pages)


def write_readme(lines: list[str], facts: dict) -> None:
    text = README.read_text()
    if MARK_START not in text:
        return
    head, rest = text.split(MARK_START, 1)
    _, tail = rest.split(MARK_END, 1)
    when = time.strftime("%Y-%m-%d")
    about = (
        f"Measured {when} on {facts['nproc']} CPUs ({facts['cpu']}), "
        f"{facts['cpu_idle_before']:.0%} idle before the run (a shared machine)."
    )
    body = "\n".join([about, "", *lines])
    README.write_text(f"{head}{MARK_START}\n{body}\n{MARK_END}{tail}")


def main() -> int:
    facts = run.begin()
    if facts is None:
        return 2
    stamp = ensure()
    port = run.free_port()
    server = run.Server(port, {**os.environ, **environment()}, log=WORK / "gunicorn.log")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        server.wait_ready()
        cookies = {role: login(port, role, stamp["accounts"][role]) for role in ROLES}
        print(f"  logged in: {', '.join(ROLES)} (staff with their TOTP code)")
        rows = plan(stamp, port, cookies)
        print(f"  {len(rows)} pages; {WARMUP} s warm-up + {SECONDS} s each")
        results = measure(port, rows, cookies)
    finally:
        server.stop()
    lines, ok = table(results)
    print("\n" + "\n".join(lines))
    RESULTS.write_text(
        json.dumps(
            {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "machine": facts, "rows": results},
            indent=2,
        )
        + "\n"
    )
    if os.environ.get("FRESH_README") == "1":
        write_readme(lines, facts)
        print(f"table written to {README.relative_to(run.BENCH.parent)}")
    if not ok:
        print("Some pages missed a target (MISSED above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
