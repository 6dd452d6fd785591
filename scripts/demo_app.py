"""Shared start for the screenshot scripts: the real app on a throwaway demo clinic, offscreen.

    demo = DemoApp()                      # OUTDIR from the command line (default: screenshots)
    demo.when_window(lambda window: ...)  # runs once the main window lists the demo patients
    return demo.run()                     # the callbacks call demo.app.quit() when done
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from acudesk.ui.app import Startup, create_application  # noqa: E402
from acudesk.ui.qt import QTimer  # noqa: E402


class DemoApp:
    def __init__(self) -> None:
        self.out = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
        self.out.mkdir(parents=True, exist_ok=True)
        self.app = create_application()
        self.startup = Startup(self.app, argparse.Namespace(demo=True, db=None))
        self.startup.start()

    def when_window(self, callback: Callable[..., None]) -> None:
        """Call ``callback(window)`` once the main window shows the patient list."""

        def poll() -> None:
            window = self.startup.window
            if window is None or not window.patients.count.text():
                QTimer.singleShot(100, poll)
                return
            callback(window)

        QTimer.singleShot(100, poll)

    def run(self) -> int:
        code = self.app.exec()
        self.startup.shutdown()
        print(f"screenshots in {self.out}")
        return code
