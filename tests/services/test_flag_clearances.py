"""Lifting a red flag needs a recorded clearance (issue 13): unticking boxes two minutes later is not enough.

Every test runs on SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from acudesk.domain.errors import PermissionDeniedError, ValidationError, ValidationErrors
from acudesk.domain.flag_clearance import ClearanceDraft
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent, FlagClearance, Intake
from acudesk.services import flag_clearances, intakes, patients
from acudesk.services.clinic import clinic_today
from acudesk.services.context import PRACTITIONER, RECEPTIONIST, Actor


def answers(**changes: Any) -> dict[str, Any]:
    """A 44-year-old with low back pain for 20 weeks, every required yes/no question answered "no"."""
    given: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    given.update(age=44, leg_radiation="none", pain_duration_weeks=20, pain_nrs=7, pain_lower_back=True)
    given.update(changes)
    return given


@pytest.fixture
def practitioner(sign_in_as) -> Actor:
    return sign_in_as(PRACTITIONER, username="mvasquez")


@pytest.fixture
def pid(database: Database, admin: Actor) -> int:
    details = PatientDetails(family_name="Lindqvist", given_name="Maren", date_of_birth=date(1968, 5, 14))
    return patients.register_patient(database, admin, details).id


def today(database: Database) -> date:
    with database.read() as tx:
        return clinic_today(tx)


def seen(database: Database, **changes: Any) -> ClearanceDraft:
    fields: dict[str, Any] = dict(what_changed="Seen in A&E the same day: MRI shows no compression; saddle "
                                  "sensation normal on examination; discharged.", seen_by="emergency_department",
                                  seen_by_name="Royal Infirmary", seen_on=today(database))
    fields.update(changes)
    return ClearanceDraft(**fields)


def events(database: Database, entity: str, action: str) -> list[AuditEvent]:
    with database.read() as tx:
        return list(tx.scalars(select(AuditEvent).where(AuditEvent.entity == entity, AuditEvent.action == action)
                               .order_by(AuditEvent.id)))


def signed_count(database: Database, patient_id: int) -> int:
    with database.read() as tx:
        return len(tx.scalars(select(Intake.id).where(Intake.patient_id == patient_id, Intake.status == "signed"))
                   .all())


def test_an_emergency_unticked_two_minutes_later_is_refused_until_a_clearance_is_recorded(
        database, practitioner, pid) -> None:
    flagged = intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    assert flagged.level == "EMERGENCY"

    with pytest.raises(ValidationError, match="RF-CES-04") as refused:  # straight to a signed intake
        intakes.save_intake(database, practitioner, pid, answers(), sign=True)
    assert refused.value.field == "clearance" and "Record the clearance" in refused.value.message
    draft = intakes.save_intake(database, practitioner, pid, answers())  # a draft may drop it
    with pytest.raises(ValidationError, match="drops red flags the signed intake of"):
        intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version)
    assert signed_count(database, pid) == 1

    clearance = flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    assert [f.rule for f in clearance.flags] == ["RF-CES-04"]
    assert (clearance.intake_id, clearance.flagged_intake_id) == (draft.id, flagged.id)
    assert clearance.who == "Emergency department: Royal Infirmary" and clearance.recorded_by == "Mvasquez"
    draft = intakes.list_intakes(database, practitioner, pid)[0]
    signed = intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version)
    assert signed.signed and signed.level == "CLEAR" and signed.digest_ok


def test_the_clearance_and_the_signing_are_audited_naming_the_earlier_intake(database, practitioner, pid) -> None:
    flagged = intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    draft = intakes.save_intake(database, practitioner, pid, answers())
    clearance = flag_clearances.record_clearance(database, practitioner, draft.id, seen(database, seen_by="gp",
                                                                                          seen_by_name=""))
    intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version)

    [recorded] = events(database, "flag_clearance", "create")
    assert recorded.entity_id == clearance.id and recorded.patient_id == pid
    assert recorded.user_id == practitioner.user_id
    assert recorded.detail["intake"] == draft.id and recorded.detail["flagged_intake"] == flagged.id
    assert recorded.detail["flags"] == ["RF-CES-04"] and recorded.detail["seen_by"] == "gp"
    assert "MRI" not in str(recorded.detail)  # what changed is in the clearance, not copied into the trail
    signing = [e for e in events(database, "intake", "sign") if e.entity_id == draft.id]
    assert len(signing) == 1
    assert signing[0].detail["cleared"] == {"flagged_intake": flagged.id, "flags": ["RF-CES-04"],
                                            "clearances": [clearance.id]}
    first_signing = [e for e in events(database, "intake", "sign") if e.entity_id == flagged.id]
    assert "cleared" not in first_signing[0].detail


def test_an_urgent_referral_needs_a_clearance_too(database, practitioner, pid) -> None:
    flagged = intakes.save_intake(database, practitioner, pid, answers(unexplained_weight_loss=True), sign=True)
    assert flagged.level == "URGENT_REFERRAL"
    draft = intakes.save_intake(database, practitioner, pid, answers())
    with pytest.raises(ValidationError, match=r"RF-CA-04 \(URGENT REFERRAL\)"):
        intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version)
    flag_clearances.record_clearance(database, practitioner, draft.id, seen(
        database, what_changed="GP bloods and CT normal; weight stable since.", seen_by="other",
        seen_by_name="Dr Amadi, oncology clinic"))
    assert intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version).signed


def test_lower_levels_and_kept_flags_need_no_clearance(database, practitioner, pid) -> None:
    intakes.save_intake(database, practitioner, pid, answers(anticoagulants=True), sign=True)  # CAUTION
    assert intakes.save_intake(database, practitioner, pid, answers(), sign=True).signed  # dropped freely
    intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    kept = intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True, pain_nrs=4))
    with pytest.raises(ValidationError, match="nothing to clear"):
        flag_clearances.record_clearance(database, practitioner, kept.id, seen(database))
    assert intakes.sign_intake(database, practitioner, kept.id, expected_version=kept.version).level == "EMERGENCY"


def test_the_first_intake_needs_no_clearance(database, practitioner, pid) -> None:
    draft = intakes.save_intake(database, practitioner, pid, answers())
    with pytest.raises(ValidationError, match="nothing to clear"):
        flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    assert intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version).signed


def test_dates_seen_in_the_future_or_before_the_flag_are_refused(database, practitioner, pid) -> None:
    intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)  # flagged today
    draft = intakes.save_intake(database, practitioner, pid, answers())
    on = today(database)
    with pytest.raises(ValidationErrors, match="in the future") as future:
        flag_clearances.record_clearance(database, practitioner, draft.id, seen(database, seen_on=on + timedelta(1)))
    assert [e.field for e in future.value.errors] == ["seen_on"]
    with pytest.raises(ValidationErrors, match="before the flagged intake"):
        flag_clearances.record_clearance(database, practitioner, draft.id, seen(database, seen_on=on - timedelta(1)))
    with pytest.raises(ValidationErrors) as empty:
        flag_clearances.record_clearance(database, practitioner, draft.id,
                                         ClearanceDraft(" ", "", "", None))
    assert [e.field for e in empty.value.errors] == ["what_changed", "seen_by", "seen_on"]
    with pytest.raises(ValidationErrors, match="Name who saw"):
        flag_clearances.record_clearance(database, practitioner, draft.id, seen(database, seen_by="other",
                                                                                seen_by_name=" "))
    with database.read() as tx:
        assert tx.scalars(select(FlagClearance)).all() == []
    assert events(database, "flag_clearance", "create") == []
    assert flag_clearances.record_clearance(database, practitioner, draft.id, seen(database, seen_on=on)).seen_on == on


def test_a_second_user_cannot_bypass_the_clearance(database, practitioner, pid, sign_in_as) -> None:
    flagged = intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    cleared_draft = intakes.save_intake(database, practitioner, pid, answers())
    flag_clearances.record_clearance(database, practitioner, cleared_draft.id, seen(database))

    colleague = sign_in_as(PRACTITIONER, username="kbrennan")
    with pytest.raises(ValidationError, match="RF-CES-04"):  # a clearance counts only for its own draft
        intakes.save_intake(database, colleague, pid, answers(pain_nrs=2), sign=True)
    own = intakes.save_intake(database, colleague, pid, answers(pain_nrs=2))
    with pytest.raises(ValidationError, match="RF-CES-04"):
        intakes.sign_intake(database, colleague, own.id, expected_version=own.version)

    desk = sign_in_as(RECEPTIONIST, username="frontdesk")
    with pytest.raises(PermissionDeniedError):
        flag_clearances.record_clearance(database, desk, own.id, seen(database))
    with pytest.raises(PermissionDeniedError):
        flag_clearances.list_clearances(database, desk, pid)
    assert signed_count(database, pid) == 1
    assert intakes.list_intakes(database, practitioner, pid)[-1].id == flagged.id


def test_a_clearance_covers_only_the_flags_it_was_recorded_for(database, practitioner, pid) -> None:
    intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True, urinary_retention=True), sign=True)
    draft = intakes.save_intake(database, practitioner, pid, answers(urinary_retention=True))
    first = flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    assert [f.rule for f in first.flags] == ["RF-CES-04"]
    draft = intakes.save_intake(database, practitioner, pid, answers(), intake_id=draft.id,
                                expected_version=draft.version)  # now drops the retention too
    with pytest.raises(ValidationError) as refused:
        intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version)
    assert "RF-CES-01" in refused.value.message and "RF-CES-04" not in refused.value.message
    second = flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    assert {f.rule for f in second.flags} == {"RF-CES-01", "RF-CES-04"}
    assert intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version).signed
    assert [c.id for c in flag_clearances.list_clearances(database, practitioner, pid)] == [second.id, first.id]


def test_an_intake_signed_meanwhile_is_the_one_compared_with(database, practitioner, pid, sign_in_as) -> None:
    intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    draft = intakes.save_intake(database, practitioner, pid, answers())
    flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    colleague = sign_in_as(PRACTITIONER, username="kbrennan")
    meanwhile = intakes.save_intake(database, colleague, pid, answers(saddle_numbness=True, pain_nrs=9), sign=True)
    with pytest.raises(ValidationError, match="RF-CES-04"):  # the clearance answered the older intake
        intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version)
    again = flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    assert again.flagged_intake_id == meanwhile.id
    assert intakes.sign_intake(database, practitioner, draft.id, expected_version=draft.version).signed


def test_a_signed_intake_takes_no_clearance(database, practitioner, pid) -> None:
    intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    signed = intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    with pytest.raises(ValidationError, match="already signed"):
        flag_clearances.record_clearance(database, practitioner, signed.id, seen(database))


def _raw(database: Database, sql: str) -> None:
    with database.engine.begin() as connection:
        connection.execute(text(sql))


def test_clearances_are_append_only_in_the_database_itself(database, practitioner, pid) -> None:
    intakes.save_intake(database, practitioner, pid, answers(saddle_numbness=True), sign=True)
    draft = intakes.save_intake(database, practitioner, pid, answers())
    flag_clearances.record_clearance(database, practitioner, draft.id, seen(database))
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(database, "UPDATE flag_clearances SET what_changed = 'nothing', seen_by = 'gp'")
    with pytest.raises(DBAPIError, match="append-only"):
        _raw(database, "DELETE FROM flag_clearances")
    [kept] = flag_clearances.list_clearances(database, practitioner, pid)
    assert kept.what_changed.startswith("Seen in A&E") and kept.seen_by == "emergency_department"
