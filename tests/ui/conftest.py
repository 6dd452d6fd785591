"""UI fixtures: a real SQLite clinic, the worker, and the app context (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from acudesk.services.clinic import ClinicSetup, create_clinic, default_actor, get_clinic
from acudesk.services.maintenance import open_database
from acudesk.ui.context import AppContext
from acudesk.ui.tasks import TaskRunner


@pytest.fixture
def context(qapp, tmp_path: Path, test_setup: ClinicSetup) -> Iterator[AppContext]:
    from acudesk.ui.app import create_application

    create_application()
    database = open_database(tmp_path / "ui.sqlite3")
    create_clinic(database, test_setup)
    runner = TaskRunner()
    yield AppContext(database, default_actor(database), get_clinic(database), runner, "test clinic")
    runner.shutdown()
    database.dispose()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item):  # type: ignore[no-untyped-def]
    """What a test leaves unsaved (a plan being edited, an amendment) is given up while its windows are
    closed, as the chart asks: a question left open then (by qtbot's closing of the widgets it was
    given, or by the fixture below) would wait for an answer no one gives."""
    from acudesk.ui.qt import QMessageBox

    question = QMessageBox.question
    QMessageBox.question = staticmethod(lambda *_args, **_kwargs: QMessageBox.StandardButton.Discard)
    try:
        yield
    finally:
        QMessageBox.question = question


@pytest.fixture
def window(qtbot, context: AppContext):  # type: ignore[no-untyped-def]
    """The main window, shown, as a signed-in person sees it (a test file may define its own)."""
    from acudesk.ui.main_window import MainWindow

    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture(autouse=True)
def _delete_windows_after_each_test(qapp):
    """Close and really delete every top-level window a test leaves behind.

    Widgets left for interpreter shutdown are destroyed in arbitrary order, which crashes PySide6
    during finalisation when many tests have run; deleting them here keeps every test independent.
    """
    yield
    from acudesk.ui.qt import QApplication, QEvent

    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    import gc

    gc.collect()
