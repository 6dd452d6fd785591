"""Steps the chart tests share: answering a yes/no question as a practitioner does, and confirming a
signature in the question AcuDesk asks before signing (acudesk/ui/chart/sign_confirmation.py)."""

from __future__ import annotations

from acudesk.ui.qt import QMessageBox

TIMEOUT = 10_000


def answer(form, question_id: str, value: bool | None) -> None:
    """Click Yes, No or Not asked for a yes/no question of the intake form."""
    form.editors[question_id].buttons[value].click()


def confirm_signing(qtbot, tab, choice: str = "Sign") -> QMessageBox:
    """Wait for the tab's "Sign …?" question and choose ``choice`` ("Sign" or "Cancel"); returns the question."""
    qtbot.waitUntil(lambda: tab.confirmation is not None and tab.confirmation.isVisible(), timeout=TIMEOUT)
    box = tab.confirmation
    [button] = [b for b in box.buttons() if b.text() == choice]
    button.click()
    return box


def sign(qtbot, tab) -> QMessageBox:
    """Click the tab's Sign button and confirm."""
    tab.sign_button.click()
    return confirm_signing(qtbot, tab)
