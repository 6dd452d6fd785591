"""Session records: pre-filled from the plan, needle counts, sign and lock, amendments, adverse events."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from acudesk.domain.errors import ValidationError, ValidationErrors
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.domain.treatment_gate import TreatmentBlockedError
from acudesk.persistence.models import OutcomeMeasurement
from acudesk.services import adverse_events, intakes, patients, plans, sessions
from acudesk.services.plans import PlanDraft, PlannedPoint, PlannedTechnique
from acudesk.services.sessions import NeedleCountError

AT = datetime(2025, 3, 4, 10, tzinfo=UTC)


def answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=52, leg_radiation="none", pain_duration_weeks=30, pain_nrs=6, pain_neck=True)
    result.update(changes)
    return result


def treated_patient(database, admin) -> int:
    details = PatientDetails(family_name="Lindqvist", given_name="Tor", date_of_birth=date(1972, 9, 9))
    pid = patients.register_patient(database, admin, details).id
    intakes.save_intake(database, admin, pid, answers(), sign=True)
    plan = plans.save_plan(database, admin, pid, PlanDraft(
        "Neck pain", "", "weekly x4, fortnightly x2",
        (PlannedPoint("GB20"), PlannedPoint("GV14", "midline")),
        (PlannedTechnique("manual", {"retention_minutes": 25}),)))
    plans.activate_plan(database, admin, plan.id, expected_version=plan.version)
    return pid


def test_a_new_session_is_pre_filled_from_the_active_plan(database, admin) -> None:
    pid = treated_patient(database, admin)
    draft = sessions.new_session_draft(database, admin, pid, AT)
    assert [(p.code, p.side) for p in draft.points] == [("GB20", "bilateral"), ("GV14", "midline")]
    assert draft.needles_in == 3 and draft.retention_minutes == 25 and draft.plan_id is not None


def test_needle_mismatch_blocks_signing_and_opens_a_retained_needle_event(database, admin) -> None:
    pid = treated_patient(database, admin)
    draft = replace(sessions.new_session_draft(database, admin, pid, AT), needles_out=2, nrs_before=6)
    saved = sessions.save_session(database, admin, pid, draft)
    assert [e.kind for e in adverse_events.list_adverse_events(database, admin, pid)] == ["retained_needle"]
    with pytest.raises(NeedleCountError, match="3 in, 2 out"):
        sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    events = adverse_events.list_adverse_events(database, admin, pid)
    assert [(e.kind, e.open) for e in events] == [("retained_needle", True)]
    with pytest.raises(NeedleCountError):  # a second attempt does not open a second event
        sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    assert len(adverse_events.list_adverse_events(database, admin, pid)) == 1
    resolved = adverse_events.resolve_adverse_event(database, admin, events[0].id, "Needle found in the couch cover")
    assert not resolved.open


def test_signed_record_is_locked_and_amendments_keep_the_original(database, admin) -> None:
    pid = treated_patient(database, admin)
    draft = replace(sessions.new_session_draft(database, admin, pid, AT), needles_out=3, nrs_before=6,
                    nrs_after=4, subjective="Neck stiff in the mornings.")
    saved = sessions.save_session(database, admin, pid, draft)
    signed = sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    assert signed.signed
    with pytest.raises(ValidationError, match="signed and locked"):
        sessions.save_session(database, admin, pid, draft, session_id=saved.id)
    with pytest.raises(ValidationError, match="reason"):
        sessions.amend_session(database, admin, saved.id, draft, " ")
    corrected = replace(draft, nrs_after=3)
    amendment = sessions.amend_session(database, admin, saved.id, corrected, "After-treatment score misheard")
    assert amendment.amends_id == saved.id and amendment.signed
    history = sessions.session_history(database, admin, amendment.id)
    assert [h.draft.nrs_after for h in history] == [4, 3]
    assert history[1].amendment_reason == "After-treatment score misheard"
    listed = sessions.list_sessions(database, admin, pid)
    assert [(s.id, s.amendments) for s in listed] == [(saved.id, 1)]
    with database.read() as session:  # the amendment carries its own score; the original's no longer stands
        nrs = session.scalars(select(OutcomeMeasurement.score).where(OutcomeMeasurement.patient_id == pid)
                              .order_by(OutcomeMeasurement.id)).all()
        assert nrs == [6, 6]
    from acudesk.services import outcomes

    standing = outcomes.outcome_summary(database, admin, pid).measurements
    assert [(m.measure, m.score, m.session_id) for m in standing] == [("NRS", 6, amendment.id)]


def test_no_session_is_recorded_while_treatment_is_stopped(database, admin) -> None:
    pid = treated_patient(database, admin)
    intakes.save_intake(database, admin, pid, answers(neck_tearing_pain=True), sign=True)
    with pytest.raises(TreatmentBlockedError):
        sessions.save_session(database, admin, pid, sessions.new_session_draft(database, admin, pid, AT))


def test_adverse_event_validation(database, admin) -> None:
    pid = treated_patient(database, admin)
    with pytest.raises(ValidationErrors):
        adverse_events.record_adverse_event(database, admin, pid, "dragon bite", "mild")
    event = adverse_events.record_adverse_event(database, admin, pid, "fainting", "moderate",
                                          description="Felt faint at 10 min", action_taken="Needles out, lay flat",
                                          resolved=True)
    assert not event.open


def test_a_signed_record_changed_behind_acudesks_back_is_flagged_when_loaded(database, admin) -> None:
    from sqlalchemy import text

    pid = treated_patient(database, admin)
    draft = replace(sessions.new_session_draft(database, admin, pid, AT), needles_out=3, nrs_before=6, nrs_after=4)
    saved = sessions.save_session(database, admin, pid, draft)
    sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    assert all(s.digest_ok for s in sessions.session_history(database, admin, saved.id))
    with database.engine.begin() as connection:  # someone with file access bypasses the lock
        if database.engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE session_records DISABLE TRIGGER session_records_signed_locked"))
        else:
            connection.execute(text("DROP TRIGGER session_records_signed_locked"))
        connection.execute(text("UPDATE session_records SET nrs_after = 0 WHERE id = :id"), {"id": saved.id})
    assert not sessions.session_history(database, admin, saved.id)[0].digest_ok
