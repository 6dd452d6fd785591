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


def test_every_chart_tab_fits_a_1366x768_screen_without_clipped_questions(qtbot, context: AppContext) -> None:
    """Issue 18: the chart needed 1472x816 (the pain drawing's three boxes in a row, a multiple-choice
    question's boxes in one line, the intake's side panel); wrapped intake questions overlapped the next
    row; the intake form scrolled sideways as Tab moved through it."""
    from acudesk.ui.qt import QLabel

    nora = patients.register_patient(context.database, context.actor,
                                     PatientDetails("Quill", "Nora", date(1979, 5, 14)))
    chart = PatientChartWindow(context, nora.id)
    qtbot.addWidget(chart)
    chart.resize(1366, 700)  # a maximized window on a 1366x768 laptop, under its title bar
    chart.show()
    qtbot.waitUntil(lambda: "patient no." in chart.header.text(), timeout=TIMEOUT)
    minimum = chart.minimumSizeHint()
    assert minimum.width() <= 1366 and minimum.height() <= 700, minimum
    for index in range(chart.tabs.count()):
        chart.tabs.setCurrentIndex(index)
        page = chart.tabs.widget(index)
        qtbot.waitUntil(page.isVisible, timeout=TIMEOUT)
        assert page.width() >= page.minimumSizeHint().width() - 2, chart.tabs.tabText(index)  # no sideways scroll
    chart.tabs.setCurrentWidget(chart.intake)
    form = chart.intake.form
    qtbot.waitUntil(lambda: form.width() > 300, timeout=TIMEOUT)
    viewport = form.parentWidget()
    assert form.width() <= viewport.width() + 1  # the form is as wide as its view: nothing off to the right
    clipped = [label.text() for label in form.findChildren(QLabel)
               if label.wordWrap() and label.isVisible() and label.height() < label.heightForWidth(label.width())]
    assert clipped == []

