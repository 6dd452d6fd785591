"""Typing a time into the booking and move dialogs (issue 18): "14:30" typed after clicking into the
field gave 10:30, and "1430" after select-all left the time unchanged. Through the main window."""

from __future__ import annotations

import pytest

from acudesk.ui.calendar.course_dialog import CourseBookingDialog
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QPoint, Qt, QTime

TIMEOUT = 10_000


def _booking_dialog(qtbot, context: AppContext) -> CourseBookingDialog:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.book_course_action.trigger()  # Ctrl+B
    qtbot.waitUntil(lambda: any(isinstance(w, CourseBookingDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=TIMEOUT)
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, CourseBookingDialog) and w.isVisible())


@pytest.mark.parametrize("typed, expected", [("14:30", QTime(14, 30)), ("1430", QTime(14, 30)),
                                             ("9:15", QTime(9, 15)), ("930", QTime(9, 30)), ("16.45", QTime(16, 45))])
@pytest.mark.parametrize("entered_by", ["click on the minutes", "select all", "tab"])
def test_a_time_typed_whole_is_the_time_booked(qtbot, context: AppContext, typed: str, expected: QTime,
                                                entered_by: str) -> None:
    dialog = _booking_dialog(qtbot, context)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT)
    field = dialog.time
    field.setTime(QTime(10, 0))
    if entered_by == "click on the minutes":
        qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(field.width() - 30, field.height() // 2))
    elif entered_by == "select all":
        field.setFocus()
        qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    else:  # Tab from the date: its sections take Tab first, so the focus arrives as Tab brings it
        field.setFocus(Qt.FocusReason.TabFocusReason)
        assert QApplication.focusWidget() is field
    qtbot.keyClicks(field, typed)
    assert field.time() == expected
    dialog.reject()
