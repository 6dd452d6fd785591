"""Asking before a clinical record is signed: what is signed, and that it cannot be changed afterwards.

The question is shown without a nested event loop (``open``), like the chart's other questions, so
nothing closes the chart underneath it; ``on_confirmed`` runs only when **Sign** is chosen. Cancel is
the default button: Enter or Esc leave the record unsigned.
"""

from __future__ import annotations

from collections.abc import Callable

from acudesk.ui.qt import QMessageBox, QWidget


def ask_to_sign(parent: QWidget, title: str, what: str, afterwards: str,
                on_confirmed: Callable[[], None]) -> QMessageBox:
    """``what``: the record being signed, in words; ``afterwards``: how it is corrected once signed."""
    box = QMessageBox(QMessageBox.Icon.Question, title,
                      f"{what}\n\nOnce signed it cannot be changed afterwards; {afterwards}",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("confirmSigning")
    sign = box.addButton("Sign", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def answered(_result: int) -> None:
        if box.clickedButton() is sign:
            on_confirmed()

    box.finished.connect(answered)
    box.open()
    return box
