"""Child process for the cold-start measurement: ``python bench/coldstart_child.py app|bare|python DB``.

``app`` starts AcuDesk the way ``python main.py --db DB`` does (``acudesk.cli.main``: logging, the
error hook, ``Startup`` opening the database on the worker, the main window)
and prints one JSON line when the patient list's table has painted its first rows; ``bare`` shows a
plain QWidget and prints when it has painted; ``python`` prints at once (interpreter start alone).
Times are ``time.monotonic()`` values, the same clock the parent reads, so it can place each phase.
The script is run by path, like main.py, so nothing from the bench package is imported into it.
"""

from __future__ import annotations

import inspect
import json
import sys
import time
from collections.abc import Callable
from types import ModuleType

T_MAIN = time.monotonic()


def report(**fields: object) -> None:
    """Print the report line. Peak memory is VmHWM (this process's peak resident set): on Linux
    ``getrusage().ru_maxrss`` also counts the parent's resident set from before the exec."""
    import resource

    fields["t_main"] = T_MAIN
    fields["t_report"] = time.monotonic()
    fields["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    fields["rss_mb" if line.startswith("VmRSS") else "max_rss_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def after_paint(widget, done) -> object:  # type: ignore[no-untyped-def]
    """Call ``done`` once, just after ``widget`` has handled its first paint event."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Watcher(QObject):
        fired = False

        def eventFilter(self, obj, event) -> bool:  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and not self.fired:
                self.fired = True
                QTimer.singleShot(0, done)  # runs after this paint event has been handled
            return False

    watcher = Watcher(widget)
    widget.installEventFilter(watcher)
    return watcher


def bare() -> None:
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    widget = QWidget()
    widget.resize(1280, 760)

    def done() -> None:
        report(kind="bare")
        app.exit(0)

    after_paint(widget, done)
    widget.show()
    app.exec()


class _PatchOnImport:
    """A meta-path finder that runs ``patch(module)`` right after a module first executes, so the
    timing hooks go in without importing anything earlier than the app itself would."""

    def __init__(self, patches: dict[str, Callable[[ModuleType], None]]) -> None:
        self.patches = patches

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name not in self.patches:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        loader, patch = spec.loader, self.patches.pop(name)
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            patch(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def app(db: str, query: str) -> None:
    """``acudesk.cli.main(["--db", db])`` with timing hooks on the main window and the patient list,
    put in as those modules are imported (so the app's own import order and threads are unchanged)."""
    phases: dict[str, float] = {}

    def hook_model(patient_model: ModuleType) -> None:
        original_set_query = patient_model.PatientTableModel.set_query
        original_apply = patient_model.PatientTableModel._apply_search

        def set_query(self, *a, **k):  # type: ignore[no-untyped-def]
            phases.setdefault("first_search_sent", time.monotonic())
            return original_set_query(self, *a, **k)

        def apply_search(self, *a, **k):  # type: ignore[no-untyped-def]
            original_apply(self, *a, **k)
            if "rows_in_model" in phases or self.rowCount() == 0:
                return
            from PySide6.QtWidgets import QApplication

            phases["rows_in_model"] = time.monotonic()
            window = next(w for w in QApplication.topLevelWidgets() if hasattr(w, "patients"))
            phases["window_visible"] = float(window.isVisible())
            after_paint(window.patients.table.viewport(), lambda: first_keystroke(window.patients))

        patient_model.PatientTableModel.set_query = set_query
        patient_model.PatientTableModel._apply_search = apply_search

    def first_keystroke(view) -> None:  # type: ignore[no-untyped-def]
        """The receptionist types a name as soon as the list is there: time to its rows painted."""
        phases["rows_painted"] = time.monotonic()
        view.model.modelReset.connect(lambda: after_paint(view.table.viewport(), done))
        phases["typed"] = time.monotonic()
        view.search.setText(query)

    def done() -> None:
        from PySide6.QtWidgets import QApplication

        phases["typed_rows_painted"] = time.monotonic()
        report(kind="app", phases=phases)
        QApplication.instance().exit(0)

    def hook_window(main_window: ModuleType) -> None:
        phases["window_module_imported"] = time.monotonic()
        original_init = main_window.MainWindow.__init__

        def window_init(self, *a, **k):  # type: ignore[no-untyped-def]
            phases["window_init_start"] = time.monotonic()
            original_init(self, *a, **k)
            phases["window_init_end"] = time.monotonic()

        main_window.MainWindow.__init__ = window_init

    def sign_in(database):  # type: ignore[no-untyped-def]  # on the worker, like the real sign-in
        from acudesk.services.clinic import default_actor

        return default_actor(database)

    def hook_app(app_module: ModuleType) -> None:
        phases["app_module_imported"] = time.monotonic()
        if "sign_in" not in inspect.signature(app_module.Startup).parameters:
            return

        class BenchStartup(app_module.Startup):  # type: ignore[misc,name-defined]
            """Signs in as the first administrator instead of showing the sign-in dialog."""

            def __init__(self, *a, **k) -> None:  # type: ignore[no-untyped-def]
                super().__init__(*a, sign_in=sign_in, **k)

        app_module.Startup = BenchStartup

    sys.meta_path.insert(0, _PatchOnImport({  # type: ignore[arg-type]
        "acudesk.ui.patient_model": hook_model, "acudesk.ui.main_window": hook_window, "acudesk.ui.app": hook_app,
    }))
    from acudesk.cli import main

    main(["--db", db])


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "python":
        report(kind="python")
    elif mode == "bare":
        bare()
    else:
        app(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "smith")
