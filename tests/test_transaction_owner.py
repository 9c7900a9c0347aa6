"""One owner per transaction: services commit or roll back, views never do."""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
VIEW_MODULES = ("views.py", "manage.py", "import_views.py", "staff_views.py", "resident_manage.py")


def _session_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
        ):
            found.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno} .{node.func.attr}()")
    return found


def test_views_never_commit_or_roll_back():
    views = [p for p in PORTAL.rglob("*.py") if p.name in VIEW_MODULES]
    assert len(views) >= 15  # the walk sees the blueprints' modules
    calls = [call for path in views for call in _session_calls(path)]
    assert calls == []
