"""Notify benchmark: a broadcast to 10,000 subscribers queued, then sent by the worker.

    .venv/bin/python bench/notify.py            # SQLite in bench/results/notify/
    NOTIFY_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_notify \\
        .venv/bin/python bench/notify.py        # PostgreSQL (the database must exist;
                                                # its schema is dropped and migrated)

1. A fresh schema, an operator and an admin, and 10,000 active subscribers of the topic
   (bulk inserted by `portal/devdata/notify.py`).
2. Queue: the operator sends a broadcast to the topic (above the approval size, so it
   waits), the admin approves: `broadcasts.approve` checks, flips the status with its
   conditional UPDATE and inserts one message per subscriber in one transaction. That
   call is timed. Target: under 10 s.
3. Send: `flask notify send --limit 20000` in a process of its own (the worker or cron
   job; no web worker is involved), with the file sender (instance/outbox/), quiet
   hours off. Timed until it exits; every message must be "sent", once.

Figures go to bench/results/notify.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "results" / "notify"
INSTANCE = WORK / "instance"
RESULTS = BENCH / "results" / "notify.json"
SUBSCRIBERS, TARGET_SECONDS = 10_000, 10.0
URL = os.environ.get("NOTIFY_BENCH_DATABASE_URL") or f"sqlite:///{WORK / 'notify.sqlite3'}"


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "PORTAL_INSTANCE": str(INSTANCE),
        "DATABASE_URL": URL,
        "NOTIFY_QUIET_HOURS": "0-0",
        "OUTBOX_DIR": str(WORK / "outbox"),
    }


def _app():
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    from portal import create_app

    return create_app()


def _fresh_schema(app) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()


def queue(app) -> dict:
    from sqlalchemy import func, select

    from portal.accounts.services import create_user, generate_password
    from portal.devdata.notify import subscribers
    from portal.extensions import db
    from portal.notify.models import OutboxMessage
    from portal.notify.services import broadcasts

    with app.app_context(), app.test_request_context():
        operator = create_user(
            role="operator", password=generate_password(), username="op", name="Operator"
        )
        admin = create_user(
            role="admin", password=generate_password(), username="adm", name="Admin"
        )
        subscribers(SUBSCRIBERS, topic_sets=(("announcements",),))
        db.session.commit()
        item = broadcasts.create(
            operator,
            title="Pembagian beras",
            topic="announcements",
            audience="topic",
            sms_id="Pembagian beras Sabtu jam 08.00 di balai desa. Bawa KTP dan KK.",
            text_id="Pembagian beras hari Sabtu jam 08.00 di balai desa. Bawa KTP dan KK.",
            link="/pengumuman",
        )
        assert broadcasts.send(item.id, operator) == 0  # waits for the second person
        started = time.perf_counter()
        queued = broadcasts.approve(item.id, admin)
        seconds = time.perf_counter() - started
        total = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert queued == total == SUBSCRIBERS, (queued, total)
        db.engine.dispose()
    return {"queued": queued, "queue_seconds": round(seconds, 2)}


def send() -> dict:
    started = time.perf_counter()
    run = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "portal", "notify", "send", "--limit", "20000"],
        env=environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    return {"sender_output": run.stdout.strip(), "send_seconds": round(seconds, 1)}


def check(app) -> dict:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.notify.models import OutboxMessage

    with app.app_context():
        states = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        files = len(list((WORK / "outbox").iterdir()))
        db.engine.dispose()
    return {"states": states, "files": files}


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    for path in [WORK / "notify.sqlite3", *(WORK / "outbox").glob("*")]:
        path.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{WORK / 'notify.sqlite3'}{suffix}").unlink(missing_ok=True)
    app = _app()
    _fresh_schema(app)
    figures = {"engine": URL.split(":")[0], "subscribers": SUBSCRIBERS}
    figures.update(queue(app))
    figures.update(send())
    figures.update(check(app))
    figures["sent_per_second"] = round(figures["states"].get("sent", 0) / figures["send_seconds"])
    figures["queue_ok"] = figures["queue_seconds"] < TARGET_SECONDS
    figures["all_sent_once"] = figures["states"] == {"sent": SUBSCRIBERS} and (
        figures["files"] == SUBSCRIBERS
    )
    RESULTS.write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    if not (figures["queue_ok"] and figures["all_sent_once"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
