"""The rules of docs/architecture.md: only acudesk/ui imports Qt, the domain imports neither Qt nor
SQLAlchemy, each layer imports only what the document's layer table lets it, services act for an Actor."""

from __future__ import annotations

import ast
import re
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


# -- the layer table of docs/architecture.md ------------------------------------------------------------
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"
LAYERS = ("domain", "persistence", "services", "reports", "ui", "cli")
TOP_LEVEL = {p.stem for p in PACKAGE.glob("*.py")} | {p.parent.name for p in PACKAGE.glob("*/__init__.py")}


def _acudesk_parts(path: Path) -> set[str]:
    """The parts of AcuDesk (``domain``, ``paths``, ``ui``, …) that ``path`` imports, lazily or not."""
    parts: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"acudesk.{alias.name}" for alias in node.names if node.module == "acudesk"]
        else:
            continue
        parts.update(m.split(".")[1] for m in modules if m.startswith("acudesk.") and m.split(".")[1] in TOP_LEVEL)
    return parts


def _may_import() -> dict[str, set[str]]:
    """Each layer's row of the table: the names in backticks in its last column."""
    rows = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `acudesk/(\w+)` \|.*\| ([^|]*) \|$", line)
        if match:
            rows[match.group(1)] = set(re.findall(r"`(\w+)`", match.group(2)))
    return rows


def test_the_layer_table_names_every_layer_and_only_parts_of_acudesk() -> None:
    table = _may_import()
    assert set(table) == set(LAYERS)
    for layer, allowed in table.items():
        assert allowed <= TOP_LEVEL - {layer}, (layer, allowed - TOP_LEVEL)


@pytest.mark.parametrize("path", [p for p in _modules() if p.relative_to(PACKAGE).parts[0] in LAYERS],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_each_layer_imports_only_what_the_table_allows(path: Path) -> None:
    """Persistence never imports services; reports import neither services nor persistence; and so on."""
    layer = path.relative_to(PACKAGE).parts[0]
    allowed = _may_import()[layer] | {layer, "paths"}
    assert _acudesk_parts(path) <= allowed, f"{layer} may not import {sorted(_acudesk_parts(path) - allowed)}"


@pytest.mark.parametrize("path", [p for p in _modules() if p.relative_to(PACKAGE).parts[0] == "ui"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_colours_are_named_in_the_style_module(path: Path) -> None:
    if path.name == "style.py":
        return
    colours = re.findall(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", path.read_text(encoding="utf-8"))
    assert colours == [], f"name {colours} in ui/style.py"


# Third-party libraries that belong to one or two layers.
OWNERS = {"reportlab": {"reports"}, "sqlalchemy": {"persistence", "services"}, "alembic": {"persistence"}}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_reportlab_sqlalchemy_and_alembic_stay_in_their_layers(path: Path) -> None:
    layer = path.relative_to(PACKAGE).parts[0]
    for library, layers in OWNERS.items():
        assert layer in layers or library not in _imports(path), f"{layer} imports {library}"


def test_only_the_cli_entry_module_imports_the_ui() -> None:
    """The CLI imports the UI for one thing: starting the GUI when no command is given."""
    importers = sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "cli").rglob("*.py")
                       if {"ui", "preload"} & _acudesk_parts(p))
    assert importers == ["cli/__init__.py"]


# Service functions that open the database but act for nobody: they run before anyone can be signed in
# (docs/architecture.md, "Who takes no Actor").
NO_ACTOR_YET = {
    "auth.sign_in",  # makes the Actor
    "sign_ins.issue",  # inside sign-in, set-up and the stand-ins: the Actor's credential
    "clinic.needs_setup", "clinic.get_clinic", "clinic.create_clinic", "clinic.idle_lock_minutes",
    "clinic.default_actor", "clinic.actor_for",  # the tests' stand-ins (the command line signs in: cli/signin.py)
    "demo.build_demo_clinic",
    "backups.changed_since",  # a check inside automatic_backup, which takes the actor
    # Audit checkpoints: written inside sign-in, backups, restore and checkpoint_now (which check or make the
    # actor); verified by 'acudesk audit verify', a start-up-style file check like check_database.
    "checkpoints.write_checkpoint", "checkpoints.write_if_due", "checkpoints.write_quietly",
    "checkpoints.verify_database",
}


def _opens_the_database(function: ast.FunctionDef) -> bool:
    arguments = function.args.posonlyargs + function.args.args + function.args.kwonlyargs
    return any(a.arg == "database" or (isinstance(a.annotation, ast.Name) and a.annotation.id == "Database")
               or (isinstance(a.annotation, ast.Constant) and a.annotation.value == "Database") for a in arguments)


def _service_functions() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted((PACKAGE / "services").rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and _opens_the_database(node):
                found.append((f"{path.stem}.{node.name}", node))
    return found


@pytest.mark.parametrize(("name", "function"), _service_functions(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_service_that_opens_the_database_takes_the_actor(name: str, function: ast.FunctionDef) -> None:
    arguments = {a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs}
    assert ("actor" in arguments) != (name in NO_ACTOR_YET), (
        f"{name}: a use case takes the acting Actor" if name not in NO_ACTOR_YET else f"{name} takes an actor now")


def test_the_actor_exceptions_still_exist() -> None:
    assert NO_ACTOR_YET <= {name for name, _function in _service_functions()}


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
