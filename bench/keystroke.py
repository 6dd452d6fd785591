"""Keystroke to rows painted, in the real patient list (``PatientListView``) on the big clinic.

The view is built on an offscreen window exactly as the main window builds it. For each query the
search box holds all but the last character (results settled), then the last key is pressed with
QTest and the clock runs until the table's viewport has handled its next paint with the new rows.
Two numbers per keystroke: the whole path, from the key press (the list searches at once when no
search is running), and the app's own work, from the search being sent to the worker to the paint.
The GUI thread waits in a Qt event loop, never in a busy loop, so the worker gets the GIL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from bench.stats import Timing


@dataclass
class Keystrokes:
    total: Timing = field(default_factory=Timing)
    work: Timing = field(default_factory=Timing)
    first_rows: Timing = field(default_factory=Timing)  # fresh view: first search sent -> rows painted
    by_text: dict[str, Timing] = field(default_factory=dict)  # app work per query typed


def measure_keystrokes(path: Path | str, texts: list[str], runs: int) -> Keystrokes:
    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
    from PySide6.QtTest import QTest

    from acudesk.services.clinic import default_actor, get_clinic
    from acudesk.ui import patient_list
    from acudesk.ui.app import create_application
    from acudesk.ui.context import AppContext
    from acudesk.ui.tasks import TaskRunner
    from bench.engines import open_clinic

    app = create_application()
    database = open_clinic(path)
    runner = TaskRunner()
    context = AppContext(database, default_actor(database), get_clinic(database), runner, str(path))
    result = Keystrokes()
    marks: dict[str, float] = {}
    loop = QEventLoop()

    class PaintWatcher(QObject):
        armed = False

        def eventFilter(self, obj, event) -> bool:  # type: ignore[no-untyped-def]
            if self.armed and event.type() == QEvent.Type.Paint:
                self.armed = False
                QTimer.singleShot(0, finished)
            return False

    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)

    def finished() -> None:
        marks["painted"] = time.perf_counter()
        guard.stop()
        loop.quit()

    def wait() -> None:
        """Run the event loop until the next search has come back and its rows have painted."""
        guard.start(5000)
        loop.exec()

    try:
        for attempt in range(runs + 1):
            view = patient_list.PatientListView(context)
            view.resize(1280, 760)
            original = view.model.set_query

            def set_query(text: str, archived: bool, original=original) -> None:  # type: ignore[no-untyped-def]
                marks["sent"] = time.perf_counter()
                original(text, archived)

            view.model.set_query = set_query  # type: ignore[method-assign]
            watcher = PaintWatcher(view)
            view.table.viewport().installEventFilter(watcher)
            view.show()
            marks.clear()
            started = time.perf_counter()
            view.model.modelReset.connect(partial(setattr, watcher, "armed", True))
            watcher.armed = False
            view._run_search()
            wait()
            if attempt:  # the first view warms the engine's statement cache
                result.first_rows.samples_ms.append((marks["painted"] - started) * 1000)
            for text in texts:
                if view.search.text() != text[:-1]:
                    view.search.setText(text[:-1])
                    wait()
                watcher.armed = False
                marks.clear()
                pressed = time.perf_counter()
                QTest.keyClick(view.search, text[-1], Qt.KeyboardModifier.NoModifier)
                wait()
                if attempt and "painted" in marks and "sent" in marks:
                    result.total.samples_ms.append((marks["painted"] - pressed) * 1000)
                    result.work.samples_ms.append((marks["painted"] - marks["sent"]) * 1000)
                    result.by_text.setdefault(text, Timing()).samples_ms.append(result.work.samples_ms[-1])
            while runner.pending:  # let the details panel's last load land before the view goes
                guard.start(5000)
                QTimer.singleShot(20, loop.quit)
                loop.exec()
            view.close()
            view.deleteLater()
        return result
    finally:
        runner.shutdown()
        database.dispose()
        app.processEvents()
