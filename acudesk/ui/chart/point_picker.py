"""Type-ahead over the acupoint catalogue (code, pinyin, hanzi, English, region, indication) with a side."""

from __future__ import annotations

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.acupoints import Acupoint
from acudesk.ui.qt import (
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

SIDES = (("bilateral", "Both sides"), ("left", "Left"), ("right", "Right"), ("midline", "Midline"))


def describe(point: Acupoint) -> str:
    return f"{point.code}  {point.pinyin} {point.hanzi} — {point.english} ({point.region.replace('_', ' ')})"


class PointPicker(QWidget):
    addRequested = Signal(str, str)  # code, side
    highlighted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("pointSearch")
        self.search.setAccessibleName("Find a point")
        self.search.setPlaceholderText("Find a point: BL23, shenshu, 肾俞, kidney, lumbar, sciatica…")
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setObjectName("pointResults")
        self.results.setAccessibleName("Points found")
        self.side_group = QButtonGroup(self)
        sides = QHBoxLayout()
        self.side_buttons: dict[str, QRadioButton] = {}
        for value, label in SIDES:
            button = QRadioButton(label)
            button.setProperty("side", value)
            self.side_group.addButton(button)
            self.side_buttons[value] = button
            sides.addWidget(button)
        self.side_buttons["bilateral"].setChecked(True)
        self.add_button = QPushButton("Add point")
        sides.addStretch(1)
        sides.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addLayout(sides)
        self.search.textChanged.connect(self.refresh)
        self.search.returnPressed.connect(self.add_current)
        self.add_button.clicked.connect(self.add_current)
        self.results.itemDoubleClicked.connect(lambda _item: self.add_current())
        self.results.currentItemChanged.connect(self._current_changed)
        self.refresh("")

    def refresh(self, text: str) -> None:
        catalogue = load_catalogue()
        found = catalogue.search(text, limit=30) if text.strip() else [
            p for code in ("BL23", "BL25", "BL40", "GV3", "KI3", "GB20", "BL10", "SI3", "TE5", "GB30", "GB34", "Ashi")
            if (p := catalogue.get(code)) is not None
        ]
        self.results.clear()
        for point in found:
            item = QListWidgetItem(describe(point))
            item.setData(Qt.ItemDataRole.UserRole, point.code)
            item.setToolTip(point.location)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)

    def _current_changed(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is None:
            return
        code = item.data(Qt.ItemDataRole.UserRole)
        point = load_catalogue().get(code)
        if point is not None and not point.bilateral:
            self.side_buttons["midline" if point.chart and abs(point.chart.x - 0.5) < 1e-6 else "bilateral"].setChecked(
                True)
        self.highlighted.emit(code)

    def side(self) -> str:
        checked = self.side_group.checkedButton()
        return str(checked.property("side")) if checked else "bilateral"

    def add_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.addRequested.emit(item.data(Qt.ItemDataRole.UserRole), self.side())
