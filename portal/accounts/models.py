"""User accounts and roles."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.secret_box import SealedText
from portal.extensions import db
from portal.models_base import TimestampMixin, UTCDateTime, utcnow
from portal.roles import SECOND_FACTOR_ROLES


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('resident', 'partner', 'trainer', 'operator', 'admin', 'auditor', 'officer')",
            name="role_known",
        ),
        CheckConstraint(
            "verification_status IN ('none', 'pending', 'verified', 'rejected')",
            name="verification_status_known",
        ),
        CheckConstraint(
            "verification_status != 'verified' OR verified_at IS NOT NULL", name="verified_dated"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Staff log in with a username; residents later with a phone number or e-mail.
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="resident")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Rotated on logout and password change: every cookie that carries the old value
    # stops working, so logging out really ends the session on the server.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Second factor for staff (TOTP, RFC 6238). The secret is set when enrolment
    # starts; it counts only once a first code confirmed it (totp_enabled_at).
    # Sealed at rest (AES-SIV under TOTP_ENCRYPTION_KEY): portal/accounts/secret_box.py.
    totp_secret: Mapped[str | None] = mapped_column(SealedText())
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    # Wrong passwords in a row, and until when logging in waits after them (a pause
    # that grows with each further wrong try: portal/accounts/lockout.py).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    login_blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong second-factor codes in a row; at ten the second step is locked (only a
    # recovery code or an administrator opens it again).
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Residents: the NIK and birth date they gave to prove they live in the village.
    # `nik` is the NIK of the verified link only (unique, like person_id): a request
    # that waits for the office keeps what was typed in `claimed_nik`, which is not
    # unique, so a stranger's pending claim never blocks the real owner. The NIK is
    # never shown back in full. Proof the registry holds (portal/registry/verification.py)
    # links the account to that person and verifies it; otherwise it waits in the
    # operators' queue (verification_status "pending").
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    claimed_nik: Mapped[str | None] = mapped_column(String(16), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    verification_status: Mapped[str] = mapped_column(
        String(16), default="none", server_default="none"
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the resident last asked to be verified (the operators' queue is oldest first),
    # and the operator's reason when they refused (shown to the resident).
    verification_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_note: Mapped[str | None] = mapped_column(String(300))
    # Set when an admin carried out the resident's request to delete the account: the
    # row stays (audit entries point at it) but holds nothing personal any more.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active

    @property
    def is_staff(self) -> bool:
        """Staff and distribution officers: second factor, never remembered."""
        return self.role in SECOND_FACTOR_ROLES

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None and self.totp_enabled_at is not None

    @property
    def given_nik(self) -> str | None:
        """The NIK of the verified link, else the one a waiting request gave."""
        return self.nik or self.claimed_nik

    @property
    def is_verified(self) -> bool:
        """A resident whose NIK and birth date matched the registry (or an operator
        confirmed them)."""
        return self.verification_status == "verified"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (lost phone).

    Only a salted hash is kept; the codes are shown once, when they are made.
    """

    __tablename__ = "staff_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResetCode(db.Model):
    """A one-time code an operator hands to someone who lost their password.

    Only a salted hash is kept. It works once (used_at set by a conditional UPDATE) and
    only until expires_at; issuing a new code for the same account removes the old ones.
    """

    __tablename__ = "account_reset_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


DELETION_STATUSES = ("open", "done", "declined")


class DeletionRequest(db.Model):
    """A resident's request to delete their account, waiting for an admin.

    At most one open request per account (a partial unique index).
    """

    __tablename__ = "account_deletion_request"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done', 'declined')", name="status_known"),
        Index(
            "uq_account_deletion_request_open",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(8), default="open")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    note: Mapped[str | None] = mapped_column(String(300))
