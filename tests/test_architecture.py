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
