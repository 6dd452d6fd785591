"""Save screenshots of the main screens on the demo clinic (offscreen), for review by eye.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py OUTDIR
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from acudesk.ui.app import Startup, create_application  # noqa: E402
from acudesk.ui.qt import QTimer  # noqa: E402


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = create_application()
    startup = Startup(app, argparse.Namespace(demo=True, db=None))
    startup.start()

    def when_ready() -> None:
        window = startup.window
        if window is None or not window.patients.count.text():
            QTimer.singleShot(100, when_ready)
            return
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

    QTimer.singleShot(100, when_ready)
    app.exec()
    startup.shutdown()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
