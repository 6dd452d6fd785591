"""What start-up imports: heavy modules that the first screen does not need stay out of it.

Each check runs in a fresh interpreter (this test process has imported everything already) and
looks at ``sys.modules``; no timings. The costs behind these rules are in docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

COMMAND_MODULES = ("course", "points", "intake", "export", "maintenance", "server")


def modules_after(script: str, tmp_path: Path) -> set[str]:
    code = textwrap.dedent(script) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path / "state"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120,
                            cwd=tmp_path)
    if result.returncode != 0:  # not an AssertionError, so the xfail below cannot hide a crash
        raise RuntimeError(result.stderr[-3000:])
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_starting_the_app_skips_the_command_modules(tmp_path: Path) -> None:
    """About 100 ms: the course command alone imports the scheduling engine and the holiday calendars."""
    loaded = modules_after(f"""
        import acudesk.ui.app as app
        app.run_gui = lambda args: 0
        from acudesk.cli import main
        assert main(["--db", {str(tmp_path / "clinic.sqlite3")!r}]) == 0
    """, tmp_path)
    assert not {f"acudesk.cli.{name}" for name in COMMAND_MODULES} & loaded
    assert "holidays" not in loaded


def test_the_main_window_does_not_load_the_pdf_engine(tmp_path: Path) -> None:
    from acudesk.services.clinic import ClinicSetup, create_clinic
    from acudesk.services.maintenance import open_database

    # First-run set-up (here, in the test process) checks the country against the holiday calendars.
    database = open_database(tmp_path / "clinic.sqlite3")
    create_clinic(database, ClinicSetup("Clinic", "GB", "Europe/London", "admin", "Admin", "long enough password"))
    database.dispose()
    loaded = modules_after(f"""
        from acudesk.services.clinic import default_actor, get_clinic
        from acudesk.services.maintenance import open_database
        from acudesk.ui.app import create_application
        from acudesk.ui.context import AppContext
        from acudesk.ui.main_window import MainWindow
        from acudesk.ui.tasks import TaskRunner

        app = create_application()
        database = open_database({str(tmp_path / "clinic.sqlite3")!r})
        actor = default_actor(database)
        runner = TaskRunner()
        window = MainWindow(AppContext(database, actor, get_clinic(database), runner, "test"))
        runner.shutdown()
    """, tmp_path)
    assert "reportlab" not in loaded
    # The calendar and today tabs are built, and their modules imported, when first opened: the
    # scheduling engine and the holiday calendars cost ~70 ms that the patient list does not need.
    assert not {"holidays", "acudesk.ui.calendar.screen", "acudesk.domain.scheduling"} & loaded
    # The Qt side takes the hanzi font's path from acudesk.paths, not from the PDF code.
    assert not {"acudesk.reports.fonts", "xml.sax.saxutils", "http.client", "urllib.request"} & loaded


def test_the_app_imports_the_data_layer_before_qt(tmp_path: Path) -> None:
    """PySide6's import hook inspects every module imported after it: SQLAlchemy and the services
    cost 130-270 ms more that way (acudesk/preload.py)."""
    loaded = modules_after(f"""
        import sys, types
        seen = {{}}
        fake = types.ModuleType("acudesk.ui.app")
        def run_gui(args):
            seen["data"] = "sqlalchemy.orm" in sys.modules and "acudesk.services.patients" in sys.modules
            seen["qt"] = any(name.startswith("PySide6") for name in sys.modules)
            return 0
        fake.run_gui = run_gui
        sys.modules["acudesk.ui.app"] = fake
        from acudesk.cli import main
        assert main(["--db", {str(tmp_path / "clinic.sqlite3")!r}]) == 0
        assert seen == {{"data": True, "qt": False}}, seen
    """, tmp_path)
    assert "acudesk.preload" in loaded


def test_the_qt_start_up_module_does_not_import_the_data_layer(tmp_path: Path) -> None:
    """ui.app imports no SQLAlchemy, models or services itself: the entry point has loaded them
    before Qt, and the start-up job uses them on the worker."""
    loaded = modules_after("""
        import acudesk.ui.app
    """, tmp_path)
    assert not {"sqlalchemy", "acudesk.persistence.models", "acudesk.services.clinic"} & loaded
