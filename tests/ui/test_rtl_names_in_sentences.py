"""A sentence that starts with a right-to-left name still reads left to right (issue 13, seen at
1366x768): "محمد العلي still has 9 visits booked…" was laid out right to left, its words and full
stop scrambled, because a paragraph takes the direction of its first strong letter. The name is
isolated (FSI … PDI), which the paragraph's direction skips (Unicode bidi rules P2, P3)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from acudesk.domain.patients import PatientDetails
from acudesk.services import courses, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication, QMessageBox, QTimer

TIMEOUT = 10_000


def paragraph_direction(text: str) -> str:
    """"L" or "R": the first strong letter outside isolates (UAX #9, P2 and P3)."""
    depth = 0
    for ch in text:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == "\u2069":
            depth = max(0, depth - 1)
        elif depth == 0 and unicodedata.bidirectional(ch) in ("L", "R", "AL"):
            return "L" if unicodedata.bidirectional(ch) == "L" else "R"
    return "L"


def test_the_archive_question_about_an_arabic_name_reads_left_to_right(qtbot, context: AppContext) -> None:
    ali = patients.register_patient(context.database, context.actor, PatientDetails(
        "العلي", "محمد", date(1984, 6, 2), consent_to_treatment=True, consent_date=date(2026, 10, 1))).id
    monday = context.today() + timedelta(days=14 - context.today().weekday())
    courses.book_course(context.database, context.actor, BookingRequest(
        ali, context.actor.user_id, 1, datetime.combine(monday, datetime.min.time()).replace(hour=10), "weekly x2"))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.patients.select_patient(ali, "العلي محمد")
    qtbot.waitUntil(lambda: window.patients.current is not None, timeout=TIMEOUT)
    asked: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box.objectName() != "archiveQuestion":
            QTimer.singleShot(20, answer)
            return
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == "Don't archive").click()

    QTimer.singleShot(20, answer)
    window.archive_action.trigger()
    qtbot.waitUntil(lambda: bool(asked), timeout=TIMEOUT)
    assert "محمد العلي" in asked[0]
    assert paragraph_direction(asked[0]) == "L"
    assert paragraph_direction("محمد العلي still has 2 visits booked.") == "R"  # what it was before
    # The window manager draws the title as it is: no bidi marks there.
    assert "\u2068" not in window.windowTitle() and "محمد العلي" in window.windowTitle()
