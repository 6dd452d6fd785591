"""A practitioner sees a tapering proposal in the outcomes tab and accepts it: the visits are re-planned."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment, SessionRecord, TreatmentPlan
from acudesk.services import appointments, calendar_data, courses, patients
from acudesk.services.courses import BookingRequest
from acudesk.ui.chart.outcomes_tab import OutcomesTab
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QMessageBox

TIMEOUT = 10_000


def _booked(context: AppContext) -> int:
    with context.database.read() as session:
        return session.scalar(select(func.count(Appointment.id)).where(Appointment.status == "booked")) or 0


def test_accepting_a_taper_proposal_replans_the_remaining_visits(qtbot, context: AppContext, monkeypatch) -> None:
    db, actor = context.database, context.actor
    patient = patients.register_patient(db, actor, PatientDetails("Brennan", "Tomas", date(1979, 5, 14))).id
    with db.write() as session:
        plan = TreatmentPlan(patient_id=patient, practitioner_id=actor.user_id, complaint="Low back pain",
                             course_pattern="", status="active", baseline_nrs=8)
        session.add(plan)
        session.flush()
        plan_id = plan.id
    booked = courses.book_course(db, actor, BookingRequest(patient, actor.user_id, 1, datetime(2027, 6, 7, 11),
                                                           "weekly x6, fortnightly x2, monthly x2", plan_id))
    with db.read() as session:
        entries = calendar_data.entries_for_ids(session, booked.appointment_ids)
    for entry, score in zip(entries[:3], [8, 6, 5], strict=True):
        appointments.complete_appointment(db, actor, entry.id, expected_version=entry.version)
        with db.write() as session:
            session.add(SessionRecord(patient_id=patient, appointment_id=entry.id, plan_id=plan_id,
                                      practitioner_id=actor.user_id, session_at=entry.start_utc, nrs_before=score,
                                      status="signed"))
    assert _booked(context) == 7

    tab = OutcomesTab(context, patient)
    qtbot.addWidget(tab)
    tab.show()  # on screen, so it reloads as soon as the re-planning is broadcast
    tab.reload()
    qtbot.waitUntil(lambda: tab.replan.isEnabled(), timeout=TIMEOUT)
    assert tab.proposal.text().startswith("Taper")
    asked: list[str] = []

    def yes(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    tab.replan.click()
    qtbot.waitUntil(lambda: _booked(context) == 4, timeout=TIMEOUT)
    assert "fortnightly x2, monthly x2" in asked[0] and "Cancelled:" in asked[0]
    qtbot.waitUntil(lambda: not tab.replan.isEnabled(), timeout=TIMEOUT)  # nothing more to propose
