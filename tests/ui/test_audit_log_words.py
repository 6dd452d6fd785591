"""Administration → Audit log reads as sentences: who did what to whose record, when, in the clinic's time.

Before, the log showed table names (``session_record``), user ids and raw JSON in UTC. Patient names
are looked up as the log is shown: the audit rows themselves hold ids only.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from test_chart_refresh import answers

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import AuditEvent
from acudesk.services import auth, calendar_data, courses, intakes, patients, plans, sessions
from acudesk.services.courses import BookingRequest
from acudesk.services.plans import PlanDraft, PlannedPoint
from acudesk.ui.admin.audit_viewer import AuditViewer
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow
from acudesk.ui.qt import QApplication

TIMEOUT = 10_000
PASSWORD = "a long enough password"


def _clinic_day(context: AppContext) -> tuple[int, int]:
    """Nora Quill's session signed by Dr Mei Chen and her visit moved by Jess Brook; Jess signed in."""
    db, admin = context.database, context.actor
    auth.create_user(db, admin, "mchen", "Dr Mei Chen", ("practitioner",), PASSWORD)
    auth.create_user(db, admin, "jbrook", "Jess Brook", ("receptionist",), PASSWORD)
    pid = patients.register_patient(db, admin, PatientDetails("Quill", "Nora", datetime(1984, 2, 9).date())).id
    mei = auth.sign_in(db, "mchen", PASSWORD)
    intakes.save_intake(db, mei, pid, answers(), sign=True)
    plan = plans.save_plan(db, mei, pid, PlanDraft("Low back pain", "", "weekly x4", (PlannedPoint("BL23"),)))
    plans.activate_plan(db, mei, plan.id, expected_version=plan.version)
    draft = replace(sessions.new_session_draft(db, mei, pid, datetime.now(UTC)), nrs_before=6)
    draft = replace(draft, needles_out=draft.needles_in)
    saved = sessions.save_session(db, mei, pid, draft)
    sessions.sign_session(db, mei, saved.id, expected_version=saved.version)
    jess = auth.sign_in(db, "jbrook", PASSWORD)
    booked = courses.book_course(db, jess, BookingRequest(pid, admin.user_id, 1, datetime(2027, 1, 5, 10), "weekly x1"))
    with db.read() as tx:
        [visit] = calendar_data.entries_for_ids(tx, booked.appointment_ids)
    from acudesk.services import appointments

    appointments.move_appointment(db, jess, visit.id, datetime(2027, 1, 6, 11), expected_version=visit.version,
                                  reason="Patient asked")
    return pid, jess.user_id


def _open_audit_log(qtbot, context: AppContext) -> AuditViewer:
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    [administration] = [a for a in window.menuBar().actions() if a.text() == "&Administration"]
    [audit_log] = [a for a in administration.menu().actions() if a.text() == "Audit log…"]
    audit_log.trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, AuditViewer) and w.isVisible() for w in QApplication.topLevelWidgets()),
                    timeout=TIMEOUT)
    viewer = next(w for w in QApplication.topLevelWidgets() if isinstance(w, AuditViewer) and w.isVisible())
    qtbot.waitUntil(lambda: viewer.table.rowCount() > 0, timeout=TIMEOUT)
    return viewer


def _row_of(viewer: AuditViewer, sentence: str) -> int:
    rows = [r for r in range(viewer.table.rowCount()) if viewer.table.item(r, 2).text() == sentence]
    assert rows, f"no row reads {sentence!r}; the log reads: " + "; ".join(
        viewer.table.item(r, 2).text() for r in range(viewer.table.rowCount()))
    return rows[0]


def _local(moment: datetime) -> str:
    """The clinic's time (the test clinic is in London), written independently of the viewer's code."""
    local = moment.astimezone(ZoneInfo("Europe/London"))
    return local.strftime("%a ") + str(local.day) + local.strftime(" %b %Y %H:%M")


def test_a_signature_a_move_and_a_sign_in_read_as_sentences_with_names_and_local_times(qtbot, context) -> None:
    pid, jess_id = _clinic_day(context)
    viewer = _open_audit_log(qtbot, context)

    signed = _row_of(viewer, f"Dr Mei Chen signed the session record of Nora Quill (patient no. {pid})")
    moved = _row_of(viewer, f"Jess Brook moved a visit of Nora Quill (patient no. {pid}) "
                            "from Tue 5 Jan 2027 10:00 to Wed 6 Jan 2027 11:00")
    signed_in = _row_of(viewer, "Jess Brook signed in")
    with context.database.read() as tx:
        login_at = tx.scalar(select(AuditEvent.occurred_at).where(AuditEvent.action == "login",
                                                                  AuditEvent.user_id == jess_id))
        sign_at = tx.scalar(select(AuditEvent.occurred_at).where(AuditEvent.action == "sign",
                                                                 AuditEvent.entity == "session_record"))
    assert viewer.table.item(signed_in, 0).text() == _local(login_at)
    assert viewer.table.item(signed, 0).text() == _local(sign_at)
    assert (viewer.table.item(signed, 1).text(), viewer.table.item(moved, 1).text()) == ("Dr Mei Chen", "Jess Brook")
    shown = [viewer.table.item(r, c).text() for r in range(viewer.table.rowCount()) for c in range(3)]
    assert not any("session_record" in text or "{" in text for text in shown)

    # The detail is a click away: each field in words, no JSON.
    viewer.table.selectRow(moved)
    detail = viewer.detail.text()
    assert "Was at" in detail and "Tue 5 Jan 2027 10:00" in detail and "Patient asked" in detail
    assert "old_local_start" not in detail and "{" not in detail
    viewer.table.selectRow(signed)
    assert "Content seal" in viewer.detail.text() and f"Nora Quill (patient no. {pid})" in viewer.detail.text()


def test_the_log_filters_by_person_and_patient(qtbot, context) -> None:
    pid, jess_id = _clinic_day(context)
    other = patients.register_patient(context.database, context.actor,
                                      PatientDetails("Okafor", "Hannah", datetime(1990, 5, 1).date())).id
    viewer = _open_audit_log(qtbot, context)
    qtbot.waitUntil(lambda: viewer.person.findData(jess_id) >= 0, timeout=TIMEOUT)
    viewer.person.setCurrentIndex(viewer.person.findData(jess_id))
    viewer.reload()
    qtbot.waitUntil(lambda: all(viewer.table.item(r, 1).text() == "Jess Brook"
                                for r in range(viewer.table.rowCount())), timeout=TIMEOUT)
    assert viewer.table.rowCount() >= 3  # signed in, booked, moved
    viewer.person.setCurrentIndex(0)
    viewer.patient.setText(str(other))
    viewer.reload()
    qtbot.waitUntil(lambda: viewer.table.rowCount() == 1, timeout=TIMEOUT)
    assert viewer.table.item(0, 2).text() == f"Dr Test Admin registered Hannah Okafor (patient no. {other})"


def test_no_patient_name_is_written_into_the_audit_trail(qtbot, context) -> None:
    _clinic_day(context)
    with context.database.read() as tx:
        details = [json.dumps(d) for d in tx.scalars(select(AuditEvent.detail))]
    assert details and not any("Quill" in d or "Nora" in d for d in details)


def test_the_period_filter_counts_days_in_the_clinics_time(qtbot, context, monkeypatch) -> None:
    from acudesk.services import audit as audit_service

    last_month = datetime.now(UTC) - timedelta(days=40)
    monkeypatch.setattr(audit_service, "utcnow", lambda: last_month)
    old = patients.register_patient(context.database, context.actor,
                                    PatientDetails("Okafor", "Hannah", datetime(1990, 5, 1).date())).id
    monkeypatch.undo()
    new = patients.register_patient(context.database, context.actor,
                                    PatientDetails("Quill", "Nora", datetime(1984, 2, 9).date())).id
    viewer = _open_audit_log(qtbot, context)
    registered = lambda: {viewer.table.item(r, 2).text() for r in range(viewer.table.rowCount())  # noqa: E731
                          if "registered" in viewer.table.item(r, 2).text()}
    assert len(registered()) == 2
    for period, shown in (("Today", {new}), ("Last 30 days", {new}), ("Any time", {old, new})):
        viewer.period.setCurrentIndex(viewer.period.findText(period))
        viewer.reload()
        expected = {f"Dr Test Admin registered {name} (patient no. {pid})"
                    for pid, name in ((old, "Hannah Okafor"), (new, "Nora Quill")) if pid in shown}
        qtbot.waitUntil(lambda expected=expected: registered() == expected, timeout=TIMEOUT)
