"""Capabilities: the one place roles are grouped, asked by views and templates alike."""

from __future__ import annotations

import pathlib
import re

import pytest

from portal.roles import CAPABILITIES, can


class _User:
    is_authenticated = True

    def __init__(self, role):
        self.role = role


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("operator", {"edit", "read", "teach", "hand_over"}),
        ("admin", {"edit", "read", "administer", "oversee", "teach", "hand_over"}),
        ("auditor", {"read", "oversee"}),
        ("trainer", {"teach"}),
        ("resident", {"take_part"}),
        ("partner", set()),
        ("officer", {"hand_over"}),
    ],
)
def test_each_role_has_exactly_its_capabilities(role, allowed):
    assert {name for name in CAPABILITIES if can(_User(role), name)} == allowed


def test_anonymous_visitors_can_nothing_and_unknown_capabilities_are_bugs():
    class Anonymous:
        is_authenticated = False

    assert not any(can(Anonymous(), name) for name in CAPABILITIES)
    with pytest.raises(KeyError):
        can(_User("admin"), "fly")


def test_templates_ask_capabilities_not_role_names():
    staff_roles = re.compile(r"\brole (?:==|in)")
    found = [
        str(path)
        for path in pathlib.Path("templates").rglob("*.html")
        if staff_roles.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_staff_page_shows_edit_buttons_to_editors_only(app, client, login_as):
    login_as("auditor")
    page = client.get("/staf/pelatihan/?lang=en").get_data(as_text=True)
    login_as("operator")
    edit_page = client.get("/staf/pelatihan/?lang=en").get_data(as_text=True)
    assert "New course" in edit_page and "New course" not in page
