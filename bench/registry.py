"""Registry benchmark: importing a 100,000-row roster, and the staff search and household
page on a database of 100,000 people.

    .venv/bin/python bench/registry.py            # both parts
    .venv/bin/python bench/registry.py import     # only the import
    .venv/bin/python bench/registry.py pages      # only the search and household page

1. Import. A SIAK roster (.xlsx, one row per person, 25,000 families of four) is made
   once and kept in bench/results/registry/. It is imported into an empty, migrated
   SQLite database with the real command, `flask --app portal import-registry FILE
   --yes`, in a subprocess under /usr/bin/time -v: wall-clock time and peak resident
   memory of the whole process. Targets: under 60 s and under 500 MB.

2. Pages. A second database holds the demo village at 25,000 households (about
   100,000 people, portal.devdata.registry.generate). gunicorn serves it; eight staff
   members (operators) log in through the real forms, password and then a TOTP code
   made with pyotp, and each wrk thread (one connection each) sends its own session
   cookie: eight staff users at once. The search requests are what typing in the
   search box sends (the htmx fragment): parts of real names, NIK prefixes, RT/RW.
   The household page opens random households (each opening is written to the audit
   log, as in production). Targets: search p95 under 100 ms, household page p95
   under 50 ms.

Settings (environment): REGISTRY_BENCH_SECONDS (10), REGISTRY_BENCH_WARMUP (2),
REGISTRY_BENCH_USERS (8), BENCH_WORKERS (2), BENCH_THREADS (4), REGISTRY_BENCH_FRESH=1
(rebuild both databases and the roster), BENCH_STRICT=1 (exit 1 when a target is
missed). Only loopback traffic; the server is stopped on every way out. Figures go to
bench/results/registry.json.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: the gunicorn server, shared)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "results" / "registry"
INSTANCE = WORK / "instance"
ROSTER = WORK / "roster-100k.xlsx"
IMPORT_DB = WORK / "import.sqlite3"
PAGES_DB = WORK / "pages.sqlite3"
PAGES_STAMP = WORK / "pages-db.json"
RESULTS = BENCH / "results" / "registry.json"
HOST = "127.0.0.1"

FAMILIES = 25_000  # four people each: 100,000 rows
HOUSEHOLDS = 27_000  # the demo generator averages 3.7 people a household: 100,000 people
SEED = 2026
GENERATOR_VERSION = 2

SECONDS = int(os.environ.get("REGISTRY_BENCH_SECONDS", "10"))
WARMUP = int(os.environ.get("REGISTRY_BENCH_WARMUP", "2"))
USERS = int(os.environ.get("REGISTRY_BENCH_USERS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
FRESH = os.environ.get("REGISTRY_BENCH_FRESH") == "1"

IMPORT_MAX_SECONDS = 60.0
IMPORT_MAX_MB = 500.0
SEARCH_MAX_P95_MS = 100.0
HOUSEHOLD_MAX_P95_MS = 50.0
# How long each staff member pauses after an answer (see bench_pages).
SEARCH_PACE_MS = int(os.environ.get("REGISTRY_BENCH_SEARCH_PACE_MS", "300"))
HOUSEHOLD_PACE_MS = int(os.environ.get("REGISTRY_BENCH_HOUSEHOLD_PACE_MS", "1000"))
STAFF_PASSWORD = "bench registry staff password"  # noqa: S105 (a throw-away database)

# The columns of a SIAK export (shared/formats/README.md), in their order.
SIAK_HEADER = [
    "Nomor KK", "NIK", "Nama Penduduk", "Status", "Tempat Lahir", "Tanggal Lahir",
    "Kelamin", "NIK Ayah", "Ayah", "NIK Ibu", "Ibu", "Status Kawin", "SHDK", "Agama",
    "Kecamatan", "Desa/Kel", "Alamat", "RW", "RT", "Pendidikan", "Pekerjaan",
    "Deskripsi Pekerjaan", "Gol. Darah", "Cacat", "Cetak KTP", "Ganti KTP", "KTP Berakhir",
    "Nomor Paspor", "Nomor Akta Lahir", "Nomor Akta Kawin", "Tanggal Kwn",
    "Nomor Akta Cerai", "Tgl Cerai", "Petugas Registrasi", "Tgl Ubah", "Petugas Entri",
    "Tgl Entri",
]  # fmt: skip


def environment(db_path: Path) -> dict[str, str]:
    """The app's environment: its own instance folder and database, nothing else shared."""
    return {
        **os.environ,
        "PORTAL_INSTANCE": str(INSTANCE),
        "DATABASE_URL": f"sqlite:///{db_path}",
        # The command line answers in the default language; keep its output plain.
        "PYTHONUNBUFFERED": "1",
    }


def _in_app(db_path: Path):
    """An app bound to `db_path` (for building databases in this process)."""
    os.environ.update({"PORTAL_INSTANCE": str(INSTANCE), "DATABASE_URL": f"sqlite:///{db_path}"})
    sys.path.insert(0, str(ROOT))
    from portal import create_app

    return create_app()


def _migrate(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    app = _in_app(db_path)
    from flask_migrate import upgrade

    from portal.extensions import db

    with app.app_context():
        upgrade()
        db.engine.dispose()


# --------------------------------------------------------------------------- import


def _serial(day: date) -> int:
    """An Excel date serial number, as SIAK exports dates."""
    return (day - date(1899, 12, 30)).days


def make_roster(path: Path, families: int = FAMILIES) -> int:
    """Write a SIAK roster of `families` families of four; returns the number of rows."""
    import openpyxl
    from faker import Faker

    sys.path.insert(0, str(ROOT))
    from portal.registry.validation import make_nik

    rng = random.Random(SEED)
    fake = Faker("id_ID")
    fake.seed_instance(SEED)
    names = fake.provider("faker.providers.person")
    male, female = list(names.first_names_male), list(names.first_names_female)
    last = list(names.last_names_male) + list(names.last_names_female)
    streets = sorted({fake.street_name() for _ in range(80)})
    today = date.today()
    used: set[str] = set()

    def nik(born: date, sex: str) -> str:
        while True:
            value = make_nik("140309", born, sex, rng.randint(1, 9999))
            if value not in used:
                used.add(value)
                return value

    def born(age: int) -> date:
        return today - timedelta(days=365 * age + rng.randint(0, 364))

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data Penduduk")
    sheet.append(SIAK_HEADER)
    rows = 0
    for n in range(families):
        # Region, the day the card was issued, a serial: unique for every family.
        issued = date(2005, 1, 1) + timedelta(days=n // 9000)
        kk = f"140309{issued:%d%m%y}{n % 9000 + 1:04d}"
        family_name = rng.choice(last)
        rt, rw = float(rng.randint(1, 12)), float(rng.randint(1, 4))
        address = f"{rng.choice(streets)} No. {rng.randint(1, 150)}".upper()
        head_age = rng.randint(25, 70)
        members = [
            ("Kepala Keluarga", "male", head_age, "Kawin"),
            ("Istri", "female", max(18, head_age - rng.randint(0, 6)), "Kawin"),
            ("Anak", rng.choice(("male", "female")), rng.randint(0, 17), "Belum Kawin"),
            ("Anak", rng.choice(("male", "female")), rng.randint(0, 17), "Belum Kawin"),
        ]
        for relation, sex, age, marital in members:
            day = born(age)
            first = rng.choice(male if sex == "male" else female)
            row = dict.fromkeys(SIAK_HEADER, "")
            row.update(
                {
                    "Nomor KK": kk,
                    "NIK": nik(day, sex),
                    "Nama Penduduk": f"{first} {family_name}".upper(),
                    "Status": "Hidup",
                    "Tempat Lahir": "DURI",
                    "Tanggal Lahir": _serial(day),
                    "Kelamin": "Laki-Laki" if sex == "male" else "Perempuan",
                    "Status Kawin": marital,
                    "SHDK": relation,
                    "Agama": "Islam",
                    "Kecamatan": "MANDAU",
                    "Desa/Kel": "DURI SELATAN",
                    "Alamat": address,
                    "RW": rw,
                    "RT": rt,
                    "Pendidikan": "SLTA/SEDERAJAT" if age >= 18 else "TIDAK/BELUM SEKOLAH",
                    "Pekerjaan": "PETANI/PEKEBUN" if age >= 18 else "PELAJAR/MAHASISWA",
                }
            )
            sheet.append([row[h] for h in SIAK_HEADER])
            rows += 1
    tmp = path.with_suffix(".tmp.xlsx")
    book.save(tmp)
    tmp.replace(path)
    return rows


def bench_import() -> dict:
    """Import the roster into an empty database through the real command."""
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    if FRESH or not ROSTER.exists():
        started = time.monotonic()
        rows = make_roster(ROSTER)
        print(f"  roster: {rows:,} rows written in {time.monotonic() - started:.0f} s")
    print(f"  roster: {ROSTER.relative_to(ROOT)} ({ROSTER.stat().st_size / 1e6:.1f} MB)")
    _migrate(IMPORT_DB)
    flask = Path(sys.executable).parent / "flask"
    args = [str(flask), "--app", "portal", "import-registry", str(ROSTER), "--yes"]
    with tempfile.NamedTemporaryFile("w+", suffix=".time") as report:
        command = ["/usr/bin/time", "-v", "-o", report.name, *args]
        started = time.monotonic()
        done = subprocess.run(
            command, cwd=ROOT, env=environment(IMPORT_DB), capture_output=True, text=True
        )
        seconds = time.monotonic() - started
        timing = report.read()
    if done.returncode != 0:
        raise RuntimeError(f"the import failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1))
    people = _count(IMPORT_DB, "person")
    households = _count(IMPORT_DB, "household")
    result = {
        "rows": people,
        "households": households,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak_kb / 1024, 1),
        "output": done.stdout.strip().splitlines()[-3:],
    }
    result["pass"] = seconds < IMPORT_MAX_SECONDS and result["peak_mb"] < IMPORT_MAX_MB
    return result


def _count(db_path: Path, table: str) -> int:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608


# ---------------------------------------------------------------------------- pages


def build_pages_db() -> dict:
    """The demo village at 25,000 households, plus the bench's staff members with their
    second factor switched on (through the accounts services)."""
    current = json.loads(PAGES_STAMP.read_text()) if PAGES_STAMP.exists() else None
    if (
        not FRESH
        and PAGES_DB.exists()
        and current
        and current.get("generator") == GENERATOR_VERSION
        and current.get("users", 0) >= USERS
    ):
        print(f"  database: reusing {PAGES_DB.relative_to(ROOT)} ({current['people']:,} people)")
        return current
    print(f"  database: building {PAGES_DB.relative_to(ROOT)} ...")
    started = time.monotonic()
    _migrate(PAGES_DB)
    app = _in_app(PAGES_DB)
    import pyotp

    from portal.accounts import second_factor
    from portal.accounts.services import create_user
    from portal.devdata import village as demo
    from portal.devdata.registry import generate
    from portal.extensions import db

    with app.app_context():
        demo.seed(households=0)  # programmes and the demo staff
        counts = generate(HOUSEHOLDS, seed=SEED)
        db.session.commit()
        secrets = {}
        for n in range(1, max(USERS, 8) + 1):
            username = f"bench-operator-{n}"
            user = create_user(
                name=f"Operator Bench {n}",
                role="operator",
                password=STAFF_PASSWORD,
                username=username,
            )
            db.session.flush()
            secret = second_factor.start_enrolment(user)
            # Confirm with the previous step's code, so that logging in now (this
            # step's code) is not refused as a replay.
            earlier = time.time() - 30
            code = pyotp.TOTP(secret).at(earlier)
            if second_factor.confirm_enrolment(user, code, now=earlier) is None:
                raise RuntimeError("could not switch on the second factor")
            secrets[username] = secret
        db.session.remove()
        db.engine.dispose()
    stamp = {
        "generator": GENERATOR_VERSION,
        "households": counts["households"],
        "people": counts["people"],
        "users": len(secrets),
        "secrets": secrets,
        "seconds": round(time.monotonic() - started, 1),
    }
    PAGES_STAMP.write_text(json.dumps(stamp, indent=2) + "\n")
    print(f"  database: built in {stamp['seconds']} s ({stamp['people']:,} people)")
    return stamp


def Server(port: int, env: dict[str, str]) -> run.Server:  # noqa: N802 (a class before)
    """bench/run.py's gunicorn (own process group), with this script's log and threads."""
    return run.Server(port, env, log=WORK / "gunicorn.log", worker_class="gthread", threads=THREADS)


def request(port, method, path, *, headers=None, body=None, timeout=10.0):
    """One request; returns (status, headers as a list of pairs, body text)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Browser:
    """Just enough of a browser to log in: it keeps the session cookie."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def _headers(self, extra=None) -> dict:
        headers = {"Accept-Language": "id-ID,id;q=0.9"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _keep(self, headers) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]

    def get(self, path: str):
        status, headers, text = request(self.port, "GET", path, headers=self._headers())
        self._keep(headers)
        return status, dict(headers), text

    def post(self, path: str, form: dict):
        body = urlencode(form)
        extra = {"Content-Type": "application/x-www-form-urlencoded"}
        status, headers, text = request(
            self.port, "POST", path, headers=self._headers(extra), body=body
        )
        self._keep(headers)
        return status, dict(headers), text

    def csrf(self, text: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
        if match is None:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1)


def staff_login(port: int, username: str, secret: str) -> str:
    """Log in through the real forms, password then TOTP code; the session cookie."""
    import pyotp

    browser = Browser(port)
    _, _, page = browser.get("/masuk")
    status, headers, _ = browser.post(
        "/masuk",
        {"identifier": username, "password": STAFF_PASSWORD, "csrf_token": browser.csrf(page)},
    )
    if status != 302:
        raise RuntimeError(f"password step refused for {username} ({status})")
    _, _, page = browser.get(headers["Location"])
    for _attempt in range(3):
        code = pyotp.TOTP(secret).now()
        status, _, _ = browser.post(
            "/masuk/kode", {"code": code, "csrf_token": browser.csrf(page), "next": ""}
        )
        if status == 302:
            break
        # This step's code was already used (a rerun within 30 s): wait for the next.
        time.sleep(31 - time.time() % 30)
    else:
        raise RuntimeError(f"second step refused for {username}")
    status, _, _ = browser.get("/staf/registrasi/")
    if status != 200:
        raise RuntimeError(f"the registry answered {status} after logging in")
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def search_paths(n: int = 400) -> list[str]:
    """What typing in the search box sends: parts of real names (as typed so far), NIK
    and KK prefixes, RT/RW. Drawn from the database so that most find someone."""
    import sqlite3

    rng = random.Random(SEED)
    with sqlite3.connect(PAGES_DB) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM person ORDER BY random() LIMIT 300")]
        niks = [r[0] for r in conn.execute("SELECT nik FROM person WHERE nik IS NOT NULL LIMIT 50")]
        kks = [r[0] for r in conn.execute("SELECT kk_number FROM household LIMIT 50")]
    queries = []
    for name in names:
        words = name.split()
        typed = " ".join(words[:2])
        queries.append(typed[: rng.randint(3, len(typed))])  # somewhere while typing
    queries += [nik[: rng.randint(6, 16)] for nik in niks]
    queries += [kk[: rng.randint(8, 16)] for kk in kks]
    queries += [f"RT {rng.randint(1, 12)} RW {rng.randint(1, 4)}" for _ in range(40)]
    rng.shuffle(queries)
    return ["/staf/registrasi/?" + urlencode({"q": q}) for q in queries[:n]]


def household_paths(n: int = 400) -> list[str]:
    import sqlite3

    with sqlite3.connect(PAGES_DB) as conn:
        ids = [
            r[0] for r in conn.execute("SELECT id FROM household ORDER BY random() LIMIT ?", (n,))
        ]
    return [f"/staf/registrasi/rumah-tangga/{i}" for i in ids]


def load(
    port: int, paths: list[str], cookies: list[str], seconds: int, htmx: bool, pace_ms: int = 0
) -> dict:
    """wrk with one thread and one connection per staff member, each with its own cookie,
    cycling through `paths`, pausing `pace_ms` after each answer; latencies in ms (the
    pause is not counted)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths_file = Path(tmp) / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        cookies_file = Path(tmp) / "cookies.txt"
        cookies_file.write_text("\n".join(cookies) + "\n")
        env = {
            **os.environ,
            "REGISTRY_BENCH_PATHS": str(paths_file),
            "REGISTRY_BENCH_COOKIES": str(cookies_file),
            "REGISTRY_BENCH_HTMX": "1" if htmx else "0",
            "REGISTRY_BENCH_PACE_MS": str(pace_ms),
        }
        args = [
            "wrk", "--threads", str(len(cookies)), "--connections", str(len(cookies)),
            "--duration", f"{seconds}s", "--timeout", "5s",
            "--script", str(BENCH / "registry.lua"), f"http://{HOST}:{port}/",
        ]  # fmt: skip
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
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50": raw["p50_us"] / 1000,
        "p95": raw["p95_us"] / 1000,
        "p99": raw["p99_us"] / 1000,
        "max": raw["max_us"] / 1000,
        "bad_status": raw["status_errors"],
        "errors": errors,
    }


def bench_pages() -> list[dict]:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt install wrk)")
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    stamp = build_pages_db()
    port = run.free_port()
    server = Server(port, environment(PAGES_DB))
    rows = []
    try:
        server.wait_ready()
        users = sorted(stamp["secrets"].items())[:USERS]
        cookies = [staff_login(port, username, secret) for username, secret in users]
        print(f"  {len(cookies)} staff members logged in (password and TOTP code)")
        searches, households = search_paths(), household_paths()
        plan = (
            # Eight people typing: htmx asks 300 ms after the last keystroke, so no
            # one person sends more than about three searches a second.
            ("search as you type (htmx)", searches, True, SEARCH_PACE_MS, SEARCH_MAX_P95_MS),
            # Eight people opening household after household, a second to glance at each.
            ("household page", households, False, HOUSEHOLD_PACE_MS, HOUSEHOLD_MAX_P95_MS),
            # No pause at all: eight requests always waiting. What the server does when
            # saturated (throughput), not a way people work; for information.
            ("search, no pause", searches, True, 0, None),
            ("search, whole page, no pause", searches, False, 0, None),
            ("household page, no pause", households, False, 0, None),
        )
        # One person alone, no pause: what a request costs (least sensitive to load).
        alone = (
            ("search, one user", searches, True, 0, None, 1),
            ("household page, one user", households, False, 0, None, 1),
        )
        for label, paths, htmx, pace, target, users in (
            *((*row, len(cookies)) for row in plan),
            *alone,
        ):
            if WARMUP:
                load(port, paths, cookies[:users], WARMUP, htmx, pace)
            r = load(port, paths, cookies[:users], SECONDS, htmx, pace)
            r.update(label=label, target_p95=target, paths=len(paths), pace_ms=pace, users=users)
            clean = not r["bad_status"] and not r["errors"]
            r["pass"] = clean and (target is None or r["p95"] < target)
            rows.append(r)
            print(f"  {label:30} {r['rps']:7.1f} req/s  p95 {r['p95']:.1f} ms")
    finally:
        server.stop()
    return rows


# ----------------------------------------------------------------------------- main


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str]) -> int:
    parts = argv or ["import", "pages"]
    load_avg = os.getloadavg()[0]
    cpus = len(os.sched_getaffinity(0))
    print(f"machine: {cpus} CPUs, load average {load_avg:.1f}")
    if load_avg > 0.5 * cpus:
        print("WARNING: the machine is busy: every figure will be worse than on a quiet one.")
    out: dict = {"when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "load_1min": load_avg}
    ok = True
    # SIGTERM (e.g. from make or CI) must also stop the server: turn it into an exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "import" in parts:
        print("\nimport of a 100,000-row SIAK roster (.xlsx) into an empty registry")
        result = bench_import()
        out["import"] = result
        ok &= result["pass"]
    if "pages" in parts:
        print(f"\nsearch and household page, 100,000 people, {USERS} staff users at once")
        out["pages"] = bench_pages()
        ok &= all(r["pass"] for r in out["pages"])
    print()
    if "import" in out:
        r = out["import"]
        print(
            f"import: {r['rows']:,} people in {r['households']:,} households, "
            f"{r['seconds']:.1f} s (< {IMPORT_MAX_SECONDS:.0f}), peak {r['peak_mb']:.0f} MB "
            f"(< {IMPORT_MAX_MB:.0f})  {verdict(r['pass'])}"
        )
    for r in out.get("pages", []):
        target = f"p95 < {r['target_p95']:.0f}" if r["target_p95"] else "info"
        print(
            f"{r['label']:30} {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  "
            f"p99 {r['p99']:6.1f} ms  {target:10} "
            + (verdict(r["pass"]) if r["target_p95"] else "")
            + ("" if not (r["bad_status"] or r["errors"]) else "  ERRORS")
        )
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nfigures saved to {RESULTS.relative_to(ROOT)}")
    if not ok:
        print("Some targets were missed (see FAIL above).")
        return 1 if os.environ.get("BENCH_STRICT") == "1" else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
