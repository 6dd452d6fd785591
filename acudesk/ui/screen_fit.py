"""Windows that fit the screen they open on: at their usual size, or maximized on a screen too small
for it (a 1366×768 laptop), so that a window's bottom (the main window's status bar, a chart's
buttons) is never below the screen's edge."""

from __future__ import annotations

from acudesk.ui.qt import QWidget

FRAME_ALLOWANCE = 60  # title bar and borders, which the window manager adds around a window's size


def fits(window: QWidget) -> bool:
    screen = window.screen()
    if screen is None:
        return True
    available = screen.availableGeometry()
    return (window.height() + FRAME_ALLOWANCE <= available.height()
            and window.width() + FRAME_ALLOWANCE <= available.width())


def show_fitted(window: QWidget) -> None:
    if fits(window):
        window.show()
    else:
        window.showMaximized()
