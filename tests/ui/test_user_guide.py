"""Help → User guide (issue 18): F1 in the main window opens the guide; every picture it shows is in
resources/help/images and loads; its contents jump to each section; the keys it lists are the app's."""

from __future__ import annotations

import re

from acudesk.paths import resource
from acudesk.ui.context import AppContext
from acudesk.ui.help import GuideDialog, guide_images, guide_text
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QAction, QApplication, QImage, QKeySequence

TIMEOUT = 10_000


def _window(qtbot, context: AppContext) -> MainWindow:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    return window


def test_f1_opens_the_guide_with_every_picture(qtbot, context: AppContext) -> None:
    window = _window(qtbot, context)
    assert window.guide_action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert [a.text() for a in window.menuBar().actions()[-1].menu().actions()] == ["User guide", "About AcuDesk"]
    window.guide_action.trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(GuideDialog)), timeout=TIMEOUT)
    guide = next(d for d in window.findChildren(GuideDialog) if d.isVisible())
    text = guide.browser.toPlainText()
    assert "The receptionist's day" in text and "The practitioner's day" in text

    pictures = guide_images(guide_text())
    assert len(pictures) >= 8
    for picture in pictures:
        image = QImage(str(resource("help", picture)))
        assert not image.isNull(), picture  # a picture the guide shows but the repository lacks
        assert image.width() >= 600, picture
        # the browser itself finds it (relative to the guide), as it draws it
        assert guide.browser.loadResource(2, picture) not in (None, ""), picture  # 2: QTextDocument.ImageResource

    assert guide.headings == ["Starting out", "The receptionist's day", "The practitioner's day", "The administrator",
                              "Keyboard"]
    guide.contents.setCurrentRow(3)
    assert "administrator" in guide.browser.textCursor().block().text().lower()
    guide.close()


def test_the_keys_the_guide_lists_are_the_apps(qtbot, context: AppContext) -> None:
    from datetime import date

    from acudesk.domain.patients import PatientDetails
    from acudesk.services import patients
    from acudesk.ui.chart.window import PatientChartWindow

    window = _window(qtbot, context)
    nora = patients.register_patient(context.database, context.actor,
                                     PatientDetails("Quill", "Nora", date(1979, 5, 14)))
    window.open_chart(nora.id)
    qtbot.waitUntil(lambda: bool(window.findChildren(PatientChartWindow)) or bool(
        [w for w in QApplication.topLevelWidgets() if isinstance(w, PatientChartWindow)]), timeout=TIMEOUT)
    charts = [w for w in QApplication.topLevelWidgets() if isinstance(w, PatientChartWindow)]
    shortcuts = {sequence.toString() for holder in (window, *charts) for a in holder.findChildren(QAction)
                 for sequence in a.shortcuts()}
    listed = re.findall(r"^\| ((?:Ctrl\+|F)[^ |]+)", guide_text(), re.MULTILINE)
    assert listed, "the guide's keyboard table"
    for keys in listed:
        assert keys in shortcuts, keys
    for chart in charts:
        chart.close()
