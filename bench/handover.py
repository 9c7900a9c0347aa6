"""Offline handovers on PostgreSQL: one batch of 500 sent twice.

    .venv/bin/python bench/handover.py

Database: HANDOVER_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/bench_handover, created if missing; its schema is
dropped and migrated afresh on every run), filled with the demo staff, 700 households
from the registry's generator, a published list of 650 of them
(portal.devdata.lists.bench_period) and an open round with one point, rice and oil
(tests/distribution_helpers.draft_round, approved through the service).

An officer's phone sends 500 handovers recorded offline as one JSON batch to
POST /petugas/<round>/<point>/kirim, through the app's test client with a real
session and CSRF token (taken from the roster, as the phone does), in one process.
Timed: the first send (500 stored) and the second send of the same batch (500
duplicates, nothing stored). Target: each under 5 s, exactly 500 handovers stored.
Figures go to bench/results/handover.json.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import run  # noqa: E402

WORK = run.RESULTS / "handover"
INSTANCE = WORK / "instance"
RESULTS = run.RESULTS / "handover.json"
URL = os.environ.get(
    "HANDOVER_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/bench_handover"
)
BATCH, TARGET_SECONDS = 500, 5.0
REGISTRY, LISTED = 700, 650


def prepare(app) -> dict:
    """The demo staff, the registry, the published list and an open round."""
    from flask_migrate import upgrade
    from sqlalchemy import select, update

    from portal.accounts.models import User
    from portal.accounts.services import create_user
    from portal.devdata import lists as lists_demo
    from portal.devdata import registry as registry_demo
    from portal.devdata.village import seed
    from portal.distribution import services
    from portal.distribution.models import DistributionRound, Entitlement
    from portal.extensions import db
    from portal.lists.models import ListVersion
    from tests.distribution_helpers import draft_round

    with app.app_context():
        upgrade()
        seed(households=0)
        registry_demo.generate(REGISTRY, seed=2026)
        db.session.commit()
        period = lists_demo.bench_period(LISTED)
        version = db.session.scalar(select(ListVersion).where(ListVersion.period_id == period.id))
        operator = db.session.scalar(select(User).where(User.role == "operator").limit(1))
        head = db.session.scalar(select(User).where(User.role == "auditor").limit(1))
        round_ = draft_round(version, operator)
        started = time.perf_counter()
        services.approve(round_.id, actor=head)
        approve_seconds = time.perf_counter() - started
        db.session.execute(
            update(DistributionRound).where(DistributionRound.id == round_.id).values(status="open")
        )
        officer = create_user(
            role="officer", username="bench-petugas", name="Petugas Uji", password="x" * 16
        )
        db.session.commit()
        entitlements = db.session.scalars(
            select(Entitlement)
            .where(Entitlement.round_id == round_.id, Entitlement.collector_id.is_not(None))
            .order_by(Entitlement.id)
        ).all()
        if len(entitlements) < BATCH:
            raise RuntimeError(f"only {len(entitlements)} entitlements with a collector")
        batch = [
            {
                "client_id": uuid.uuid4().hex,
                "entitlement_id": e.id,
                "collected_by": "collector",
                "lines": {str(line.item_id): line.due_milli for line in e.lines},
                "handed_at": "2026-12-05T08:00:00+07:00",
            }
            for e in entitlements[:BATCH]
        ]
        facts = {
            "round_id": round_.id,
            "point_id": round_.points[0].id,
            "officer_id": officer.id,
            "entitlements": len(entitlements),
            "approve_seconds": round(approve_seconds, 3),
        }
        db.session.remove()
    return facts, batch


def send(app, facts: dict, batch: list[dict]) -> dict:
    from sqlalchemy import func, select

    from portal.accounts import staff_session
    from portal.accounts.models import User
    from portal.distribution.models import Handover
    from portal.extensions import db

    client = app.test_client()
    with app.app_context():
        officer = db.session.get(User, facts["officer_id"])
        with client.session_transaction() as session:
            session["_user_id"] = officer.get_id()
            session["_fresh"] = True
            staff_session.mark_seen(session)
            staff_session.mark_verified(officer, session)
        db.session.remove()
    base = f"/petugas/{facts['round_id']}/{facts['point_id']}"
    roster = client.get(f"{base}/daftar.json").get_json()
    body = json.dumps({"handovers": batch})
    figures = {}
    for name in ("first", "second"):
        started = time.perf_counter()
        response = client.post(
            f"{base}/kirim",
            data=body,
            headers={"Content-Type": "application/json", "X-CSRFToken": roster["csrf"]},
        )
        seconds = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        outcomes = [r["outcome"] for r in response.get_json()["results"]]
        figures[name] = {
            "seconds": round(seconds, 3),
            "outcomes": {o: outcomes.count(o) for o in sorted(set(outcomes))},
        }
    with app.app_context():
        figures["stored"] = db.session.scalar(select(func.count()).select_from(Handover))
        db.session.remove()
    return figures


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    INSTANCE.mkdir(parents=True, exist_ok=True)
    os.environ.update({"PORTAL_INSTANCE": str(INSTANCE), "DATABASE_URL": URL})
    run.fresh_postgresql()
    from portal import create_app

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})
    facts, batch = prepare(app)
    figures = send(app, facts, batch)
    passed = (
        figures["first"]["seconds"] < TARGET_SECONDS
        and figures["second"]["seconds"] < TARGET_SECONDS
        and figures["stored"] == BATCH
        and figures["first"]["outcomes"] == {"stored": BATCH}
        and figures["second"]["outcomes"] == {"duplicate": BATCH}
    )
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "batch": BATCH,
        **facts,
        **figures,
        "target_seconds": TARGET_SECONDS,
        "pass": passed,
    }
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0 if passed or not os.environ.get("BENCH_STRICT") else 1


if __name__ == "__main__":
    sys.exit(main())
