"""Checks a screen the way a screen-reader and keyboard user meets it (docs/accessibility.md).

``check_screen(qtbot, window)`` returns the problems found in one top-level window, as sentences:

* **Nameless controls.** Every visible, enabled control that Tab can reach must have a name, as
  Qt's accessibility interface reports it (``QAccessible.queryAccessibleInterface(w).text(Name)``)
  -- what a screen reader says. Qt names a button by its text, a field by its label when the label
  is the field's buddy (``QLabel.setBuddy``; ``QFormLayout.addRow("Label", field)`` does this), and
  anything by ``setAccessibleName``. A field in a form row whose label is not its buddy is nameless.
* **Unreachable controls.** Pressing Tab from the first control must reach every control once before
  coming back to where it started (a control that keeps Tab, such as a plain-text editor without
  ``setTabChangesFocus(True)``, traps the keyboard user and is reported too).
* **Tab order out of reading order.** The order Tab visits the controls must be their reading order:

  Reading order is worked out down the widget tree. The widgets directly inside one container that
  hold controls (a control itself, or a widget with controls inside: a group box, a splitter's pane,
  a panel) are read as *blocks*: by rows from top to bottom, and left to right within a row. A block
  belongs to the row of the block read before it when its top edge is above that block's vertical
  middle (the tolerance for a label and its field, or a short button beside a tall list); otherwise
  it starts a new row. A block's controls are read whole, in the same way, before the next block --
  so a form's left column is read top to bottom before its right column when each column is a
  widget of its own (a group box, a splitter pane), and a form laid out in one widget is read row
  by row.

Exclusive radio buttons (a ``QButtonGroup``, or auto-exclusive ones with the same parent) are one Tab
stop: Tab stops at one of them and the arrow keys move within the group, as Qt does.

Date and time editors keep Tab while it moves between their sections (day, month, year): Qt's
normal behaviour. The walk counts a control once however many presses it keeps, and reports a
trap only when a control keeps Tab for more presses than ``TRAP_PRESSES``.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication, QRadioButton, QWidget

TRAP_PRESSES = 8  # a date-time editor with its sections and an AM/PM keeps Tab for at most 6
MAX_PRESSES = 400


def is_control(widget: QWidget, window: QWidget) -> bool:
    """A widget the user can reach by Tab in ``window``: shown, enabled, taking Tab focus itself."""
    if widget.window() is not window or not widget.isVisible() or not widget.isEnabled():
        return False
    if widget.focusProxy() is not None:  # focus goes to its proxy, which is counted instead
        return False
    parent = widget.parentWidget()
    if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
        return False
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def controls(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if is_control(w, window)]


def describe(widget: QWidget) -> str:
    """How a report names a control for the developer: its class, object name, text and place."""
    bits = [type(widget).__name__]
    if widget.objectName() and not widget.objectName().startswith("qt_"):
        bits.append(f"#{widget.objectName()}")
    text = getattr(widget, "text", None)
    if callable(text) and text():
        bits.append(repr(text()))
    placeholder = getattr(widget, "placeholderText", None)
    if callable(placeholder) and placeholder():
        bits.append(f"placeholder {placeholder()!r}")
    top_left = widget.mapTo(widget.window(), QPoint(0, 0))
    bits.append(f"at ({top_left.x()}, {top_left.y()})")
    return " ".join(bits)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None:
        return ""
    return interface.text(QAccessible.Text.Name).strip()


def nameless_controls(window: QWidget) -> list[str]:
    return [f"no accessible name: {describe(w)}" for w in controls(window) if not accessible_name(w)]


# -- reading order -----------------------------------------------------------------------------------
def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def _read_in_rows(blocks: list[tuple[QRect, object]]) -> list[object]:
    """Blocks by rows (top to bottom), left to right within a row; the row rule in the module's doc."""
    blocks = sorted(blocks, key=lambda b: (b[0].top(), b[0].left()))
    rows: list[list[tuple[QRect, object]]] = []
    for block in blocks:
        if rows:
            before = rows[-1][-1][0]
            if block[0].top() < before.top() + before.height() / 2:
                rows[-1].append(block)
                continue
        rows.append([block])
    return [block[1] for row in rows for block in sorted(row, key=lambda b: b[0].left())]


def reading_order(window: QWidget) -> list[QWidget]:
    wanted = set(controls(window))

    def read(container: QWidget) -> list[QWidget]:
        blocks: list[tuple[QRect, object]] = []
        for child in container.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.isVisible() or child.window() is not window:
                continue
            inside = read(child)
            if child in wanted:
                inside = [child, *inside]  # a control's own controls (a table's editor) come after it
            if inside:
                blocks.append((_rect(child, window), inside))
        return [w for block in _read_in_rows(blocks) for w in block]  # type: ignore[union-attr]

    return read(window)


# -- the Tab walk -------------------------------------------------------------------------------------
def tab_walk(qtbot, window: QWidget, start: QWidget) -> tuple[list[QWidget], list[str]]:
    """Press Tab from ``start`` until focus comes back to a control already visited; returns the
    controls in the order Tab reached them (each once) and the traps met on the way."""
    window.activateWindow()
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start, timeout=3000)
    order: list[QWidget] = [start]
    problems: list[str] = []
    kept = 0
    for _ in range(MAX_PRESSES):
        focused = QApplication.focusWidget()
        QTest.keyClick(focused, Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is None:
            problems.append(f"Tab from {describe(focused)} left focus nowhere")
            break
        if now is focused:
            kept += 1
            if kept > TRAP_PRESSES:
                problems.append(f"Tab is trapped in {describe(now)}")
                break
            continue
        kept = 0
        if now in order:
            if now is not start:
                problems.append(f"Tab came back to {describe(now)} instead of the first control")
            break
        order.append(now)
    return order, problems


def _stop(widget: QWidget) -> object:
    """What one Tab stop is: the control, or the whole group for exclusive radio buttons (Tab stops at
    one of them, the arrow keys move within the group: Qt's behaviour)."""
    group = widget.group() if isinstance(widget, QAbstractButton) else None
    if group is not None and group.exclusive():
        return group
    if isinstance(widget, QRadioButton) and widget.autoExclusive():
        return ("radio buttons of", widget.parentWidget())  # auto-exclusive: those with the same parent
    return widget


def _stops(widgets: list[QWidget]) -> tuple[list[object], dict[object, QWidget]]:
    stops: list[object] = []
    first: dict[object, QWidget] = {}
    for widget in widgets:
        stop = _stop(widget)
        if stop not in first:
            stops.append(stop)
            first[stop] = widget
    return stops, first


def check_screen(qtbot, window: QWidget) -> list[str]:
    """Every problem of ``window`` (shown and laid out): nameless controls, unreachable controls,
    Tab order out of reading order. An empty list means the screen passes."""
    QApplication.processEvents()
    problems = nameless_controls(window)
    expected_widgets = reading_order(window)
    if not expected_widgets:
        return [*problems, f"no control in {window.windowTitle()!r}"]
    walked_widgets, traps = tab_walk(qtbot, window, expected_widgets[0])
    problems += traps
    expected, expected_first = _stops(expected_widgets)
    walked, walked_first = _stops(walked_widgets)
    problems += [f"Tab does not reach {describe(expected_first[s])}" for s in expected if s not in walked]
    problems += [f"Tab reaches something that is not a control of the window: {describe(walked_first[s])}"
                 for s in walked if s not in expected]
    reached = [s for s in walked if s in expected]
    in_reading_order = [s for s in expected if s in reached]
    if reached != in_reading_order:
        problems.append(_order_difference([walked_first[s] for s in reached],
                                          [expected_first[s] for s in in_reading_order]))
    return problems


def _order_difference(walked: list[QWidget], expected: list[QWidget]) -> str:
    for index, (got, want) in enumerate(zip(walked, expected, strict=True)):
        if got is not want:
            before = describe(walked[index - 1]) if index else "the start"
            return (f"Tab order out of reading order: after {before} Tab goes to {describe(got)}, "
                    f"reading order says {describe(want)}")
    return "Tab order out of reading order"


def report(problems: Iterable[str]) -> str:
    return "\n".join(problems)
