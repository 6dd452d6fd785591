"""Treatment plans: validation, live safety check with overrides, templates, repeat last, activation gate."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from acudesk.domain.errors import ValidationErrors
from acudesk.domain.flag_clearance import ClearanceDraft
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.domain.treatment_gate import TreatmentBlockedError
from acudesk.persistence.models import AuditEvent, CoursePhase
from acudesk.services import flag_clearances, intakes, patients, plans
from acudesk.services.plans import PlanDraft, PlannedPoint, PlannedTechnique

CLINIC_ZONE = ZoneInfo("Europe/London")  # the test clinic's zone: a clearance is dated in it


def answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=34, leg_radiation="none", pain_duration_weeks=20, pain_nrs=7, pain_lower_back=True)
    result.update(changes)
    return result


def patient(database, admin, **intake) -> int:
    details = PatientDetails(family_name="Okonkwo", given_name="Ada", date_of_birth=date(1990, 6, 1), sex="female")
    pid = patients.register_patient(database, admin, details).id
    intakes.save_intake(database, admin, pid, answers(**intake), sign=True)
    return pid


LOW_BACK = PlanDraft(
    "Chronic low back pain", "NRS 3 or less", "weekly x4, fortnightly x2",
    (PlannedPoint("bl23"), PlannedPoint("GV3", "midline")),
    (PlannedTechnique("manual", {"retention_minutes": 20}),),
)


def test_a_plan_is_saved_with_phases_baseline_and_catalogue_codes(database, admin) -> None:
    pid = patient(database, admin)
    plan = plans.save_plan(database, admin, pid, LOW_BACK)
    assert plan.status == "draft" and plan.draft.baseline_nrs == 7
    assert [p.code for p in plan.draft.points] == ["BL23", "GV3"]
    with database.read() as session:
        phases = session.scalars(select(CoursePhase).where(CoursePhase.plan_id == plan.id)).all()
        assert [(p.interval_unit, p.interval_count, p.visits) for p in phases] == [("week", 1, 4), ("week", 2, 2)]


def test_bad_pattern_side_and_parameters_are_reported_together(database, admin) -> None:
    pid = patient(database, admin)
    bad = PlanDraft("Back", "", "weekly for ever", (PlannedPoint("BL23", "both"),),
                    (PlannedTechnique("electroacupuncture", {"frequency_hz": 500}),))
    with pytest.raises(ValidationErrors) as caught:
        plans.save_plan(database, admin, pid, bad)
    fields = {e.field for e in caught.value.errors}
    assert {"course_pattern", "points[0]", "techniques[0].frequency_hz"} <= fields


def test_pregnant_patient_sp6_needs_an_override_reason_which_is_stored_and_audited(database, admin) -> None:
    pid = patient(database, admin, pregnant=True, pregnancy_weeks=20)
    draft = PlanDraft("Pregnancy-related low back pain", "", "", (PlannedPoint("SP6"),))
    with pytest.raises(ValidationErrors, match="SP6 is blocked"):
        plans.save_plan(database, admin, pid, draft)
    reason = "Obstetrician agreed; labour induction at term planned"
    justified = PlanDraft(draft.complaint, "", "", (PlannedPoint("SP6", override_reason=reason),))
    plan = plans.save_plan(database, admin, pid, justified)
    assert plan.draft.points[0].override_reason == reason
    with database.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "treatment_plan")).one()
        assert event.detail["overrides"][0]["item"] == "SP6" and reason not in str(event.detail)


def test_warnings_do_not_need_an_override(database, admin) -> None:
    pid = patient(database, admin, anticoagulants=True)
    plan = plans.save_plan(database, admin, pid, LOW_BACK)
    findings = plans.safety_check(intakes.parse_answers(answers(anticoagulants=True), complete=True), plan.draft)
    assert findings and all(f.severity == "warn" for f in findings)


def test_templates_come_from_data_and_pass_validation(database, admin) -> None:
    templates = {t.id: t for t in plans.plan_templates()}
    codes = [p.code for p in templates["low-back-standard"].draft.points]
    assert codes == ["BL23", "BL40", "KI3", "GV3", "Ashi"]
    assert [p.code for p in templates["neck-standard"].draft.points] == ["GB20", "BL10", "SI3", "TE5", "Ashi"]
    for template in templates.values():
        plans.validate_draft(template.draft, {})


def test_repeat_last_prescription(database, admin) -> None:
    pid = patient(database, admin)
    assert plans.repeat_last(database, admin, pid) is None
    plans.save_plan(database, admin, pid, LOW_BACK)
    again = plans.repeat_last(database, admin, pid)
    assert again is not None and [p.code for p in again.points] == ["BL23", "GV3"]


def test_activation_is_refused_while_treatment_is_stopped(database, admin) -> None:
    pid = patient(database, admin)
    plan = plans.save_plan(database, admin, pid, LOW_BACK)
    blocking = intakes.save_intake(database, admin, pid, answers(saddle_numbness=True), sign=True)
    with pytest.raises(TreatmentBlockedError, match="EMERGENCY"):
        plans.activate_plan(database, admin, plan.id, expected_version=plan.version)
    intakes.record_referral(database, admin, blocking.id, "A&E same day; MRI normal; discharged to GP")
    cleared = intakes.save_intake(database, admin, pid, answers())  # drops the flag: needs its clearance
    flag_clearances.record_clearance(database, admin, cleared.id, ClearanceDraft(
        "MRI normal; saddle sensation normal", "emergency_department", "",
        blocking.signed_at.astimezone(CLINIC_ZONE).date()))
    intakes.sign_intake(database, admin, cleared.id, expected_version=cleared.version)
    active = plans.activate_plan(database, admin, plan.id, expected_version=plan.version)
    assert active.status == "active" and active.activated_at is not None
