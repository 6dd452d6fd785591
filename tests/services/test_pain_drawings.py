"""Pain drawing services on both engines: save at an intake or a session, correct without losing the
original, compare with the previous drawing, permissions and the audit trail."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from acudesk.domain import dates
from acudesk.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.pain_drawing import PainMark
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import AuditEvent, Intake, PainDrawing
from acudesk.services import intakes, pain_drawings, patients, sessions

LONDON = ZoneInfo("Europe/London")  # the test clinic's zone (tests/conftest.py)


def _clinic_day(moment: datetime) -> str:
    """The occasion's day as the clinic lives it (a session at 00:30 in London is the UTC evening before)."""
    return dates.day(moment.astimezone(LONDON))


SESSION_AT = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)  # after the intake, recorded now


def _answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=51, leg_radiation="none", pain_duration_weeks=40, pain_nrs=7, pain_lower_back=True)
    result.update(changes)
    return result


def _patient_with_intake_and_session(database, admin) -> tuple[int, int, int]:
    details = PatientDetails(family_name="Okonkwo", given_name="Adaeze", date_of_birth=date(1975, 6, 9))
    pid = patients.register_patient(database, admin, details).id
    intake = intakes.save_intake(database, admin, pid, _answers(), sign=True)
    draft = sessions.new_session_draft(database, admin, pid, SESSION_AT)
    session = sessions.save_session(database, admin, pid, replace(draft, nrs_before=6))
    return pid, intake.id, session.id


AT_INTAKE = [PainMark("back.low_back.right", "ache", 6), PainMark("back.thigh.right", "ache", 4)]
AT_SESSION = [PainMark("back.low_back.right", "ache", 5), PainMark("back.lower_leg.right", "burning", 6),
              PainMark("back.foot.right", "pins_and_needles", 3)]


def test_drawings_at_intake_and_session_are_compared_latest_with_previous(database, admin) -> None:
    pid, intake_id, session_id = _patient_with_intake_and_session(database, admin)
    # Saved out of order: the session's drawing first. The order follows the occasions.
    later = pain_drawings.save_drawing(database, admin, pid, AT_SESSION, session_id=session_id,
                                       note="worse after gardening")
    first = pain_drawings.save_drawing(database, admin, pid,
                                       [{"region": m.region, "kind": m.kind, "intensity": m.intensity}
                                        for m in AT_INTAKE], intake_id=intake_id)
    found = pain_drawings.history(database, admin, pid)
    assert [d.id for d in found.drawings] == [first.id, later.id]
    assert found.latest.occasion.label == f"Session, {_clinic_day(SESSION_AT)}"
    assert found.previous.occasion.intake_id == intake_id
    assert found.latest.note == "worse after gardening" and found.latest.recorded_by
    comparison = found.comparison
    assert [n.rule for n in comparison.notes] == ["now_below_knee", "new_numbness"]
    assert comparison.line() == ("Pain area: 5.5 % → 6.25 %; spread: into the right thigh; low back → "
                                 "below the right knee; low back")
    labels = [o.label for o in pain_drawings.occasions(database, admin, pid)]
    assert labels == [f"Session, {_clinic_day(SESSION_AT)}", f"Intake, {_clinic_day(found.previous.occasion.at)}"]


def test_a_correction_replaces_the_drawing_in_the_history_but_keeps_the_original(database, admin) -> None:
    pid, intake_id, _ = _patient_with_intake_and_session(database, admin)
    wrong = pain_drawings.save_drawing(database, admin, pid, [PainMark("back.thigh.left", "ache", 4)],
                                       intake_id=intake_id)
    with pytest.raises(ValidationError, match="why"):
        pain_drawings.save_drawing(database, admin, pid, AT_INTAKE, intake_id=intake_id, supersedes_id=wrong.id)
    fixed = pain_drawings.save_drawing(database, admin, pid, AT_INTAKE, intake_id=intake_id, supersedes_id=wrong.id,
                                       correction_reason="left and right swapped")
    with pytest.raises(ValidationError, match="already been corrected"):
        pain_drawings.save_drawing(database, admin, pid, AT_INTAKE, intake_id=intake_id, supersedes_id=wrong.id,
                                   correction_reason="again")
    found = pain_drawings.history(database, admin, pid)
    assert [d.id for d in found.drawings] == [fixed.id] and found.comparison.before is None
    with database.read() as tx:
        assert tx.get(PainDrawing, wrong.id).marks == [{"region": "back.thigh.left", "kind": "ache", "intensity": 4}]
        events = tx.scalars(select(AuditEvent).where(AuditEvent.entity == "pain_drawing")
                            .order_by(AuditEvent.id)).all()
        assert [(e.action, e.entity_id) for e in events] == [("create", wrong.id), ("correct", fixed.id)]


def test_the_database_refuses_to_change_or_delete_a_drawing(database, admin) -> None:
    pid, intake_id, _ = _patient_with_intake_and_session(database, admin)
    saved = pain_drawings.save_drawing(database, admin, pid, AT_INTAKE, intake_id=intake_id)
    for sql in ("UPDATE pain_drawings SET note = 'x' WHERE id = :id", "DELETE FROM pain_drawings WHERE id = :id"):
        with pytest.raises(DBAPIError, match="never changed or deleted"), database.engine.begin() as connection:
            connection.execute(text(sql), {"id": saved.id})
    assert pain_drawings.history(database, admin, pid).latest.marks == tuple(sorted(AT_INTAKE))


def test_a_drawing_belongs_to_one_intake_or_session_of_the_same_patient(database, admin) -> None:
    pid, intake_id, session_id = _patient_with_intake_and_session(database, admin)
    other = patients.register_patient(database, admin, PatientDetails("Brandt", "Lena", date(1990, 2, 2))).id
    with pytest.raises(ValidationError, match="intake or the session"):
        pain_drawings.save_drawing(database, admin, pid, AT_INTAKE)
    with pytest.raises(ValidationError, match="intake or the session"):
        pain_drawings.save_drawing(database, admin, pid, AT_INTAKE, intake_id=intake_id, session_id=session_id)
    with pytest.raises(NotFoundError, match="not this patient's"):
        pain_drawings.save_drawing(database, admin, other, AT_INTAKE, intake_id=intake_id)
    with pytest.raises(ValidationError) as bad:
        pain_drawings.save_drawing(database, admin, pid, [{"region": "back.neck", "kind": "ache",
                                                           "intensity": float("nan")}], intake_id=intake_id)
    assert bad.value.field == "intensity"
    assert pain_drawings.history(database, admin, pid).drawings == ()


def test_a_receptionist_can_neither_draw_nor_read_drawings(database, admin, sign_in_as) -> None:
    pid, intake_id, _ = _patient_with_intake_and_session(database, admin)
    receptionist = sign_in_as("receptionist")
    with pytest.raises(PermissionDeniedError):
        pain_drawings.save_drawing(database, receptionist, pid, AT_INTAKE, intake_id=intake_id)
    with pytest.raises(PermissionDeniedError):
        pain_drawings.history(database, receptionist, pid)
    practitioner = sign_in_as("practitioner")
    saved = pain_drawings.save_drawing(database, practitioner, pid, AT_INTAKE, intake_id=intake_id)
    assert pain_drawings.history(database, practitioner, pid).latest.id == saved.id


def test_the_history_reads_a_fixed_number_of_queries_however_many_drawings(database, admin) -> None:
    from sqlalchemy import event

    pid, intake_id, session_id = _patient_with_intake_and_session(database, admin)

    def queries() -> int:
        statements: list[str] = []

        def count(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        event.listen(database.engine, "before_cursor_execute", count)
        try:
            pain_drawings.history(database, admin, pid)
        finally:
            event.remove(database.engine, "before_cursor_execute", count)
        return len(statements)

    pain_drawings.save_drawing(database, admin, pid, AT_INTAKE, intake_id=intake_id)
    with_one = queries()
    for _ in range(4):
        pain_drawings.save_drawing(database, admin, pid, AT_SESSION, session_id=session_id)
    assert queries() == with_one


def test_the_demo_clinic_draws_each_patients_pain_and_its_easing(empty_database) -> None:
    from datetime import date as day

    from acudesk.services.demo import build_demo_clinic

    actor = build_demo_clinic(empty_database, patients=12, today=day(2026, 11, 23))
    with empty_database.read() as tx:
        patient_ids = sorted(set(tx.scalars(select(PainDrawing.patient_id)).all()))
        with_intake = sorted(set(tx.scalars(select(Intake.patient_id)).all()))
        at_intakes = tx.scalars(select(PainDrawing.intake_id).where(PainDrawing.intake_id.is_not(None))).all()
    assert patient_ids == with_intake and len(at_intakes) == len(with_intake) == 11  # one at every intake
    histories = [pain_drawings.history(empty_database, actor, pid) for pid in patient_ids]
    followed = [h for h in histories if len(h.drawings) == 2]
    assert followed, "some demo patients reach the fourth visit and are drawn again"
    for found in followed:
        assert found.comparison.after.area < found.comparison.before.area
        assert all(n.rule not in ("now_below_knee", "both_legs") for n in found.comparison.notes)
    sciatica = [h for h in histories if "below the left knee" in h.drawings[0].measures.line()]
    assert sciatica, "the sciatica patients' first drawing reaches below the left knee"
