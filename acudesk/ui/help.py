"""Help → User guide (F1): the short guide in ``resources/help/guide.md``, with the pictures that
``scripts/make_guide_images.py`` draws from the app itself (``make guide-images``)."""

from __future__ import annotations

import re
from collections.abc import Callable

from acudesk.paths import resource
from acudesk.ui.appearance import install_view_menu
from acudesk.ui.qt import (
    QAction,
    QDialog,
    QHBoxLayout,
    QKeySequence,
    QListWidget,
    QMainWindow,
    QTextBrowser,
    QTextCursor,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from acudesk.ui.tables import close_button

GUIDE = "guide.md"
_HEADING = re.compile(r"^(#{1,2}) (.+)$", re.MULTILINE)


def guide_text() -> str:
    return resource("help", GUIDE).read_text(encoding="utf-8")


def guide_images(text: str) -> list[str]:
    """The pictures the guide shows, as paths under ``resources/help``, in reading order."""
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)


class GuideDialog(QDialog):
    """The guide beside its contents; a click on a heading scrolls to it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("AcuDesk user guide")
        text = guide_text()
        self.browser = QTextBrowser()
        self.browser.setObjectName("userGuide")
        self.browser.setAccessibleName("User guide")
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(resource("help"))])
        self.browser.document().setBaseUrl(QUrl.fromLocalFile(str(resource("help")) + "/"))
        self.browser.setMarkdown(text)
        self.contents = QListWidget()
        self.contents.setObjectName("guideContents")
        self.contents.setAccessibleName("Contents")
        self.contents.setMaximumWidth(240)
        self.headings = [title for level, title in _HEADING.findall(text) if len(level) == 2]
        self.contents.addItems(self.headings)
        self.contents.currentTextChanged.connect(self._go_to)
        row = QHBoxLayout()
        row.addWidget(self.contents)
        row.addWidget(self.browser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(close_button(self))
        self.resize(1000, 680)

    def _go_to(self, heading: str) -> None:
        """Scroll to the heading (searched from the top: the words may also appear in the text above)."""
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        if heading and self.browser.find(heading):
            self.browser.ensureCursorVisible()
            cursor = self.browser.textCursor()
            cursor.clearSelection()
            self.browser.setTextCursor(cursor)


def install_help(window: QMainWindow, about: Callable[[], object]) -> QAction:
    """The last menus of the main window: View (high contrast, ui/appearance.py) and Help, with the
    user guide (F1) and About (``about`` shows it)."""
    install_view_menu(window)
    guide = QAction("User guide", window, shortcut=QKeySequence(QKeySequence.StandardKey.HelpContents))
    guide.triggered.connect(lambda: GuideDialog(window).open())
    about_action = QAction("About AcuDesk", window)
    about_action.triggered.connect(about)
    menu = window.menuBar().addMenu("&Help")
    menu.addAction(guide)
    menu.addAction(about_action)
    return guide
