"""The hooks that replaced imports against the layers (docs/architecture.md, "Layers").

Core (portal/security.py) no longer imports accounts: accounts registers the second-factor
check with it. These tests show the check still guards every role-checked view, and that
an app without it refuses rather than lets staff in.
"""

from __future__ import annotations

import pytest

from portal.security import SECOND_FACTOR_GATE
from tests import test_lists
from tests.test_lists import _active_ids, _decide, _period

village = test_lists.village  # the programmes and a demo registry (a fixture)


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


def test_the_audit_actor_menu_needs_no_user_table(app, make_user):
    """audit sits below accounts: the filter menu names each actor from the log itself,
    once, as on their latest entry."""
    from portal.audit.services import known_values, record
    from portal.extensions import db

    ani = make_user("operator", name="Ani Operator")
    budi = make_user("auditor", name="Budi Auditor")
    record("test.one", "thing", 1, actor=ani)
    record("test.two", "thing", 2, actor=budi)
    ani.name = "Ani Rahma"
    record("test.three", "thing", 3, actor=ani)
    record("test.system", "thing", 4)  # no actor: not in the menu
    db.session.commit()
    assert known_values()["actors"] == [(ani.id, "Ani Rahma"), (budi.id, "Budi Auditor")]


def test_a_list_approval_enrols_through_the_registry_in_its_audit_shape(village, make_user):
    """lists writes no registry rows itself: the enrolments an approval makes and
    removes are audited exactly as the registry audits its own (the same facts)."""
    from sqlalchemy import select

    from portal.audit.models import AuditEntry
    from portal.extensions import db
    from portal.lists import services
    from portal.registry.models import Enrolment
    from portal.registry.services import enrolment_facts

    cash = village["cash"]
    operator, head = make_user("operator"), make_user("auditor")
    period = _period(cash, operator)
    services.propose_draft(period, actor=operator)
    _decide(period, operator)
    services.approve(period, actor=head)
    hid = sorted(_active_ids(period))[0]
    services.remove_household(period, hid, "Pindah desa", actor=operator)
    services.approve(period, actor=head)

    entries = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "enrolment",
            AuditEntry.summary == f"recipient list {period.id} approved",
        )
    ).all()
    assert {e.action for e in entries} == {"create", "delete"}
    registry_shape = set(enrolment_facts(Enrolment()))
    for entry in entries:
        facts = entry.after if entry.action == "create" else entry.before
        assert set(facts) == registry_shape
        assert facts["programme_id"] == cash.id and facts["person_id"] is None
