"""`make scan`: sqlmap and wapiti against a running demo, logged in as each role.

Builds a demo database in a temporary instance (portal.devdata.village.seed: every feature's demo
data), adds one account per role that the demo does not have (trainer), makes a
signed-in session cookie for each role the way the login form would (staff marked as
past the second factor, as after a TOTP code), starts gunicorn on 127.0.0.1 and runs,
for anonymous visitors and each role, sqlmap (crawl depth 2, forms, level 2, risk 1,
--smart, SQLite payloads) and wapiti (sql, xss, permanentxss, exec, file, redirect,
csrf, crlf, methods) side by side, each bounded in time. Rate limits are off in this
instance (a scanner would only meet 429s), logout is never followed. Findings are
printed per role and written to bench/results/scan/summary.json; the raw reports stay
in bench/results/scan/.

Settings: SCAN_SECONDS (per role, both tools at once, default 150), SCAN_ROLES (comma list,
default all: anonymous,resident,partner,trainer,operator,admin,auditor).
Needs the Debian packages sqlmap and wapiti. Only 127.0.0.1 is contacted: wapiti's
modules that call out to the Internet (ssrf, xxe) are not used, and wapiti runs with
name lookups refused for any other host.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import run

RESULTS = run.RESULTS / "scan"
SECONDS = int(os.environ.get("SCAN_SECONDS", "150"))
ROLES = ("anonymous", "resident", "partner", "trainer", "operator", "admin", "auditor")
START = {
    "anonymous": "/",
    "resident": "/akun",
    "partner": "/csr/",
    "trainer": "/pelatih/",
    "operator": "/staf/",
    "admin": "/staf/",
    "auditor": "/staf/",
}
WAPITI_MODULES = "sql,xss,permanentxss,exec,file,redirect,csrf,crlf,methods"
MODULES = len(WAPITI_MODULES.split(","))
# wapiti's --max-scan-time bounds its crawl; each module then gets an equal share.
CRAWL_SECONDS = SECONDS // 3
# Never followed: logout (it would end the scanned session) and binary downloads.
# Nothing but loopback: wapiti's optional modules may try to download their databases.
# Debian's wapiti 3.0.4 builds its --exclude pattern as `...\Z(?ms)`, which Python 3.11
# refuses ("global flags not at the start"): the same function with the flags first.
WAPITI = """
import re, socket, sys
_getaddrinfo = socket.getaddrinfo
def loopback_only(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise OSError("the scan talks to 127.0.0.1 only, not to " + str(host))
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = loopback_only
from wapitiCore.net import crawler
def wildcard_translate(pattern):
    body = "".join(".*" if c == "*" else re.escape(c) for c in pattern)
    return re.compile("(?ms)" + body + r"\\Z")
crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"""
EXCLUDE = r"keluar|\.pdf|\.ics|\.xlsx|\.csv|\.png|\.jpg|/static/"


def build(instance: Path, database: Path) -> dict[str, str]:
    """Migrate and seed the demo; return a session cookie per role."""
    os.environ.update(environment(instance, database))
    from flask import g, session
    from flask_migrate import upgrade
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import select

    from portal import create_app
    from portal.accounts import staff_session
    from portal.accounts.models import User
    from portal.accounts.services import create_user, generate_password
    from portal.devdata import village as demo
    from portal.extensions import db
    from portal.training.models import TrainingSession

    app = create_app()
    cookies = {}
    with app.app_context():
        upgrade()
        demo.seed(households=60)
        db.session.commit()
        trainer = create_user(
            name="Pelatih Pindai", role="trainer", password=generate_password(), username="trainer"
        )
        db.session.flush()
        for ts in db.session.scalars(select(TrainingSession)):
            ts.trainer_id = trainer.id
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        # The CSRF token is made here, inside the cookie: a scanner that sends a fixed
        # Cookie header then submits forms whose token matches its session.
        with app.test_request_context("/"):
            g.pop("csrf_token", None)
            generate_csrf()
            cookies["anonymous"] = f"session={serializer.dumps(dict(session))}"
        for role in ROLES[1:]:
            query = select(User).where(User.role == role, User.active.is_(True))
            if role == "resident":
                query = query.where(User.verification_status == "verified")
            user = db.session.scalars(query.order_by(User.id)).first()
            if user is None:
                raise SystemExit(f"the demo has no {role} account")
            with app.test_request_context("/"):
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
                if user.is_staff:
                    staff_session.mark_verified(user, session)
                g.pop("csrf_token", None)
                generate_csrf()
                cookies[role] = f"session={serializer.dumps(dict(session))}"
        db.session.remove()
        db.engine.dispose()
    return cookies


def environment(instance: Path, database: Path) -> dict[str, str]:
    return {
        "PORTAL_INSTANCE": str(instance),
        "DATABASE_URL": f"sqlite:///{database}",
        "PUBLIC_CACHE_SECONDS": "0",
        "STAFF_IDLE_MINUTES": "600",
    }


def bounded(args: list[str], log: Path, seconds: int) -> int | None:
    """Run a scanner in its own process group; stop it after `seconds`. None: stopped."""
    with log.open("w") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        return None


def scan_role(port: int, role: str, cookie: str) -> dict:
    folder = RESULTS / role
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    base = f"http://{run.HOST}:{port}"
    url = base + START[role]
    sqlmap = [
        "sqlmap", "-u", url, "--batch", "--crawl=2", "--forms", "--level=2", "--risk=1",
        "--dbms=SQLite", "--smart",
        "--crawl-exclude", EXCLUDE, "--csrf-token=csrf_token",
        "--output-dir", str(folder / "sqlmap"), "--disable-coloring", "--timeout=10",
        "--answers=follow=N,extending=N",
    ]  # fmt: skip
    wapiti = [
        "/usr/bin/python3", "-c", WAPITI, "-u", url,
        "--scope", "domain", "-m", WAPITI_MODULES, "-d", "3",
        "--max-scan-time", str(CRAWL_SECONDS), "--max-links-per-page", "40",
        "--max-attack-time", str(max(5, (SECONDS - CRAWL_SECONDS - 15) // MODULES)),
        "-x", f"{base}/keluar",
        "-f", "json", "-o", str(folder / "wapiti.json"), "--flush-session",
        "--store-session", str(folder / "wapiti-session"), "-t", "10",
    ]  # fmt: skip
    sqlmap += ["--cookie", cookie]
    wapiti += ["-H", f"Cookie: {cookie}"]
    started = time.monotonic()
    procs = {}
    for name, args in (("sqlmap", sqlmap), ("wapiti", wapiti)):
        procs[name] = {}
        thread = threading.Thread(
            target=lambda n=name, a=args: procs[n].update(
                rc=bounded(a, folder / f"{n}.log", SECONDS if n == "sqlmap" else SECONDS + 40)
            )
        )
        thread.start()
        procs[name]["thread"] = thread
    for entry in procs.values():
        entry.pop("thread").join()
    return {
        "role": role,
        "seconds": round(time.monotonic() - started),
        "sqlmap": sqlmap_findings(folder),
        "wapiti": wapiti_findings(folder),
        "session_alive": session_alive(port, role, cookie),
    }


def sqlmap_findings(folder: Path) -> dict:
    log = (folder / "sqlmap.log").read_text(errors="replace")
    found = re.findall(r"found a total of (\d+) targets", log)
    tested = len(set(re.findall(r"^\[(\d+)/\d+\] (?:Form|URL):", log, re.M)))
    params = set(re.findall(r"parameter '([^']+)' (?:does not|is not)", log))
    injectable = re.findall(r"parameter '([^']+)' (?:is|appears to be) '[^']+' injectable", log)
    injectable += re.findall(r"sqlmap identified the following injection point", log)
    return {
        "targets_found": int(found[0]) if found else 0,
        "targets_tested": tested,
        "parameters_not_injectable": sorted(params),
        "injectable": injectable,
        "errors_500": len(re.findall(r"500 \(Internal Server Error\)", log)),
    }


def wapiti_findings(folder: Path) -> dict:
    path = folder / "wapiti.json"
    if not path.exists():
        # Stopped before its report: what it printed as found, if anything.
        log = (folder / "wapiti.log").read_text(errors="replace")
        said = re.findall(r"^.*(?:vulnerability|injection|Cross Site).* in .*$", log, re.M)
        return {"report": "missing (stopped)", "printed_findings": said}
    report = json.loads(path.read_text())
    log = (folder / "wapiti.log").read_text(errors="replace")
    crawled = re.findall(r"Wapiti found (\d+) URLs and forms", log)
    found = {kind: items for kind, items in report.get("vulnerabilities", {}).items() if items}
    anomalies = {kind: items for kind, items in report.get("anomalies", {}).items() if items}
    return {
        "urls_and_forms": int(crawled[-1]) if crawled else 0,
        "vulnerabilities": {
            k: [f"{i.get('method')} {i.get('path')} {i.get('info')}" for i in v]
            for k, v in found.items()
        },  # fmt: skip
        "anomalies": {
            k: [f"{i.get('method')} {i.get('path')} {i.get('info')}" for i in v]
            for k, v in anomalies.items()
        },  # fmt: skip
    }


def session_alive(port: int, role: str, cookie: str) -> bool | None:
    if role == "anonymous":
        return None
    status, _, _ = run.fetch(port, START[role], headers={"Cookie": cookie})
    return status == 200


def main() -> int:
    roles = [r for r in os.environ.get("SCAN_ROLES", ",".join(ROLES)).split(",") if r]
    for tool in ("sqlmap", "wapiti"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: apt-get install sqlmap wapiti")
            return 2
    shutil.rmtree(RESULTS, ignore_errors=True)
    RESULTS.mkdir(parents=True)
    instance, database = RESULTS / "instance", RESULTS / "scan.sqlite3"
    # No rate limits here: a scanner would only meet 429s.
    instance.mkdir()
    (instance / "config.py").write_text("RATELIMIT_ENABLED = False\n")
    cookies = build(instance, database)
    port = run.free_port()
    env = {**os.environ, **environment(instance, database)}
    server = run.Server(port, env, log=RESULTS / "gunicorn.log")
    summary = []
    try:
        server.wait_ready()
        for role in roles:
            print(f"scanning as {role} from {START[role]} ({SECONDS} s per tool) ...", flush=True)
            result = scan_role(port, role, cookies[role])
            summary.append(result)
            print(json.dumps(result, indent=1), flush=True)
    finally:
        server.stop()
    errors = (RESULTS / "gunicorn.log").read_text(errors="replace")
    tracebacks = errors.count("Traceback")
    (RESULTS / "summary.json").write_text(
        json.dumps({"roles": summary, "server_tracebacks": tracebacks}, indent=2) + "\n"
    )
    print(f"server log: {tracebacks} tracebacks (bench/results/scan/gunicorn.log)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
