"""The date picker shows a month's every row (issue 18): with the application's style sheet the
calendar's table frame pushed the last row out of sight (30 November 2026 could not be picked).
Measured on the booking dialog's own date field."""

from __future__ import annotations

from acudesk.ui.calendar.course_dialog import CourseBookingDialog
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QDate, QPoint, Qt, QTableView
from acudesk.ui.style import STYLE_SHEET

TIMEOUT = 10_000


def test_the_last_row_of_the_month_fits_in_the_date_picker(qtbot, context: AppContext) -> None:
    app = QApplication.instance()
    before = app.styleSheet()
    app.setStyleSheet(STYLE_SHEET)  # as create_application does
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        window.book_course_action.trigger()
        qtbot.waitUntil(lambda: any(isinstance(w, CourseBookingDialog) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=TIMEOUT)
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CourseBookingDialog) and w.isVisible())
        dialog.date.setDate(QDate(2026, 11, 30))  # a month that needs all six rows
        calendar = dialog.date.calendarWidget()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow, timeout=TIMEOUT)
        field = dialog.date
        qtbot.mouseClick(field, Qt.MouseButton.LeftButton, pos=QPoint(field.width() - 8, field.height() // 2))
        table = calendar.findChild(QTableView)
        qtbot.waitUntil(table.isVisible, timeout=TIMEOUT)
        rows = sum(table.rowHeight(row) for row in range(table.model().rowCount()))
        assert rows <= table.viewport().height()
        calendar.window().hide()
        dialog.reject()
    finally:
        app.setStyleSheet(before)
