"""Save screenshots of the main screens on the demo clinic (offscreen), for review by eye.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py OUTDIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_app import DemoApp  # noqa: E402

from acudesk.ui.qt import QTimer  # noqa: E402


def main() -> int:
    demo = DemoApp()
    app, out = demo.app, demo.out

    def when_ready(window) -> None:  # type: ignore[no-untyped-def]
        window.resize(1366, 768)
        window.patients.table.selectRow(3)
        QTimer.singleShot(800, lambda: shoot(window))

    def shoot(window) -> None:  # type: ignore[no-untyped-def]
        window.grab().save(str(out / "main-window.png"))
        from acudesk.ui.patient_dialog import PatientDialog
        from acudesk.ui.setup_dialog import SetupDialog

        dialog = PatientDialog(window.context, window.patients.current, parent=window)
        dialog.show()
        dialog.grab().save(str(out / "patient-dialog.png"))
        dialog.close()
        setup = SetupDialog()
        setup.show()
        setup.grab().save(str(out / "setup-dialog.png"))
        window.patients.search.setText("ab")
        QTimer.singleShot(800, lambda: (window.grab().save(str(out / "search.png")), app.quit()))

    demo.when_window(when_ready)
    return demo.run()


if __name__ == "__main__":
    raise SystemExit(main())
