"""The layering rule: only acudesk/ui imports Qt, and the domain imports neither Qt nor SQLAlchemy."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "acudesk"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
            if node.module.startswith("acudesk."):
                names.add(".".join(node.module.split(".")[:2]))
    return names


def _modules(*exclude: str) -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if not any(part in exclude for part in p.relative_to(PACKAGE).parts)]


@pytest.mark.parametrize("path", _modules("ui"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_ui_imports_qt(path: Path) -> None:
    assert not {"PySide6", "PyQt6", "PyQt5", "shiboken6"} & _imports(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_the_domain_is_plain_python(path: Path) -> None:
    forbidden = {"PySide6", "sqlalchemy", "alembic", "reportlab", "acudesk.persistence", "acudesk.services",
                 "acudesk.ui", "acudesk.reports"}
    assert not forbidden & _imports(path)


@pytest.mark.parametrize("path", sorted((PACKAGE / "ui").rglob("*.py")), ids=lambda p: p.name)
def test_the_ui_imports_qt_only_through_its_qt_module(path: Path) -> None:
    if path.name == "qt.py":
        return
    assert "PySide6" not in _imports(path)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 600, "split this module"


def test_ui_is_not_imported_by_the_lower_layers() -> None:
    for layer in ("domain", "persistence", "services", "reports"):
        for path in (PACKAGE / layer).rglob("*.py"):
            assert "acudesk.ui" not in _imports(path), path


TESTS = Path(__file__).resolve().parent


def _sign_in_hooks(source: str) -> list[int]:
    """Lines of the calls that pass ``sign_in=``: Startup's hook replacing the sign-in dialog."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Call) and any(keyword.arg == "sign_in" for keyword in node.keywords))


def test_the_sign_in_hook_scan_finds_the_hook() -> None:
    assert _sign_in_hooks("Startup(app, args, sign_in=default_actor)\nsuper().__init__(*a, sign_in=s)") == [1, 2]
    assert _sign_in_hooks("dialog.sign_in()\nauth.sign_in(database, 'admin', password)") == []


def test_tests_start_the_app_through_the_real_sign_in_dialog() -> None:
    """``Startup(sign_in=...)`` is for the start-up benchmark (bench/) only. A test that skips the
    dialog skips the moment between the dialog closing and the window appearing, when AcuDesk
    once quit after every sign-in while every test passed: tests sign in as people do
    (tests/ui/journey.py, ``sign_in_through_dialog``)."""
    found = [f"{path.relative_to(TESTS.parent)}:{line}" for path in sorted(TESTS.rglob("*.py"))
             for line in _sign_in_hooks(path.read_text(encoding="utf-8"))]
    assert found == [], "sign in through the dialog instead of Startup's sign_in= hook"


# Modules that may hand work to the TaskRunner themselves: the operations module, and start-up
# (opening the database, set-up, sign-in, restoring a damaged file) before anyone is signed in.
RUNNER_USERS = {"ui/operations.py", "ui/app.py", "ui/login_dialog.py", "ui/admin/restore_dialog.py"}


@pytest.mark.parametrize("path", [p for p in _modules() if p.relative_to(PACKAGE).parts[0] == "ui"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_screens_run_work_through_the_operations_module(path: Path) -> None:
    """One way to run work from a screen (ui/operations.py), so answers for closed windows are dropped
    and every write's changes are broadcast; no screen calls the worker itself."""
    if str(path.relative_to(PACKAGE)) in RUNNER_USERS:
        return
    calls = [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr == "run"
             and isinstance(node.value, ast.Attribute) and node.value.attr == "runner"]
    assert calls == [], f"{path.name} calls runner.run on lines {calls}: use context.operations"
