"""Status colours and words shared by the calendar, the today list and the legend."""

from __future__ import annotations

from acudesk.domain.scheduling.statuses import STATUS_LABELS
from acudesk.domain.scheduling.statuses import status_label as status_label
from acudesk.ui.qt import QColor, QHBoxLayout, QLabel, QWidget
from acudesk.ui.style import (
    ARRIVED_BORDER,
    ARRIVED_FILL,
    BOOKED_BORDER,
    BOOKED_FILL,
    CANCELLED_BORDER,
    CANCELLED_FILL,
    COMPLETED_BORDER,
    COMPLETED_FILL,
    NO_SHOW_BORDER,
    NO_SHOW_FILL,
    TEXT,
)

# status -> (fill, border, label); the words are the domain's (the printed day list uses them too)
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "booked": (BOOKED_FILL, BOOKED_BORDER, STATUS_LABELS["booked"]),
    "arrived": (ARRIVED_FILL, ARRIVED_BORDER, STATUS_LABELS["arrived"]),
    "completed": (COMPLETED_FILL, COMPLETED_BORDER, STATUS_LABELS["completed"]),
    "cancelled": (CANCELLED_FILL, CANCELLED_BORDER, STATUS_LABELS["cancelled"]),
    "no_show": (NO_SHOW_FILL, NO_SHOW_BORDER, STATUS_LABELS["no_show"]),
}


def fill(status: str) -> QColor:
    return QColor(STATUS_STYLE.get(status, STATUS_STYLE["booked"])[0])


def border(status: str) -> QColor:
    return QColor(STATUS_STYLE.get(status, STATUS_STYLE["booked"])[1])


class Legend(QWidget):
    """A row of coloured swatches naming each status; ``extra`` adds (fill, border, label) swatches
    for colours a screen uses besides the statuses (the Today list's late rows)."""

    def __init__(self, parent: QWidget | None = None, extra: tuple[tuple[str, str, str], ...] = ()) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.swatches: dict[str, QLabel] = {}
        for background, edge, label in (*STATUS_STYLE.values(), *extra):
            swatch = QLabel(label)
            swatch.setObjectName(f"legend-{label}")
            swatch.setProperty("fill", background)
            self.swatches[label] = swatch
            swatch.setStyleSheet(
                f"background: {background}; border: 1px solid {edge}; border-left: 4px solid {edge};"
                f"border-radius: 3px; padding: 2px 6px; color: {TEXT};"
            )
            layout.addWidget(swatch)
