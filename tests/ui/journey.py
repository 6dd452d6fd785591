"""Journeys: tests that start AcuDesk the way ``run_gui`` does and use it the way a person does.

``Startup(create_application(), args).start()`` and then the application's own event loop
(``app.exec()``), with no hooks: the real set-up and sign-in dialogs, the real main window. A test
lists its steps; a timer in that loop (every ``POLL_MS``) runs them in order, one per tick, each
once its condition holds (waiting at most ``TIMEOUT_MS``). Steps type and click with qtbot; they
never wait inside a step (``qtbot.wait``/``waitUntil`` run event loops of their own).

Why not plain ``qtbot.waitUntil``: Qt quits the application when its last window closes only while
``app.exec()`` runs, and not while a nested event loop such as qtbot's waits runs on top of it
(measured with PySide6 6.11.3). pytest-qt tests never call ``app.exec()``, so AcuDesk quit after
every sign-in, between the dialog closing and the main window appearing, while every test passed.
A journey lets the loop run as in production, so such a quit shows: ``run()`` fails with
"AcuDesk quit (exit code 0) while the test waited for: …".
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from acudesk.ui.app import Startup, create_application
from acudesk.ui.qt import QApplication, QEvent, QPushButton, Qt, QTimer, QWidget

TIMEOUT_MS = 15_000
POLL_MS = 20
STILL_RUNNING = 4242  # the exit code a journey ends the loop with when AcuDesk did not quit by itself
_FAILED = 4343


@dataclass
class _Step:
    what: str
    ready: Callable[[], bool]
    act: Callable[[], Any] | None = None
    delay_ms: int = 0
    since: float | None = None


class Journey:
    """One start of AcuDesk: ``when``/``then``/``wait`` add steps, ``run`` runs the application loop.

    ``quit_requests`` records AcuDesk's own ``app.quit()``/``app.exit(code)`` calls (they still
    happen); ``quit_seen`` says whether the application loop was ended by anything but the journey
    (Qt's automatic quit included).
    """

    def __init__(self, qtbot, args: argparse.Namespace) -> None:
        self.qtbot = qtbot
        self.app = create_application()
        self._quit_on_last_window = QApplication.quitOnLastWindowClosed()
        QApplication.setQuitOnLastWindowClosed(True)  # Qt's default: start as a fresh process does
        self.quit_requests: list[tuple[Any, ...]] = []
        self.app.quit = self._record_quit  # before Startup connects the window's ``closed`` to it
        self.app.exit = self._record_exit
        self.app.aboutToQuit.connect(self._about_to_quit)
        self.quit_seen = False
        self._ending = False
        self._busy = False
        self._steps: list[_Step] = []
        self._index = 0
        self._error: BaseException | None = None
        self._until_quit = False
        self._done_since: float | None = None
        self._timer = QTimer()
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._shut_down = False
        self.startup = Startup(self.app, args)

    # -- steps -------------------------------------------------------------------------------------
    def when(self, what: str, ready: Callable[[], bool], act: Callable[[], Any] | None = None) -> Journey:
        """Wait until ``ready()``, then ``act()`` (an assertion failing in either fails the test)."""
        self._steps.append(_Step(what, ready, act))
        return self

    def then(self, what: str, act: Callable[[], Any]) -> Journey:
        return self.when(what, lambda: True, act)

    def wait(self, ms: int, what: str) -> Journey:
        """Let the application run for ``ms`` (the only fixed wait: "still there after a while")."""
        self._steps.append(_Step(what, lambda: True, None, delay_ms=ms))
        return self

    # -- running -----------------------------------------------------------------------------------
    def run(self, *, until_quit: bool = False) -> int:
        """Start AcuDesk, run its loop through the steps, return the loop's exit code.

        Without ``until_quit`` the journey ends the loop with ``STILL_RUNNING`` after the last step;
        with it, the application must end its loop by itself after the last step. Raises the first
        failed step, a step that timed out, or that AcuDesk quit before the steps were done.
        """
        self._until_quit = until_quit
        self.startup.start()
        self._timer.start()
        try:
            code = QApplication.exec()
        finally:
            self._timer.stop()
            # A quit Qt posted for a closed last window and left queued when the loop ended: the
            # next processEvents() would deliver it, outside any loop, and QCoreApplication.exit()
            # there makes every later event loop (qtbot's waits, in later tests) return at once.
            QApplication.removePostedEvents(self.app, QEvent.Type.Quit)
        if self._error is not None:
            raise self._error
        if self._index < len(self._steps):
            raise AssertionError(f"AcuDesk quit (exit code {code}) while the test waited for: "
                                 f"{self._steps[self._index].what}")
        return code

    def _poll(self) -> None:
        if self._busy:  # a step's action is running a loop of its own (a message box)
            return
        self._busy = True
        try:
            self._advance()
        except BaseException as error:  # reported by run(), after the loop has ended
            self._error = error
            self._end(_FAILED)
        finally:
            self._busy = False

    def _advance(self) -> None:
        now = time.monotonic()
        if self._index == len(self._steps):
            if not self._until_quit:
                self._end(STILL_RUNNING)
                return
            self._done_since = self._done_since or now
            if (now - self._done_since) * 1000 > TIMEOUT_MS:
                raise TimeoutError(f"AcuDesk did not quit within {TIMEOUT_MS} ms after the last step")
            return
        step = self._steps[self._index]
        step.since = step.since or now
        waited_ms = (now - step.since) * 1000
        if waited_ms < step.delay_ms:
            return
        if not step.ready():
            if waited_ms > TIMEOUT_MS:
                raise TimeoutError(f"waited {TIMEOUT_MS} ms for: {step.what}")
            return
        self._index += 1
        if step.act is not None:
            step.act()

    def _end(self, code: int) -> None:
        self._timer.stop()
        if not self.quit_seen:
            self._ending = True
            QApplication.exit(code)  # the class's method: not recorded as AcuDesk's request

    def _about_to_quit(self) -> None:
        if not self._ending:
            self.quit_seen = True

    def _record_quit(self) -> None:
        self.quit_requests.append(("quit",))
        QApplication.quit()

    def _record_exit(self, code: int = 0) -> None:
        self.quit_requests.append(("exit", code))
        QApplication.exit(code)

    # -- the end -----------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """What ``run_gui`` does after the loop: finish queued work (the closing backup), close the database."""
        if not self._shut_down:
            self._shut_down = True
            self.startup.shutdown()

    def close(self) -> None:
        """Teardown: close what is still open without quitting anything, shut down, undo the spies."""
        started = self.startup
        for dialog in (started.setup_dialog, started.login_dialog, started.restore_dialog):
            if dialog is not None:  # closing would reject it, and a rejected start-up dialog ends the app
                dialog.blockSignals(True)
                dialog.close()
        if started.window is not None and started.window.isVisible():
            started.window.close()
        self.shutdown()
        self.app.aboutToQuit.disconnect(self._about_to_quit)
        del self.app.quit
        del self.app.exit
        QApplication.setQuitOnLastWindowClosed(self._quit_on_last_window)


def button(parent: QWidget, text: str) -> QPushButton:
    """The visible button labelled ``text`` (mnemonic ampersands ignored), as a person finds it."""
    found = [b for b in parent.findChildren(QPushButton) if b.text().replace("&", "") == text and b.isVisible()]
    assert len(found) == 1, f"{len(found)} visible buttons labelled {text!r} in {parent.windowTitle()!r}"
    return found[0]


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def sign_in_through_dialog(journey: Journey, user: str, password: str) -> Journey:
    """Steps: the sign-in dialog appears; type the user name and password; Return; the main window appears."""
    qtbot, startup = journey.qtbot, journey.startup

    def type_and_press_return() -> None:
        dialog = startup.login_dialog
        assert dialog is not None
        qtbot.keyClicks(dialog.username, user)
        qtbot.keyClicks(dialog.password, password)
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)

    def dialog_shown() -> bool:
        return startup.login_dialog is not None and startup.login_dialog.isVisible()

    def window_shown() -> bool:
        return startup.window is not None and startup.window.isVisible()

    return (journey
            .when("the sign-in dialog", dialog_shown, type_and_press_return)
            .when("the main window after signing in", window_shown))
