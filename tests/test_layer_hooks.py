"""The hooks that replaced imports against the layers (docs/architecture.md, "Layers").

Core (portal/security.py) no longer imports accounts: accounts registers the second-factor
check with it. These tests show the check still guards every role-checked view, and that
an app without it refuses rather than lets staff in.
"""

from __future__ import annotations

import pytest

from portal.security import SECOND_FACTOR_GATE


def test_accounts_registers_the_second_factor_gate(app):
    from portal.accounts import staff_session

    assert app.extensions[SECOND_FACTOR_GATE] is staff_session.second_factor_gate


def test_half_logged_in_staff_still_go_to_the_second_step(client, login_as):
    login_as("operator", second_factor=False)
    response = client.get("/staf/audit/")
    assert response.status_code == 302
    assert "/masuk/kode" in response.headers["Location"]


def test_staff_past_the_second_step_get_in(client, login_as):
    login_as("operator")
    assert client.get("/staf/audit/").status_code == 200


def test_without_a_gate_role_checked_views_refuse_everyone(app, client, login_as):
    login_as("operator")
    del app.extensions[SECOND_FACTOR_GATE]
    with pytest.raises(RuntimeError, match="second-factor gate"):
        client.get("/staf/audit/")
