"""The Patients tab's pane (issue 18): visits still booked and where the screening stands, in words
each role may read. Both engines; invented patients."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from acudesk.domain import dates
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.services import auth, courses, intakes, patients
from acudesk.services.context import RECEPTIONIST, Actor
from acudesk.services.courses import BookingRequest
from acudesk.services.patient_pane import patient_pane

NOW = datetime(2027, 3, 2, 12, tzinfo=UTC)


def clear_answers(**changes: Any) -> dict[str, Any]:
    """Every required yes/no question answered "no", a 44-year-old with low back pain."""
    answers: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    answers.update(age=44, leg_radiation="none", pain_duration_weeks=20, pain_nrs=6, pain_lower_back=True)
    answers.update(changes)
    return answers


def _nora(database: Database, admin: Actor) -> int:
    return patients.register_patient(database, admin, PatientDetails(
        "Quill", "Nora", date(1979, 5, 14), consent_to_treatment=True, consent_date=date(2026, 1, 5))).id


def _desk(database: Database, admin: Actor) -> Actor:
    auth.create_user(database, admin, "desk", "Front Desk", (RECEPTIONIST,), "front desk password")
    return auth.sign_in(database, "desk", "front desk password")


def test_visits_booked_are_counted_from_now_and_the_first_few_listed(database: Database, admin: Actor) -> None:
    nora = _nora(database, admin)
    courses.book_course(database, admin, BookingRequest(nora, admin.user_id, 1, datetime(2027, 3, 1, 10),
                                                        "weekly x8"))
    pane = patient_pane(database, admin, nora, now=NOW)
    assert pane.upcoming_total == 7  # the visit of 1 March is past
    assert [e.local_start.date() for e in pane.upcoming] == [
        date(2027, 3, 8), date(2027, 3, 15), date(2027, 3, 22), date(2027, 3, 30), date(2027, 4, 5)]  # Easter Monday


def test_screening_reads_for_each_role(database: Database, admin: Actor) -> None:
    nora = _nora(database, admin)
    desk = _desk(database, admin)
    assert patient_pane(database, desk, nora).screening.words() == (
        "Not screened yet: a signed intake is needed before treatment.")
    intakes.save_intake(database, admin, nora, {"age": 44})
    assert patient_pane(database, desk, nora).screening.words().startswith("An intake was started but is not signed.")

    intakes.save_intake(database, admin, nora, clear_answers(), sign=True)
    today = patient_pane(database, admin, nora).screening.signed_on
    assert patient_pane(database, admin, nora).screening.words() == f"Screened on {dates.day(today)}: no red flags."
    assert patient_pane(database, desk, nora).screening.words() == f"Screened on {dates.day(today)}."  # no level

    intakes.save_intake(database, admin, nora, clear_answers(saddle_numbness=True), sign=True)
    for actor in (admin, desk):
        screening = patient_pane(database, actor, nora).screening
        assert screening.on_hold
        assert screening.words() == ("Treatment on hold: a red flag needs medical review. Ask the practitioner "
                                     "before booking a course.")
    assert patient_pane(database, desk, nora).screening.level is None  # the front desk never sees the level
