"""Intake services: drafts, signing, supersession, referral and the treatment-stop gate."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from acudesk.domain import dates
from acudesk.domain.errors import PermissionDeniedError, ValidationError
from acudesk.domain.flag_clearance import ClearanceDraft
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.domain.treatment_gate import TreatmentBlockedError
from acudesk.persistence.models import AuditEvent
from acudesk.services import flag_clearances, intakes, patients
from acudesk.services.context import RECEPTIONIST

CLINIC_ZONE = ZoneInfo("Europe/London")  # the test clinic's zone: a clearance is dated in it


def clear_answers(**changes: Any) -> dict[str, Any]:
    """Every required yes/no question answered "no", a 44-year-old with low back pain."""
    answers: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    answers.update(age=44, leg_radiation="none", pain_duration_weeks=20, pain_nrs=6, pain_lower_back=True)
    answers.update(changes)
    return answers


def new_patient(database, admin) -> int:
    details = PatientDetails(family_name="Quayle", given_name="Rosa", date_of_birth=date(1981, 2, 3))
    return patients.register_patient(database, admin, details).id


def test_a_draft_may_be_incomplete_but_signing_needs_every_required_answer(database, admin) -> None:
    pid = new_patient(database, admin)
    draft = intakes.save_intake(database, admin, pid, {"age": 44, "saddle_numbness": True})
    assert draft.status == "draft" and draft.level == "EMERGENCY"
    assert any(r.rule == "RF-CES-04" for r in draft.reasons)
    with pytest.raises(ValidationError, match="incomplete"):
        intakes.sign_intake(database, admin, draft.id, expected_version=draft.version)


def test_signing_stores_triage_and_digest_and_locks_the_intake(database, admin) -> None:
    pid = new_patient(database, admin)
    signed = intakes.save_intake(database, admin, pid, clear_answers(), sign=True)
    assert signed.signed and signed.level == "CLEAR" and signed.digest_ok
    assert signed.rules_version.startswith("triage ") and len(signed.rules_version) <= 32
    with pytest.raises(ValidationError, match="signed and cannot be changed"):
        intakes.save_intake(database, admin, pid, clear_answers(pain_nrs=3), intake_id=signed.id)


def test_a_new_intake_supersedes_the_signed_one_and_history_keeps_both(database, admin) -> None:
    pid = new_patient(database, admin)
    first = intakes.save_intake(database, admin, pid, clear_answers(), sign=True)
    second = intakes.save_intake(database, admin, pid, clear_answers(anticoagulants=True), sign=True)
    assert second.supersedes_id == first.id and second.level == "CAUTION"
    history = intakes.list_intakes(database, admin, pid)
    assert [h.id for h in history] == [second.id, first.id]
    with database.read() as session:
        views = session.scalars(select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "intake"))
        assert len(list(views)) == 1


def test_emergency_blocks_treatment_until_referral_recorded_and_a_later_intake_clears_it(database, admin) -> None:
    pid = new_patient(database, admin)
    emergency = intakes.save_intake(database, admin, pid, clear_answers(urinary_retention=True), sign=True)
    assert emergency.blocks_treatment
    gate = intakes.treatment_gate_for(database, admin, pid)
    assert not gate.allowed and gate.needs_referral
    with pytest.raises(ValidationError, match="Say what was done"):
        intakes.record_referral(database, admin, emergency.id, "  ")
    referred = intakes.record_referral(database, admin, emergency.id, "Sent to A&E by ambulance")
    assert "Sent to A&E" in referred.referral_action and referred.digest_ok
    assert not intakes.treatment_gate_for(database, admin, pid).allowed
    cleared = intakes.save_intake(database, admin, pid, clear_answers())  # drops the flag: needs its clearance
    flag_clearances.record_clearance(database, admin, cleared.id, ClearanceDraft(
        "Retention resolved; MRI normal", "emergency_department", "",
        emergency.signed_at.astimezone(CLINIC_ZONE).date()))
    intakes.sign_intake(database, admin, cleared.id, expected_version=cleared.version)
    assert intakes.treatment_gate_for(database, admin, pid).allowed


def test_the_referral_record_is_stamped_in_the_clinics_time_and_older_utc_stamps_read_so_too(database, admin) -> None:
    pid = new_patient(database, admin)
    review = intakes.save_intake(database, admin, pid, clear_answers(night_pain=True), sign=True)
    referred = intakes.record_referral(database, admin, review.id, "GP reviewed; cleared to treat")
    assert referred.referral_recorded_at is not None
    stamp = dates.day_and_time(referred.referral_recorded_at, CLINIC_ZONE)
    assert referred.referral_action == f"{stamp}: GP reviewed; cleared to treat"
    assert "UTC" not in referred.referral_action
    # Entries written before (in UTC, said so) read in the clinic's time, summer time included.
    older = "2026-07-01 13:00 UTC: Seen by the GP.\n2026-12-01 09:05 UTC: Letter received."
    assert intakes.referral_log(older, CLINIC_ZONE) == (
        "Wed 1 Jul 2026 14:00: Seen by the GP.\nTue 1 Dec 2026 09:05: Letter received.")
    assert intakes.referral_log("Referred in 2026-07-01 13:00 UTC: words kept", CLINIC_ZONE) == \
        "Referred in 2026-07-01 13:00 UTC: words kept"  # only a stamp at the start of an entry is one


def test_referral_only_for_results_that_ask_for_one(database, admin) -> None:
    pid = new_patient(database, admin)
    clear = intakes.save_intake(database, admin, pid, clear_answers(), sign=True)
    with pytest.raises(ValidationError, match="does not ask for a referral"):
        intakes.record_referral(database, admin, clear.id, "Nothing")


def test_receptionists_cannot_read_or_write_intakes(database, admin, sign_in_as) -> None:
    pid = new_patient(database, admin)
    desk = sign_in_as(RECEPTIONIST, username="desk")
    with pytest.raises(PermissionDeniedError):
        intakes.list_intakes(database, desk, pid)
    with pytest.raises(PermissionDeniedError):
        intakes.save_intake(database, desk, pid, clear_answers())


def test_the_gate_error_type_is_what_plans_and_sessions_raise(database, admin) -> None:
    pid = new_patient(database, admin)
    with pytest.raises(TreatmentBlockedError, match="No signed intake"):
        with database.read() as session:
            intakes.gate_for(session, pid).require()
