"""Demo evaluations: the latest finished distribution round (its texts in both
languages and the demo needs survey linked as the residents' view) and last year."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models_base import village_today
from portal.monitoring.evaluation_models import Evaluation
from portal.monitoring.services.evaluation import finished_rounds
from portal.participation.models import Survey

TEXTS = {
    "went_well_id": "Antrean tertib per RT; semua titik buka tepat waktu.",
    "went_well_en": "Orderly queues by RT; every point opened on time.",
    "went_badly_id": "Beberapa lansia menunggu terlalu lama di Balai Desa.",
    "went_badly_en": "Some elderly residents waited too long at the village hall.",
    "changes_id": "Kursi dan jalur khusus lansia; jadwal per jam untuk RW 03.",
    "changes_en": "Seats and a separate line for the elderly; hourly slots for RW 03.",
}


def seed() -> None:
    survey_id = db.session.scalar(select(Survey.id).where(Survey.status == "open").limit(1))
    rounds = finished_rounds()
    if rounds:
        db.session.add(Evaluation(kind="round", ref=rounds[0].id, survey_id=survey_id, **TEXTS))
    db.session.add(Evaluation(kind="year", ref=village_today().year - 1, **TEXTS))
    db.session.flush()
