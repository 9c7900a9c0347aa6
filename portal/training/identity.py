"""Course places taken under a stolen identity.

A place is held for a registry person (`holder` "p<id>", one live place per person and
session), and the account that asked for it can see and cancel it. When the village
office gives the person back to their real owner (portal/registry/reclaim.py), the live
places the other account took in the person's name move to the owner's account: the
other account can no longer see or cancel them, and the owner, who may not want them,
is told through the operator, who sees the list after the reclaim and can cancel a
place on the course's staff page. Nothing is cancelled here, so no seat changes hands
without a person deciding it.
"""

from __future__ import annotations

from sqlalchemy import select

from portal.accounts.identity import Note, Revocation, identity_revoked
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.training.models import LIVE, Place, TrainingSession


def move_places(revocation: Revocation) -> list[Note]:
    places = db.session.scalars(
        select(Place)
        .join(TrainingSession, TrainingSession.id == Place.session_id)
        .where(
            Place.person_id == revocation.person_id,
            Place.user_id == revocation.user_id,
            Place.status.in_(LIVE),
        )
        .order_by(TrainingSession.starts_at, Place.id)
    ).all()
    notes = []
    for place in places:
        place.user_id = revocation.new_user_id
        course = place.session.course
        notes.append(
            Note(
                _l(
                    "Course place moved to the owner's account: %(course)s, %(day)s "
                    "(place %(place)d). Cancel it on the course's page if they do not want it.",
                    course=course.title_id,
                    day=place.session.starts_at.date().isoformat(),
                    place=place.id,
                ),
                f"course place {place.id} ({place.status}) moved to account "
                f"{revocation.new_user_id}",
            )
        )
    return notes


def _on_revoked(_sender, revocation: Revocation, **_extra) -> list[Note]:
    return move_places(revocation)


def listen() -> None:
    """Register with the accounts' hook (once per process; at app set-up)."""
    identity_revoked.connect(_on_revoked, weak=False)
