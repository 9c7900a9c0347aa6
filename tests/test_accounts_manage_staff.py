"""The admin's list of accounts read in one statement (portal/accounts/manage_staff.py)
answers what the User objects and the recovery code count answered."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pyotp


def test_staff_list_reads_what_the_objects_and_the_count_gave(app, make_user):
    from portal.accounts import lifecycle, lockout, manage_staff
    from portal.accounts import second_factor as twofa
    from portal.extensions import db

    with app.test_request_context():
        enrolled = make_user("operator")
        secret = twofa.start_enrolment(enrolled)
        db.session.commit()
        assert twofa.confirm_enrolment(enrolled, pyotp.TOTP(secret).at(time.time())) is not None
        started = make_user("admin")  # a secret, not yet confirmed
        twofa.start_enrolment(started)
        db.session.commit()
        make_user("trainer").active = False
        paused = make_user("partner")
        paused.login_blocked_until = datetime.now(UTC) + timedelta(minutes=5)
        make_user("auditor").totp_locked_at = datetime.now(UTC)
        make_user("resident")
        db.session.commit()
        db.session.expire_all()

        rows, left = manage_staff.staff_list()
        users = lifecycle.managed_accounts()
        assert [r.id for r in rows] == [u.id for u in users]
        for row, user in zip(rows, users, strict=True):
            for name in ("name", "username", "email", "role", "active", "totp_enabled_at"):
                assert getattr(row, name) == getattr(user, name), name
            assert row.totp_locked_at == user.totp_locked_at
            assert row.is_staff == user.is_staff
            assert row.has_second_factor == user.has_second_factor
            assert bool(row.totp_secret) == bool(user.totp_secret)
            assert lockout.is_paused(row) == lockout.is_paused(user)
        assert left == twofa.recovery_codes_left_for(u.id for u in users if u.is_staff)
        assert left[enrolled.id] == 10
        assert any(lockout.is_paused(r) for r in rows)
        assert any(r.has_second_factor for r in rows)
        assert any(r.totp_secret and not r.has_second_factor for r in rows)
