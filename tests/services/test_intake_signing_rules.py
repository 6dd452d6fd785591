"""An intake cannot be signed while a required question is "Not asked", and a session list shows what
a record says after its amendments (issue 13)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from test_sessions import AT, treated_patient

from acudesk.domain.errors import ValidationError
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import AuditEvent, Intake
from acudesk.services import intakes, patients, sessions


def every_answer(**changes: Any) -> dict[str, Any]:
    """A 61-year-old with neck pain, every required yes/no question answered "no"."""
    answers: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    answers.update(age=61, leg_radiation="none", pain_duration_weeks=8, pain_neck=True)
    answers.update(changes)
    return answers


def without(answers: dict[str, Any], *question_ids: str) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if key not in question_ids}


def new_patient(database, admin) -> int:
    details = PatientDetails(family_name="Okonkwo-Reyes", given_name="Adaeze", date_of_birth=date(1964, 7, 1))
    return patients.register_patient(database, admin, details).id


def intake_rows(database) -> int:
    with database.read() as tx:
        return tx.scalar(select(func.count()).select_from(Intake)) or 0


def test_an_intake_with_questions_not_asked_is_refused_at_signing_naming_how_many(database, admin) -> None:
    pid = new_patient(database, admin)
    not_asked = without(every_answer(), "saddle_numbness", "fever", "anticoagulants")
    with pytest.raises(ValidationError) as refused:
        intakes.save_intake(database, admin, pid, not_asked, sign=True)
    message = refused.value.message
    assert "cannot be signed" in message and "3 required questions are unanswered" in message
    assert "Numbness or altered feeling between the legs" in message  # the first one, in words
    assert refused.value.field == "answers.saddle_numbness"
    assert intake_rows(database) == 0  # nothing was stored, not even a draft


def test_a_draft_with_questions_not_asked_is_kept_and_its_signature_refused(database, admin) -> None:
    pid = new_patient(database, admin)
    draft = intakes.save_intake(database, admin, pid, without(every_answer(), "fever"))
    assert draft.status == "draft" and "fever" not in draft.answers  # "not asked" stays not asked
    with pytest.raises(ValidationError, match="1 required question is unanswered"):
        intakes.sign_intake(database, admin, draft.id, expected_version=draft.version)
    [kept] = intakes.list_intakes(database, admin, pid)
    assert kept.status == "draft" and kept.version == draft.version
    with database.read() as tx:
        signs = tx.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "sign"))
    assert signs == 0

    answered = intakes.save_intake(database, admin, pid, every_answer(), intake_id=draft.id,
                                   expected_version=draft.version, sign=True)
    assert answered.signed and answered.answers["fever"] is False


def test_a_question_an_answer_makes_required_counts_as_unanswered(database, admin) -> None:
    pid = new_patient(database, admin)
    with pytest.raises(ValidationError, match="1 required question is unanswered") as refused:
        intakes.save_intake(database, admin, pid, every_answer(skin_lesion=True), sign=True)
    assert refused.value.field == "answers.skin_lesion_regions"


def test_the_session_list_shows_the_amended_values_and_keeps_the_original(database, admin) -> None:
    pid = treated_patient(database, admin)
    draft = replace(sessions.new_session_draft(database, admin, pid, AT), needles_out=3, nrs_before=7, nrs_after=5)
    saved = sessions.save_session(database, admin, pid, draft)
    sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    sessions.amend_session(database, admin, saved.id, replace(draft, nrs_before=4), "Pain before was 4, not 7")
    sessions.amend_session(database, admin, saved.id, replace(draft, nrs_before=4, nrs_after=2), "After was 2")

    [listed] = sessions.list_sessions(database, admin, pid)
    assert listed.id == saved.id and listed.amendments == 2
    assert (listed.latest.nrs_before, listed.latest.nrs_after) == (4, 2)  # the latest amendment's values
    assert (listed.draft.nrs_before, listed.draft.nrs_after) == (7, 5)  # the original is unchanged
