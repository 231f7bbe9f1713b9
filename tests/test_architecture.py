"""Dependencies point one way: core <- access <- crm <- registry <- consent <- retention <- dsar (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "access", "crm", "registry", "consent", "retention", "dsar"]


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ORDER)


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_apps_to_its_left(app):
    allowed = set(ORDER[: ORDER.index(app) + 1])
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) - allowed)
        for path in (ROOT / app).rglob("*.py")
        if imported_apps(path) - allowed
    }
    assert offenders == {}


def test_core_imports_nothing_of_access():
    # core is the plumbing access stands on: what core shows about access, access registers through core's hooks.
    offenders = sorted(
        str(path.relative_to(ROOT)) for path in (ROOT / "core").rglob("*.py") if "access" in imported_apps(path)
    )
    assert offenders == []


def test_access_control_lives_in_access():
    # Who may do what is read in one place: no sign-in, role, API-key or access-review module is left in core.
    moved = ["roles", "permissions", "apikeys", "authentication", "two_factor", "login_guard", "access_review"]
    assert [name for name in moved if (ROOT / "core" / f"{name}.py").exists()] == []
    assert all((ROOT / "access" / f"{name}.py").exists() for name in moved)
