"""Two library internals are overridden because the libraries offer no public hook; the
versions are pinned in pyproject.toml, and these tests fail if a release moves what the
overrides replace (so an upgrade cannot silently turn them into dead code)."""

from __future__ import annotations

import inspect

import flask_login.utils
from flask_login import LoginManager
from limits.storage import MemoryStorage

from portal.extensions import PortalLoginManager
from portal.limits_memory import SweepingMemoryStorage


def test_flask_login_still_has_the_steps_portal_login_manager_replaces():
    assert "_load_user" in vars(LoginManager)
    assert "_update_request_context_with_user" in vars(LoginManager)
    # Our _load_user is the one Flask-Login's current_user proxy calls.
    assert "login_manager._load_user()" in inspect.getsource(flask_login.utils._get_user)
    assert PortalLoginManager._load_user is not LoginManager._load_user


def test_limits_memory_storage_still_calls_the_method_sweeping_storage_replaces():
    assert "_MemoryStorage__schedule_expiry" in vars(MemoryStorage)
    assert "__schedule_expiry()" in inspect.getsource(MemoryStorage.incr)
    assert "_MemoryStorage__expire_events" in vars(MemoryStorage)
    replaced = SweepingMemoryStorage._MemoryStorage__schedule_expiry
    assert replaced is not MemoryStorage._MemoryStorage__schedule_expiry
