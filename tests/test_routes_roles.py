"""Every route is either marked public or names the roles it allows, and means it."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter, Rule

from portal.roles import ROLES
from portal.security import PUBLIC_ATTR, ROLES_ATTR


def _url_for_rule(rule: Rule) -> str:
    values = {}
    for arg in rule.arguments:
        values[arg] = 1 if isinstance(rule._converters[arg], IntegerConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, ROLES_ATTR, None)
        if roles:
            yield rule, roles


def test_every_route_is_public_or_names_roles(app):
    unmarked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, PUBLIC_ATTR, False) and not getattr(view, ROLES_ATTR, None):
            unmarked.append(rule.rule)
    assert unmarked == [], f"routes with neither @public nor @roles_required: {unmarked}"


def test_there_are_protected_routes_to_check(app):
    assert len(list(_protected_rules(app))) >= 6


def test_anonymous_users_are_sent_to_login(app, client):
    for rule, _roles in _protected_rules(app):
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url, response.status_code)
            assert "/masuk" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("role", ROLES)
def test_wrong_roles_are_refused(app, client, login_as, role):
    login_as(role)
    checked = 0
    for rule, roles in _protected_rules(app):
        if role in roles:
            continue
        url = _url_for_rule(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 403, (role, method, url, response.status_code)
            checked += 1
    if role in ("resident", "partner", "trainer"):
        assert checked > 0, "a non-staff role should be refused somewhere"


def test_allowed_roles_get_past_the_door(app, client, login_as):
    """An allowed role is not refused (the page may still 404 for a missing object)."""
    login_as("admin")
    for rule, roles in _protected_rules(app):
        if "admin" not in roles or "GET" not in rule.methods:
            continue
        response = client.get(_url_for_rule(rule))
        assert response.status_code not in (302, 401, 403), (rule.rule, response.status_code)
