"""The benchmark scripts import the portal inside their functions, so a module moved or
renamed in portal/ breaks them only when someone runs them (bench/training.py and three
others once imported `portal.demo` long after it had moved to `portal.devdata`). This
resolves every `from portal... import ...` in bench/ without running anything."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _portal_imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "portal":
            for alias in node.names:
                yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "portal":
                    yield alias.name, None


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_every_portal_import_of_a_benchmark_resolves(script):
    missing = []
    for module_name, name in _portal_imports(BENCH / script):
        module = importlib.import_module(module_name)
        if name is None or hasattr(module, name):
            continue
        try:
            importlib.import_module(f"{module_name}.{name}")
        except ModuleNotFoundError:
            missing.append(f"from {module_name} import {name}")
    assert missing == [], f"{script}: {missing}"
