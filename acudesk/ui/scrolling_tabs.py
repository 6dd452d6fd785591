"""Tabs whose pages scroll when the window is smaller than a page needs.

A chart's pages (the plan's body chart, the pain drawing's three figures) need more height than a
1366x768 laptop leaves under the header; without scrolling, the window grew past the screen's bottom
edge. Each page sits in a scroll area that shows scroll bars only when the window is smaller than the
page. Callers keep using the pages themselves: ``setCurrentWidget(page)``, ``currentWidget()``,
``widget(i)`` and ``indexOf(page)`` take and give the pages, not their scroll areas.
"""

from __future__ import annotations

from acudesk.ui.qt import QFrame, QScrollArea, Qt, QTabWidget, QWidget


class ScrollingTabs(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._area_of: dict[int, QScrollArea] = {}  # id(page) -> its scroll area
        self._page_of: dict[int, QWidget] = {}  # id(area) -> its page

    def addTab(self, page: QWidget, title: str) -> int:  # type: ignore[override]
        area = QScrollArea()
        area.setWidget(page)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop: a field Tab reaches is scrolled into view
        self._area_of[id(page)] = area
        self._page_of[id(area)] = page
        return super().addTab(area, title)

    def setCurrentWidget(self, page: QWidget) -> None:
        super().setCurrentWidget(self._area_of.get(id(page), page))

    def currentWidget(self) -> QWidget:
        shown = super().currentWidget()
        return self._page_of.get(id(shown), shown)

    def widget(self, index: int) -> QWidget | None:
        shown = super().widget(index)
        return self._page_of.get(id(shown), shown) if shown is not None else None

    def indexOf(self, page: QWidget) -> int:
        return super().indexOf(self._area_of.get(id(page), page))
