"""Status colours and words shared by the calendar, the today list and the legend."""

from __future__ import annotations

from acudesk.ui.qt import QColor, QHBoxLayout, QLabel, QWidget

# status -> (fill, border, label)
STATUS_STYLE: dict[str, tuple[str, str, str]] = {
    "booked": ("#dbe9f8", "#2b6cb0", "Booked"),
    "arrived": ("#fdf0c4", "#b7791f", "Checked in"),
    "completed": ("#d5f0dc", "#2f855a", "Completed"),
    "cancelled": ("#eceff3", "#a0a7b1", "Cancelled"),
    "no_show": ("#fbd9d9", "#c53030", "No-show"),
}
LATE_COLOUR = "#c05621"


def status_label(status: str) -> str:
    return STATUS_STYLE.get(status, ("", "", status))[2]


def fill(status: str) -> QColor:
    return QColor(STATUS_STYLE.get(status, STATUS_STYLE["booked"])[0])


def border(status: str) -> QColor:
    return QColor(STATUS_STYLE.get(status, STATUS_STYLE["booked"])[1])


class Legend(QWidget):
    """A row of coloured swatches naming each status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        for _status, (background, edge, label) in STATUS_STYLE.items():
            swatch = QLabel(label)
            swatch.setStyleSheet(
                f"background: {background}; border: 1px solid {edge}; border-left: 4px solid {edge};"
                "border-radius: 3px; padding: 2px 6px; color: #1f2933;"
            )
            layout.addWidget(swatch)
