"""Demo complaints in every state, for `flask seed-demo` and the browser tests.

One demo complaint has a known tracking code, DESA-BANT-UAN2, so that a visitor of a
demo site can open a status page with history; real codes are random (services.new_code).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.complaints.models import Complaint, ComplaintStep
from portal.complaints.services import code_hash, new_code
from portal.extensions import db
from portal.models_base import utcnow

DEMO_CODE = "DESABANTUAN2"


def _staff(role: str) -> User | None:
    return db.session.scalars(select(User).where(User.role == role).order_by(User.id)).first()


def _complaint(days_ago: float, code: str | None = None, **fields) -> Complaint:
    at = utcnow() - timedelta(days=days_ago)
    fields.setdefault("anonymous", True)
    complaint = Complaint(
        code_hash=code_hash(code or new_code()), created_at=at, updated_at=at, **fields
    )
    db.session.add(complaint)
    db.session.flush()
    db.session.add(ComplaintStep(complaint_id=complaint.id, kind="filed", at=at))
    return complaint


def _step(complaint, days_ago, kind, actor, *, public=True, detail=None, body=None):
    db.session.add(
        ComplaintStep(
            complaint_id=complaint.id,
            at=utcnow() - timedelta(days=days_ago),
            kind=kind,
            public=public,
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            detail=detail,
            body=body,
        )
    )


def seed() -> None:
    """Add six complaints: new, overdue, answered, closed (two) and one about staff.
    The caller commits."""
    operator = _staff("operator")
    admin = _staff("admin") or operator
    now = utcnow()
    _new_complaints()
    _answered(operator, now)
    _closed(operator, now)
    _older(operator, now)
    if operator:
        _about_staff(operator, admin)
    db.session.flush()


def _new_complaints() -> None:
    """One new complaint and one overdue."""
    _complaint(
        0.5,
        category="misuse",
        description="Ada warga yang menjual kembali beras bantuan di warung dekat pasar.",
        rt="003",
        rw="001",
    )
    _complaint(
        5,
        category="missed",
        description="Paket sembako bulan ini belum sampai ke rumah kami, padahal tetangga "
        "sudah menerima.",
        rt="002",
        rw="001",
    )


def _answered(operator: User | None, now) -> None:
    """A named complaint with a public reply."""
    answered = _complaint(
        2,
        category="service",
        description="Antrean pengambilan bantuan di balai desa sangat panjang dan tidak ada "
        "tempat duduk untuk lansia.",
        anonymous=False,
        reporter_name="Ibu Marlina",
        reporter_contact="0812 0000 1111",
        status="answered",
        first_response_at=now - timedelta(days=1),
    )
    if operator:
        _step(answered, 1.5, "triaged", operator, detail="category service; priority normal")
        _step(
            answered,
            1,
            "replied",
            operator,
            body="Terima kasih. Mulai pembagian berikutnya kami sediakan kursi dan nomor antrean.",
        )


def _closed(operator: User | None, now) -> None:
    """The closed complaint with the known code and a full history."""
    closed = _complaint(
        20,
        code=DEMO_CODE,
        category="unfair",
        description="Keluarga kami termasuk miskin tetapi tidak masuk daftar BLT Dana Desa.",
        status="closed",
        priority="high",
        assigned_to_id=operator.id if operator else None,
        first_response_at=now - timedelta(days=18),
        closed_at=now - timedelta(days=10),
        resolution="Rumah tangga Anda sudah didata ulang dan diusulkan dalam musyawarah "
        "desa berikutnya.",
    )
    if operator:
        _step(closed, 19, "triaged", operator, detail="priority normal → high")
        _step(closed, 19, "assigned", operator, detail=f"→ {operator.name}")
        _step(
            closed,
            18,
            "replied",
            operator,
            body="Kami akan mengunjungi rumah Anda untuk pendataan ulang minggu ini.",
        )
        _step(closed, 15, "note", operator, public=False, body="Kunjungan rumah selesai.")
        _step(closed, 10, "closed", operator, body=closed.resolution)


def _older(operator: User | None, now) -> None:
    """An older closed complaint."""
    older = _complaint(
        45,
        category="missed",
        description="Bantuan pangan untuk RT 5 terlambat dua minggu.",
        rt="005",
        rw="002",
        status="closed",
        first_response_at=now - timedelta(days=44),
        closed_at=now - timedelta(days=41),
        resolution="Pengiriman dari pemasok terlambat; paket sudah dibagikan.",
    )
    if operator:
        _step(older, 44, "replied", operator, body="Kami menanyakan ke pemasok.")
        _step(older, 41, "closed", operator, body=older.resolution)


def _about_staff(operator: User, admin: User | None) -> None:
    """A complaint naming the operator, routed past them to the admin."""
    routed = _complaint(
        1,
        category="unfair",
        description="Petugas meminta uang administrasi saat pengambilan bantuan.",
        named_staff_id=operator.id,
        status="in_review",
        priority="urgent",
    )
    if admin and admin.id != operator.id:
        _step(routed, 0.8, "triaged", admin, detail="priority normal → urgent")
        _step(
            routed,
            0.7,
            "note",
            admin,
            public=False,
            body="Diteruskan ke kepala desa dan BPD.",
        )
