"""Small helpers for forms: a field with an inline error line under it, the half-hour time choices, and a
time field that takes a time typed whole."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time
from typing import Any

from acudesk.ui.qt import (
    QAbstractButton,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFocusEvent,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QShowEvent,
    QSizePolicy,
    QSpinBox,
    Qt,
    QTime,
    QTimeEdit,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
)
from acudesk.ui.style import ERROR_TEXT

ERROR_STYLE = f"color: {ERROR_TEXT}; font-size: 11px;"
# The times a "from / until" choice offers (the waitlist, Find a free slot): every half hour, 07:00–20:30.
# How a date field shows and takes a date: dd/mm/yyyy, as every date is typed (acudesk/domain/dates.py).
DATE_FIELD_FORMAT = "dd/MM/yyyy"
HALF_HOURS = tuple(time(hour, minute) for hour in range(7, 21) for minute in (0, 30))


class FieldWithError(QWidget):
    """Wraps an input widget and shows a red message under it when ``set_error`` is called.

    The message goes as soon as the user changes the field (``corrected`` is emitted then): a form
    that still shows yesterday's complaint next to a corrected value reads as if it were still wrong.
    Saving validates again and marks what is still wrong."""

    corrected = Signal()

    def __init__(self, editor: QWidget) -> None:
        super().__init__()
        self.editor = editor
        for signal in _edit_signals(editor):
            signal.connect(self._edited)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        if isinstance(editor, QPlainTextEdit):
            editor.setTabChangesFocus(True)  # Tab goes on to the next field; a tab character is never wanted

    def showEvent(self, event: QShowEvent) -> None:
        """The editor is named by the label of its form row (docs/accessibility.md): the row's label is
        this wrapper's buddy, and Qt names a widget by its buddy label only when they are siblings."""
        super().showEvent(event)
        parent = self.parentWidget()
        if parent is not None and not self.editor.accessibleName():
            for label in parent.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly):
                if label.buddy() is self and label.text():
                    self.editor.setAccessibleName(label.text().replace("&", "").rstrip(":"))

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        if message and not self.editor.styleSheet():
            # A style sheet's border replaces the style's frame and its padding: the field would shrink
            # (a line edit from 26 to 18 px here, cutting its text) just when it asks to be corrected.
            self.editor.setMinimumHeight(max(self.editor.minimumHeight(), self.editor.sizeHint().height()))
        self.editor.setStyleSheet(f"border: 1px solid {ERROR_TEXT}; border-radius: 3px; padding: 0 3px;"
                                  if message else "")
        QTimer.singleShot(0, self._make_room)

    def _make_room(self) -> None:
        """A message shown (or a field's frame changed) may need more height than the window has: a
        window whose text wraps (height for width) is not grown by Qt, and its fields were squeezed
        over their messages. The window grows to what its layout needs at its width; it never shrinks."""
        window = self.window()
        layout = window.layout() if is_alive(window) else None
        if layout is None or window is self or not window.isVisible():
            return
        layout.activate()
        width = window.width()
        needed = (layout.totalHeightForWidth(width) if layout.hasHeightForWidth()
                  else layout.totalMinimumSize().height())
        if window.height() < needed:
            window.resize(width, needed)

    def has_error(self) -> bool:
        return bool(self.error.text())

    def _edited(self, *_args: object) -> None:
        if self.has_error():
            self.set_error(None)
            self.corrected.emit()


def _edit_signals(editor: QWidget) -> list[Any]:
    """The signals that say the user changed ``editor``'s value."""
    if isinstance(editor, QLineEdit):
        return [editor.textEdited]
    if isinstance(editor, QPlainTextEdit):
        return [editor.textChanged]
    if isinstance(editor, QAbstractButton):
        return [editor.toggled]
    if isinstance(editor, QComboBox):
        return [editor.currentIndexChanged, *([editor.editTextChanged] if editor.isEditable() else [])]
    if isinstance(editor, (QSpinBox, QDoubleSpinBox)):
        return [editor.valueChanged]
    if isinstance(editor, QDateEdit):
        return [editor.dateChanged]
    return []


_WHOLE_TIME = re.compile(r"^(\d{1,2})[:.h]?(\d{2})$")


class TimeField(QTimeEdit):
    """A time field that takes a time typed whole, as people type it: "1430", "14:30", "14.30", "930".

    Qt's time edit types into one section at a time: clicked on the minutes, "14:30" gave 10:30, and
    after select-all "1430" left 10:00. Here the keys typed since the field was entered are kept, and
    once they read as a whole time, that time is set; a couple of digits typed into a section ("45" on
    the minutes) still edit that section alone."""

    def __init__(self, value: QTime | None = None) -> None:
        super().__init__(value if value is not None else QTime(9, 0))
        self.setDisplayFormat("HH:mm")
        self._typed = ""

    def focusInEvent(self, event: QFocusEvent) -> None:
        self._typed = ""
        super().focusInEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self._typed = self._typed[:-1]
        elif text and (text.isdigit() or text in ":.h"):
            self._typed += text
        elif text or event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._typed = ""  # anything else: the sections are being edited one by one
        super().keyPressEvent(event)
        match = _WHOLE_TIME.match(self._typed)
        if match and len(self._typed.replace(":", "").replace(".", "").replace("h", "")) >= 3:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                self.setTime(QTime(hour, minute))


def show_read_only(editor: QWidget) -> None:
    """Restyle ``editor`` after its read-only state changed: the style sheet draws read-only text
    fields on grey, so a signed note does not look as if it could be typed into (Qt applies a
    property selector such as ``[readOnly="true"]`` only when the widget is polished again)."""
    style = editor.style()
    style.unpolish(editor)
    style.polish(editor)


SAVE, DISCARD, KEEP_EDITING = "save", "discard", "keep editing"


def ask_about_unsaved(parent: QWidget, what: str, on_answer: Callable[[str], None], *,
                      save_label: str = "Save") -> None:
    """Closing with typed, unsaved text: ask whether to save it, discard it, or go back to it, and
    call ``on_answer`` with ``SAVE``, ``DISCARD`` or ``KEEP_EDITING`` (Esc keeps editing, the safe
    answer). The question is window-modal and does not block: no nested event loop."""
    from acudesk.ui.qt import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes",
                      f"{what} has changes that are not saved yet.", parent=parent)
    box.setObjectName("unsavedQuestion")
    save = box.addButton(save_label, QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard changes", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(keep)

    def answered(_result: int) -> None:
        clicked = box.clickedButton()
        box.deleteLater()
        on_answer(SAVE if clicked is save else DISCARD if clicked is discard else KEEP_EDITING)

    box.finished.connect(answered)
    box.open()


def typed_text(*editors: QWidget) -> tuple[str, ...]:
    """What the person typed into these text fields (to compare with what they held at first)."""
    return tuple(editor.toPlainText() if isinstance(editor, QPlainTextEdit) else
                 editor.text() if isinstance(editor, QLineEdit) else "" for editor in editors)


class AsksBeforeDiscarding:
    """For a QDialog: Cancel, Esc or the close button with typed, unsaved text asks first (Save,
    Discard changes, Keep editing). The dialog calls ``remember_typed()`` once it is filled, and
    provides ``typed_now()`` (``typed_text`` of its text fields), ``save_typed()`` (what OK does) and
    ``discard_what`` (how the question names it)."""

    discard_what = "This form"
    _typed_at_first: tuple[str, ...] | None = None

    def remember_typed(self) -> None:
        self._typed_at_first = self.typed_now()

    def typed_now(self) -> tuple[str, ...]:
        raise NotImplementedError

    def save_typed(self) -> None:
        raise NotImplementedError

    def reject(self) -> None:
        dialog: Any = self
        if self._typed_at_first is not None and self.typed_now() != self._typed_at_first:
            ask_about_unsaved(dialog, self.discard_what, self._after_question)
            return
        super().reject()  # type: ignore[misc]

    def _after_question(self, answer: str) -> None:
        if answer == SAVE:
            self.save_typed()
        elif answer == DISCARD:
            self._typed_at_first = None
            super().reject()  # type: ignore[misc]
