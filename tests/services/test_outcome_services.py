"""Outcome services: scoring, the NRS trend with baseline and meaningful-change line, the proposal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from acudesk.domain.errors import ValidationError
from acudesk.domain.intake import load_questionnaire
from acudesk.domain.patients import PatientDetails
from acudesk.services import intakes, outcomes, patients, plans, sessions
from acudesk.services.plans import PlanDraft, PlannedPoint

START = datetime(2025, 3, 3, 10, tzinfo=UTC)


def answers(**changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    result.update(age=47, leg_radiation="none", pain_duration_weeks=40, pain_nrs=8, pain_lower_back=True)
    result.update(changes)
    return result


def treated(database, admin, scores: list[int]) -> int:
    details = PatientDetails(family_name="Haddad", given_name="Samir", date_of_birth=date(1978, 1, 20))
    pid = patients.register_patient(database, admin, details).id
    intakes.save_intake(database, admin, pid, answers(), sign=True)
    plan = plans.save_plan(database, admin, pid, PlanDraft("Low back pain", "", "weekly x4, fortnightly x2, monthly x2",
                                                           (PlannedPoint("BL23"),)))
    plans.activate_plan(database, admin, plan.id, expected_version=plan.version)
    for week, score in enumerate(scores):
        draft = sessions.new_session_draft(database, admin, pid, START + timedelta(weeks=week))
        draft = replace(draft, needles_out=draft.needles_in, nrs_before=score)
        saved = sessions.save_session(database, admin, pid, draft)
        sessions.sign_session(database, admin, saved.id, expected_version=saved.version)
    return pid


def test_scores_and_bands() -> None:
    assert outcomes.score("ODI", [2, 2, 1, 2, 1, 2, 1, 2, 1, 2]) == (32.0, "moderate disability")
    assert outcomes.score("RMDQ", [True] * 5 + [False] * 19) == (5.0, "")
    assert outcomes.score("PSFS", [4, 5, 6]) == (5.0, "")
    with pytest.raises(ValidationError):
        outcomes.score("NRS", 11)


def test_trend_baseline_line_and_taper_proposal(database, admin) -> None:
    pid = treated(database, admin, [8, 7, 5, 5])
    summary = outcomes.outcome_summary(database, admin, pid)
    assert summary.baseline == 8 and summary.meaningful_at == 6  # 2 points (30 % would be 5.6)
    assert [(p.visit, p.nrs, p.phase) for p in summary.trend] == [(1, 8, 0), (2, 7, 0), (3, 5, 0), (4, 5, 0)]
    assert summary.proposal  # text from the scheduling services or the domain


def test_measurements_report_meaningful_change(database, admin) -> None:
    pid = treated(database, admin, [])
    outcomes.record_outcome(database, admin, pid, "RMDQ", [True] * 12 + [False] * 12)
    outcomes.record_outcome(database, admin, pid, "RMDQ", [True] * 6 + [False] * 18)
    summary = outcomes.outcome_summary(database, admin, pid)
    latest = summary.measurements[0]
    assert latest.measure == "RMDQ" and latest.score == 6 and latest.change.startswith("meaningful improvement")


def test_a_corrected_pain_score_replaces_the_original_in_the_trend_the_list_and_the_care_summary(
    database, admin
) -> None:
    """Before: the trend, the measurements, the taper readings and the printed summary read each session's
    original row; a pain score corrected by an amendment (8 was misheard, it was 4) kept driving the
    trend and the taper proposal, and two amendments printed the session twice."""
    from acudesk.services import documents

    pid = treated(database, admin, [8, 7, 6])
    [third, second, first] = sessions.list_sessions(database, admin, pid)  # newest first
    corrected = replace(first.draft, nrs_before=4)
    sessions.amend_session(database, admin, first.id, corrected, "Pain before was 4, not 8")
    sessions.amend_session(database, admin, first.id, replace(corrected, nrs_after=2), "After was 2")

    summary = outcomes.outcome_summary(database, admin, pid)
    assert [(p.visit, p.nrs) for p in summary.trend] == [(1, 4), (2, 7), (3, 6)]
    assert summary.baseline == 8  # the plan's own baseline (the intake's score), which no amendment touches
    nrs = sorted(m.score for m in summary.measurements if m.measure == "NRS")
    assert nrs == [4, 6, 7]  # one score a session: the original 8 no longer stands

    printed = documents.care_summary_data(database, admin, pid)
    assert [s.nrs_before for s in printed.sessions] == [4, 7, 6]  # one line a session, as last amended
    assert printed.sessions[0].amended and printed.sessions[0].nrs_after == 2
    assert sorted(o.score for o in printed.outcomes if o.measure == "NRS") == [4, 6, 7]
