"""Demo change requests: the demo residents' households ask for a birth, a new KK
number, a new address and a change of situation (one of them waiting long enough to
be late, one refused, one accepted), a death in a household on the published recipient
list (the operator is warned), and three months of decided requests among the
neighbours, so that the public figures have months with and without hidden counts.
Made through the services (audited, messages queued), then dated back. Commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.lists.models import ListEntry
from portal.models_base import utcnow, village_today
from portal.registry.change_requests import services
from portal.registry.change_requests.models import ChangeRequest


def _residents() -> list[User]:
    """Verified residents, one per household, the demo logins (with a phone) first."""
    users = db.session.scalars(
        select(User)
        .where(User.role == "resident", User.verification_status == "verified")
        .order_by(User.phone.is_(None), User.id)
    )
    seen: set[int] = set()
    found = []
    for user in users:
        household = services.resident_household(user)
        if household is not None and household.id not in seen:
            seen.add(household.id)
            found.append(user)
    return found


def _back(item: ChangeRequest, days: float, decided_after: float | None = None) -> None:
    item.created_at = utcnow() - timedelta(days=days)
    if decided_after is not None and item.decided_at is not None:
        item.decided_at = item.created_at + timedelta(days=decided_after)


def _file(user: User, kind: str, data: dict) -> ChangeRequest:
    household = services.resident_household(user)
    return services.file_request(household, kind, data, resident=user, filed_by=user)


def _own(users: list[User], operator: User) -> None:
    first, second, third = users[0], users[1], users[2]
    late = _file(
        first,
        "birth",
        {"name": "Putri Ayu", "sex": "female", "birth_date": village_today() - timedelta(days=12)},
    )
    _back(late, 9)
    household = services.resident_household(first)
    # Lost work and a clinic out of reach: the answers the registry holds, turned over.
    turned = {c: not getattr(household, c) for c in ("bps_income", "bps_clinic")}
    situation = _file(first, "situation", turned)
    services.accept(situation.id, actor=operator)
    _back(situation, 4, 2)
    kk = _file(second, "kk_number", {"kk_number": "3201019999000001", "reason": "split"})
    services.refuse(
        kk.id,
        "Nomor KK belum ada di data Dukcapil. Mohon bawa KK baru ke kantor desa.",
        actor=operator,
    )
    _back(kk, 6, 3)
    household = services.resident_household(third)
    _file(
        third,
        "address",
        {
            "address": household.address + " (belakang masjid)",
            "rt": household.rt,
            "rw": household.rw,
        },
    )


def _listed_death(users: list[User]) -> None:
    """A death in a household on a current recipient list: the staff list warns."""
    listed = set(db.session.scalars(select(ListEntry.household_id).where(ListEntry.active)))
    for user in users[3:]:
        household = services.resident_household(user)
        if household.id not in listed:
            continue
        others = [p for p in services.living_members(household) if p.id != user.person_id]
        if others:
            _file(
                user,
                "death",
                {"person_id": others[-1].id, "date": village_today() - timedelta(days=3)},
            )
            return


def _history(users: list[User], operator: User) -> None:
    """Decided requests in the last three months: 6, 7 and 3 a month."""
    pool = iter(users[10:])
    for months_back, count in ((1, 6), (2, 7), (3, 3)):
        for n in range(count):
            user = next(pool, None)
            if user is None:
                return
            household = services.resident_household(user)
            item = _file(
                user,
                "address",
                {"address": household.address + " No. 2", "rt": household.rt, "rw": household.rw},
            )
            if n % 3:
                services.accept(item.id, actor=operator)
            else:
                services.refuse(item.id, "Alamat sudah benar di data Dukcapil.", actor=operator)
            _back(item, 30 * months_back + n, 1 + n % 4)


def seed() -> None:
    db.session.commit()
    users = _residents()
    operator = db.session.scalars(select(User).where(User.role == "operator")).first()
    if len(users) < 3 or operator is None:
        return
    _own(users, operator)
    _listed_death(users)
    _history(users, operator)
    db.session.commit()
