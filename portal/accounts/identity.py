"""What accounts asks of the side that holds the village's people (the registry).

accounts sits below the registry (docs/architecture.md, "Layers"), so it never imports
it. A resident's account is matched with a registry person by code on the registry side
(portal/registry/verification.py, reclaim.py, residents.py, resident_manage.py); accounts
offers two hooks for it:

- `register_verifier`: the registry registers, at app setup, the function that checks
  a resident's proof (NIK, birth date, KK number, mother's name); the resident's page
  /akun/verifikasi calls it through `verify_resident`;
- `identity_revoked`: a blinker signal the registry sends, inside its transaction, when
  the office gives an identity back to its owner; the features that kept something
  under that identity listen and return `Note`s of what they undid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from blinker import Namespace

# verifier(user, nik, birth_date, kk_number, mother_name, *, ip) -> "verified" | "pending"
_VERIFIER: list[Callable[..., str]] = []


def register_verifier(verifier: Callable[..., str]) -> None:
    """The registry's check of a resident's proof (replaces an earlier one)."""
    _VERIFIER[:] = [verifier]


def verify_resident(
    user,
    nik: str | None,
    birth_date: date | None,
    kk_number: str | None,
    mother_name: str | None,
    *,
    ip: str | None = None,
) -> str:
    """Check the proof with the registered verifier. Commits (the verifier does).

    Returns "verified" or "pending"; raises ResidentError for what the form gets wrong.
    Without a registered verifier (an app made without the registry) nothing can be
    proven: a RuntimeError, never a silent "verified".
    """
    if not _VERIFIER:
        raise RuntimeError("no resident verifier registered (portal.registry)")
    return _VERIFIER[0](user, nik, birth_date, kk_number, mother_name, ip=ip)


_signals = Namespace()
# Sent with `revocation=Revocation(...)`, inside the reclaim's transaction. Each
# receiver returns a list of Note (possibly empty).
identity_revoked = _signals.signal("identity-revoked")


@dataclass(frozen=True)
class Revocation:
    """An account loses the registry person it was verified as."""

    user_id: int
    person_id: int
    new_user_id: int | None


@dataclass(frozen=True)
class Note:
    """What a feature did about a revoked identity: a line for the operator's page (in
    their language) and the same in English for the audit log."""

    message: object
    audit: str
