"""The order of layers (docs/architecture.md, "Layers"), checked on every module.

Every module under portal/ is parsed with `ast`; every import counts, at module level,
inside functions and under `if TYPE_CHECKING:`, `import x` and `from x import y`, with
relative imports resolved. A module may import its own package, any lower layer and,
between two feature packages, only the other one's `services`, `queries` or `hooks`
module, and never both ways. Anything else fails here, unless ALLOWED names the exact arrow with
its reason (the goal is an empty list; an entry that no longer occurs fails too, so the
list only shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"

CORE, AUDIT, ACCOUNTS, NOTIFY, BASE, FEATURES, APP = range(7)
LAYER_NAMES = {
    CORE: "core",
    AUDIT: "audit",
    ACCOUNTS: "accounts",
    NOTIFY: "notify",
    BASE: "registry/programmes",
    FEATURES: "features",
    APP: "app factory",
}

# Packages (portal.<name>) by layer. A module directly under portal/ is core unless it
# is named in APP_MODULES. A package missing here fails the test: place it first.
PACKAGES = {
    "audit": AUDIT,
    "accounts": ACCOUNTS,
    "notify": NOTIFY,
    "registry": BASE,
    "programmes": BASE,
    "lists": FEATURES,
    "participation": FEATURES,
    "training": FEATURES,
    "csr": FEATURES,
    "complaints": FEATURES,
    "public": FEATURES,
    "distribution": FEATURES,
    "monitoring": FEATURES,
    "procurement": FEATURES,
    "devdata": APP,
}
APP_MODULES = {"portal", "portal.cli", "portal.models"}
# What one feature may import of another: its services, a read-only query module, or
# the hooks it offers (where two features need each other, one registers with the other).
FEATURE_INTERFACE = {"services", "queries", "hooks"}

# (importer, imported): reason. Modules, as dotted names. Empty: resident verification,
# the last exception, moved to the registry side (issue 12). Keep it empty; an entry
# added here needs its reason, and one that no longer occurs fails below.
ALLOWED: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PORTAL.rglob("*.py"):
        parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path):
    """(imported module, line) for every import of a portal module in this file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                # `from portal.x import y` names the module portal.x.y when there is one.
                yield (sub if sub in MODULES else target), node.lineno


def _unit(module: str) -> str:
    """The package a module belongs to ("portal.csr"), or the core module itself."""
    parts = module.split(".")
    if module in APP_MODULES or len(parts) == 1:
        return module
    return ".".join(parts[:2])


def _layer(module: str) -> int:
    parts = module.split(".")
    if module in APP_MODULES:
        return APP
    if (PORTAL / parts[1]).is_dir():
        if parts[1] not in PACKAGES:
            pytest.fail(f"{module}: the package portal.{parts[1]} has no layer in PACKAGES")
        return PACKAGES[parts[1]]
    return CORE


def _arrows() -> list[tuple[str, str, int]]:
    arrows = set()
    for name, path in MODULES.items():
        for target, line in _imports(name, path):
            if target == "portal" or target.startswith("portal."):
                if target not in MODULES:
                    pytest.fail(f"{name}:{line} imports {target}, which is not a module")
                if _unit(target) != _unit(name):
                    arrows.add((name, target, line))
    return sorted(arrows)


ARROWS = _arrows()


def _against_the_order(importer: str, imported: str) -> str | None:
    """Why this import breaks the order, or None when it keeps it."""
    low, high = _layer(imported), _layer(importer)
    if low > high:
        return f"{LAYER_NAMES[high]} imports {LAYER_NAMES[low]}, a higher layer"
    if low == high and high == CORE:
        return None
    interface = imported.count(".") == 2 and imported.split(".")[-1] in FEATURE_INTERFACE
    if low == high == FEATURES and not interface:
        return "a feature reaches past another feature's services/queries"
    return None


def test_every_import_keeps_the_order():
    wrong = []
    for importer, imported, line in ARROWS:
        reason = _against_the_order(importer, imported)
        if reason and (importer, imported) not in ALLOWED:
            wrong.append(
                f"{MODULES[importer].relative_to(PORTAL.parent)}:{line} {imported}: {reason}"
            )
    assert not wrong, "imports against the layers (docs/architecture.md):\n" + "\n".join(wrong)


def test_no_two_packages_import_each_other():
    pairs = {(_unit(a), _unit(b)) for a, b, _ in ARROWS if (a, b) not in ALLOWED}
    both = sorted(f"{a} <-> {b}" for a, b in pairs if (b, a) in pairs and a < b)
    assert not both, "packages importing each other both ways:\n" + "\n".join(both)


def test_the_allowed_arrows_still_exist():
    """An exception that was fixed leaves the list (so the list only shrinks)."""
    present = {(a, b) for a, b, _ in ARROWS}
    stale = [f"{a} -> {b}" for a, b in ALLOWED if (a, b) not in present]
    assert not stale, "remove from ALLOWED (no longer imported):\n" + "\n".join(stale)
    assert all(reason.strip() for reason in ALLOWED.values())


def test_the_checker_sees_every_kind_of_import(tmp_path):
    """Imports inside functions and relative imports count, and `from x import mod` names
    the module; guards the parser the other tests rely on."""
    found = dict(_imports("portal.security", PORTAL / "security.py"))
    assert found, "security.py imports something from portal"
    source = (
        "from . import services\n"
        "from .models import Need\n"
        "import portal.htmx\n"
        "def f():\n"
        "    from portal.lists import services as s\n"
    )
    fake = tmp_path / "x.py"
    fake.write_text(source)
    targets = {t for t, _ in _imports("portal.csr.x", fake)}
    assert targets == {
        "portal.csr.services",
        "portal.csr.models",
        "portal.htmx",
        "portal.lists.services",
    }
    assert _against_the_order("portal.audit.services", "portal.accounts.models")
    assert _against_the_order("portal.csr.views", "portal.lists.models")
    assert not _against_the_order("portal.csr.views", "portal.lists.services")
    assert not _against_the_order("portal.lists.services", "portal.registry.models")
    assert _against_the_order("portal.errors", "portal.public.views")
    # The notify service sits between accounts and the registry: features use it, it
    # uses none of them (they register with its hooks).
    assert _against_the_order("portal.notify.outbox", "portal.training.models")
    assert _against_the_order("portal.notify.services", "portal.registry.models")
    assert not _against_the_order("portal.training.notices", "portal.notify.hooks")
    assert not _against_the_order("portal.notify.outbox", "portal.accounts.notices")
