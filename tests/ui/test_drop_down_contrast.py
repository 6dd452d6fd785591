"""Drop-down lists show their selected item readably (issue 18): with the application's style sheet
the combo popups drew the selected item as grey text on white, like the others; it is now white on the
accent colour. Painted by the popup's own delegate, as the screen draws it."""

from __future__ import annotations

from collections import Counter

from acudesk.ui.qt import QApplication, QColor, QComboBox, QImage, QPainter, QRect, QStyle, QStyleOptionViewItem
from acudesk.ui.style import ACCENT, STYLE_SHEET


def _paint_item(combo: QComboBox, row: int, selected: bool) -> Counter[str]:
    view = combo.view()
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = QRect(0, 0, 220, 26)
    option.state |= QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
    if selected:
        option.state |= QStyle.StateFlag.State_Selected
    image = QImage(220, 26, QImage.Format.Format_ARGB32)
    image.fill(QColor("#777777"))
    painter = QPainter(image)
    view.itemDelegate().paint(painter, option, view.model().index(row, 0))
    painter.end()
    return Counter(image.pixelColor(x, y).name() for x in range(220) for y in range(26))


def _count(pixels: Counter[str], test) -> int:
    return sum(n for colour, n in pixels.items() if test(QColor(colour)))


def _near(colour: str, named: str) -> bool:
    a, b = QColor(colour), QColor(named)
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 8


def test_the_selected_item_of_a_drop_down_is_white_on_the_accent_colour(qtbot) -> None:
    app = QApplication.instance()
    before = app.styleSheet()
    app.setStyleSheet(STYLE_SHEET)  # as create_application does
    try:
        combo = QComboBox()
        qtbot.addWidget(combo)
        combo.addItems(["Garden Room", "River Room", "Treatment Room 3"])
        combo.show()
        combo.showPopup()
        selected = _paint_item(combo, 1, selected=True)
        assert _near(selected.most_common(1)[0][0], ACCENT)  # the style shades its highlight a little
        assert _count(selected, lambda c: c.lightness() > 200) > 20  # the item's words, in white
        plain = _paint_item(combo, 2, selected=False)  # on the list's white, which the view paints
        assert _count(plain, lambda c: c.lightness() < 60) > 20  # its words, in the dark text colour
        combo.hidePopup()
    finally:
        app.setStyleSheet(before)
