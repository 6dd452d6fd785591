"""Windows fit the screen (issue 18): the main window and a chart opened from it never reach below the
screen's edge; on a screen smaller than their usual size they open maximized. The offscreen screen
(800×800) is smaller than a 1366×768 laptop's, so both must fit it."""

from __future__ import annotations

from datetime import date

from acudesk.domain.patients import PatientDetails
from acudesk.services import patients
from acudesk.ui.chart.window import PatientChartWindow
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication

TIMEOUT = 10_000


def _inside_the_screen(window) -> bool:  # type: ignore[no-untyped-def]
    available = window.screen().availableGeometry()
    return window.isMaximized() or (window.height() <= available.height() and window.width() <= available.width())


def test_a_chart_opened_from_the_main_window_fits_the_screen(qtbot, context: AppContext) -> None:
    screen = QApplication.primaryScreen().availableGeometry()
    assert screen.width() < 1366  # the offscreen screen (800×800): smaller than the usual sizes
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show_fitted()
    assert _inside_the_screen(window)
    nora = patients.register_patient(context.database, context.actor,
                                     PatientDetails("Quill", "Nora", date(1979, 5, 14)))
    window.open_chart(nora.id)
    qtbot.waitUntil(lambda: any(isinstance(w, PatientChartWindow) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=TIMEOUT)
    chart = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PatientChartWindow) and w.isVisible())
    assert chart.isMaximized() and _inside_the_screen(chart)
    chart.close()
