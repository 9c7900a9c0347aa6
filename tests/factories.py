"""Small factories for public content (plain functions; the caller's app context commits)."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models_base import utcnow
from portal.programmes.models import Programme
from portal.public.models import Announcement, Meeting, Partner


def announcement(published=True, **fields) -> Announcement:
    fields.setdefault("title_id", "Pembagian beras")
    fields.setdefault("body_id", "Beras dibagikan di balai desa.")
    fields.setdefault("category", "aid")
    item = Announcement(**fields)
    if published:
        item.set_published(True)
    db.session.add(item)
    db.session.commit()
    return item


def programme(published=True, **fields) -> Programme:
    fields.setdefault("slug", "paket-pangan")
    fields.setdefault("name_id", "Paket Pangan")
    fields.setdefault("summary_id", "Paket sembako bulanan.")
    fields.setdefault("eligibility_id", "Keluarga miskin.")
    fields.setdefault("benefits_id", "Beras 10 kg.")
    fields.setdefault("aid_type", "food")
    item = Programme(**fields)
    if published:
        item.set_published(True)
    db.session.add(item)
    db.session.commit()
    return item


def meeting(published=True, days=7, **fields) -> Meeting:
    fields.setdefault("title_id", "Musyawarah Desa")
    fields.setdefault("place", "Balai Desa")
    fields.setdefault("agenda_id", "1. Pembukaan")
    fields.setdefault("kind", "musdes")
    item = Meeting(starts_at=utcnow() + timedelta(days=days), **fields)
    if published:
        item.set_published(True)
    db.session.add(item)
    db.session.commit()
    return item


def partner(published=True, **fields) -> Partner:
    fields.setdefault("name", "Koperasi Tani")
    fields.setdefault("description_id", "Koperasi petani lokal.")
    item = Partner(**fields)
    if published:
        item.set_published(True)
    db.session.add(item)
    db.session.commit()
    return item
