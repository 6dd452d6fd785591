"""NaN and infinity are refused everywhere a number comes in (issue 13), with a message naming the field as
the person sees it, and nothing is stored. Every comparison with NaN is false, so an intake file with
"bmi": NaN used to pass "BMI below 18.5" unseen and silently drop the low-BMI pneumothorax warning.

Each entry point gets NaN, infinity, minus infinity, 1e309 (which overflows to infinity) and a value out
of range: intake files (JSON, and the `acudesk intake check` command), intakes saved from the form, the
intake model itself, outcome scores, session pain scores, needle counts and electroacupuncture
parameters, a plan's baseline pain and technique parameters, the idle-lock setting, meaningful change,
and the rule files (TOML allows nan and inf)."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from acudesk.cli import main
from acudesk.domain import outcomes as scoring
from acudesk.domain.contraindications import check_plan
from acudesk.domain.errors import AcuDeskError, ValidationError, ValidationErrors
from acudesk.domain.input_limits import load_rules_toml
from acudesk.domain.intake import Intake
from acudesk.domain.intake_answers import parse_intake
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Intake as IntakeRow
from acudesk.persistence.models import OutcomeMeasurement, SessionRecord, TreatmentPlan
from acudesk.services import clinic, intakes, outcomes, patients, plans, sessions
from acudesk.services.plans import PlanDraft, PlannedPoint, PlannedTechnique
from acudesk.services.sessions import NeedledPoint, SessionDraft

DATA = Path(__file__).resolve().parents[1] / "data" / "intakes"
CLEAR: dict[str, Any] = json.loads((DATA / "clear.json").read_text(encoding="utf-8"))["answers"]
NON_FINITE = [float("nan"), float("inf"), float("-inf"), 1e309]
NON_FINITE_IDS = ["nan", "inf", "-inf", "1e309"]

def said(value: float) -> str:
    """How a message names a value that is not a real number."""
    return "NaN (not a number)" if math.isnan(value) else ("infinity" if value > 0 else "minus infinity")

# (what JSON text says, what the message says instead of the value)
JSON_NON_FINITE = [("NaN", "not NaN"), ("Infinity", "not infinity"), ("-Infinity", "not minus infinity"),
                   ("1e309", "not infinity"), ("-1e309", "not minus infinity")]
BMI = "Intake answer “Body mass index (kg/m2)” (answers.bmi)"
WEEKS = "Intake answer “How many weeks ago did this pain start?” (answers.pain_duration_weeks)"


def _error(call: Any) -> AcuDeskError:
    with pytest.raises(AcuDeskError) as info:
        call()
    return info.value


def _messages(error: AcuDeskError) -> list[tuple[str, str | None]]:
    if isinstance(error, ValidationErrors):
        return [(e.message, e.field) for e in error.errors]
    return [(error.message, error.field)]


# --- intake files and the intake model ------------------------------------------------------------


@pytest.mark.parametrize(("literal", "words"), JSON_NON_FINITE, ids=[x[0] for x in JSON_NON_FINITE])
@pytest.mark.parametrize(("key", "label"), [("bmi", BMI), ("pain_duration_weeks", WEEKS)])
def test_an_intake_file_with_a_non_finite_number_is_refused_naming_the_question(
    literal: str, words: str, key: str, label: str
) -> None:
    text = json.dumps({"answers": {**CLEAR, key: 0}}).replace(f'"{key}": 0', f'"{key}": {literal}')
    error = _error(lambda: parse_intake(text))
    assert error.message.startswith(f"{label} must be a real number, {words}")
    assert error.field == f"answers.{key}"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("bmi", 300, f"{BMI} must be between 8 and 100, not 300."),
    ("bmi", 7.9, f"{BMI} must be between 8 and 100, not 7.9."),
    ("pain_duration_weeks", 9000, f"{WEEKS} must be between 0 and 5200, not 9000."),
    ("pain_duration_weeks", 2.5, f"{WEEKS} must be a whole number, not 2.5."),
    ("pain_duration_weeks", 10**20, f"{WEEKS} is far too large a number."),
    ("pain_nrs", 11, "Intake answer “Pain now on a 0-10 scale (0 no pain, 10 worst imaginable)” (answers.pain_nrs) "
                     "must be between 0 and 10, not 11."),
])
def test_an_out_of_range_intake_answer_names_the_question(key: str, value: Any, message: str) -> None:
    error = _error(lambda: parse_intake({"answers": {**CLEAR, key: value}}))
    assert (error.message, error.field) == (message, f"answers.{key}")


@pytest.mark.parametrize(("literal", "words"), JSON_NON_FINITE, ids=[x[0] for x in JSON_NON_FINITE])
def test_intake_check_refuses_a_nan_bmi_on_one_line(capsys, tmp_path: Path, literal: str, words: str) -> None:
    path = tmp_path / "intake.json"
    path.write_text(json.dumps({"answers": {**CLEAR, "bmi": 0}}).replace('"bmi": 0', f'"bmi": {literal}'),
                    encoding="utf-8")
    code = main(["intake", "check", str(path)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.count("\n") == 1
    assert f"{BMI} must be a real number, {words}" in captured.err


@pytest.mark.parametrize("value", NON_FINITE, ids=NON_FINITE_IDS)
def test_the_intake_model_itself_refuses_a_non_finite_answer(value: float) -> None:
    error = _error(lambda: Intake({**CLEAR, "bmi": value}))
    assert (error.message, error.field) == (f"{BMI} must be a real number, not {said(value)}.", "answers.bmi")


def test_a_real_low_bmi_still_raises_the_pneumothorax_warning() -> None:
    """The control: the warning the NaN used to drop fires for a real low BMI."""
    intake = parse_intake({"answers": {**CLEAR, "bmi": 17.5}})
    assert any(v.rule == "CI-PTX-02" for v in check_plan(intake, ["GB21"], ["manual"]))
    assert not any(v.rule == "CI-PTX-02" for v in check_plan(
        parse_intake({"answers": {**CLEAR, "bmi": 22.0}}), ["GB21"], ["manual"]))


# --- the services: a clear message and nothing stored -----------------------------------------------


def _count(database, model) -> int:
    with database.read() as tx:
        return tx.scalar(select(func.count()).select_from(model)) or 0


def _patient(database, actor) -> int:
    return patients.register_patient(database, actor, PatientDetails("Okafor", "Amara", date(1981, 9, 30))).id


@pytest.mark.parametrize("value", NON_FINITE, ids=NON_FINITE_IDS)
@pytest.mark.parametrize("sign", [False, True], ids=["draft", "signed"])
def test_an_intake_saved_from_the_form_with_a_non_finite_bmi_is_refused(database, admin, value, sign) -> None:
    pid = _patient(database, admin)
    error = _error(lambda: intakes.save_intake(database, admin, pid, {**CLEAR, "bmi": value}, sign=sign))
    assert any(message.startswith(f"{BMI} must be a real number") and field == "answers.bmi"
               for message, field in _messages(error))
    assert _count(database, IntakeRow) == 0


OUTCOME_CASES = [
    ("NRS", lambda v: v, "Pain score (NRS)", "nrs"),
    ("ODI", lambda v: [1, 1, v, 1, 1, 1, 1, 1, 1, 1], "ODI section 3", "odi.section_3"),
    ("NDI", lambda v: [1, 1, 1, 1, 1, 1, 1, 1, 1, v], "NDI section 10", "ndi.section_10"),
    ("PSFS", lambda v: [4, v, 6], "PSFS activity 2", "psfs.activity_2"),
]


@pytest.mark.parametrize("value", NON_FINITE, ids=NON_FINITE_IDS)
@pytest.mark.parametrize(("measure", "answers", "label", "field"), OUTCOME_CASES, ids=[c[0] for c in OUTCOME_CASES])
def test_a_non_finite_outcome_score_is_refused_and_not_stored(database, admin, value, measure, answers, label,
                                                               field) -> None:
    pid = _patient(database, admin)
    error = _error(lambda: outcomes.record_outcome(database, admin, pid, measure, answers(value)))
    assert error.message.startswith(f"{label} must be a whole number from ")
    assert error.message.endswith(f", not {said(value)}.")
    assert error.field == field
    assert _count(database, OutcomeMeasurement) == 0


@pytest.mark.parametrize(("measure", "answers", "message"), [
    ("NRS", 11, "Pain score (NRS) must be from 0 to 10, not 11."),
    ("ODI", [1, 1, 6, 1, 1, 1, 1, 1, 1, 1], "ODI section 3 must be from 0 to 5, not 6."),
    ("NDI", [1, 1, 1, 1, 1, 1, 1, 1, 1, -1], "NDI section 10 must be from 0 to 5, not -1."),
    ("PSFS", [4, 12, 6], "PSFS activity 2 must be from 0 to 10, not 12."),
])
def test_an_out_of_range_outcome_score_names_the_item_and_is_not_stored(database, admin, measure, answers,
                                                                          message) -> None:
    pid = _patient(database, admin)
    assert _error(lambda: outcomes.record_outcome(database, admin, pid, measure, answers)).message == message
    assert _count(database, OutcomeMeasurement) == 0


SESSION_CASES = [
    ("nrs_before", "Pain before (0-10)"),
    ("nrs_after", "Pain after (0-10)"),
    ("needles_in", "Needles in"),
    ("needles_out", "Needles out"),
    ("retention_minutes", "Retention (minutes)"),
]


def _draft(**changes: Any) -> SessionDraft:
    return replace(SessionDraft(datetime(2025, 5, 6, 10, tzinfo=UTC), points=(NeedledPoint("BL23"),),
                                needles_in=2, needles_out=2, nrs_before=6, nrs_after=4), **changes)


@pytest.mark.parametrize("value", [*NON_FINITE, 3.5, -1, 500], ids=[*NON_FINITE_IDS, "3.5", "-1", "500"])
@pytest.mark.parametrize(("field", "label"), SESSION_CASES, ids=[c[0] for c in SESSION_CASES])
def test_a_session_number_that_is_not_a_real_whole_number_in_range_is_refused(database, admin, value, field,
                                                                                label) -> None:
    pid = _patient(database, admin)
    error = _error(lambda: sessions.save_session(database, admin, pid, _draft(**{field: value})))
    [(message, named)] = _messages(error)
    assert message.startswith(f"{label} must be ") and named == field
    if isinstance(value, float) and not math.isfinite(value):
        assert message == f"{label} must be a real number, not {said(value)}."
    elif value == 3.5:
        assert message == f"{label} must be a whole number, not 3.5."
    else:
        assert message.endswith(f", not {value}.") and "between 0 and " in message
    assert _count(database, SessionRecord) == 0


@pytest.mark.parametrize("value", NON_FINITE, ids=NON_FINITE_IDS)
def test_an_electroacupuncture_parameter_that_is_not_real_is_refused(database, admin, value) -> None:
    pid = _patient(database, admin)
    point = NeedledPoint("BL23", technique="electroacupuncture", parameters={"frequency_hz": value})
    error = _error(lambda: sessions.save_session(database, admin, pid, _draft(points=(point,))))
    [(message, field)] = _messages(error)
    assert (message, field) == (f"BL23: Frequency must be a real number, not {said(value)}.", "points[0].frequency_hz")
    assert _count(database, SessionRecord) == 0


@pytest.mark.parametrize("value", [*NON_FINITE, 7.5, 11], ids=[*NON_FINITE_IDS, "7.5", "11"])
def test_a_plan_baseline_pain_that_is_not_real_whole_and_in_range_is_refused(database, admin, value) -> None:
    pid = _patient(database, admin)
    draft = PlanDraft("Neck pain", "", "", (PlannedPoint("GB20"),), baseline_nrs=value)
    error = _error(lambda: plans.save_plan(database, admin, pid, draft))
    assert ("Baseline pain (NRS) must be", "baseline_nrs") in [(m[:27], f) for m, f in _messages(error)]
    assert _count(database, TreatmentPlan) == 0


@pytest.mark.parametrize("value", NON_FINITE, ids=NON_FINITE_IDS)
def test_a_plan_technique_parameter_that_is_not_real_is_refused(database, admin, value) -> None:
    pid = _patient(database, admin)
    draft = PlanDraft("Neck pain", "", "", (PlannedPoint("GB20"),),
                      (PlannedTechnique("electroacupuncture", {"frequency_hz": value}),))
    error = _error(lambda: plans.save_plan(database, admin, pid, draft))
    assert _messages(error) == [(f"electroacupuncture: frequency must be 1-200 Hz, not {said(value)}.",
                                 "techniques[0].frequency_hz")]
    assert _count(database, TreatmentPlan) == 0


@pytest.mark.parametrize("value", [*NON_FINITE, 0.5, 500], ids=[*NON_FINITE_IDS, "0.5", "500"])
def test_the_idle_lock_refuses_minutes_that_are_not_real_or_in_range(database, admin, value) -> None:
    before = clinic.idle_lock_minutes(database)
    error = _error(lambda: clinic.set_idle_lock_minutes(database, admin, value))
    assert error.field == "idle_lock_minutes" and "idle lock" in error.message
    assert clinic.idle_lock_minutes(database) == before


VISIT_TYPE_CASES = [
    ({"duration_minutes": math.nan}, "duration", "The visit's length (minutes) must be a real number, not NaN"),
    ({"duration_minutes": math.inf}, "duration", "The visit's length (minutes) must be a real number, not infinity"),
    ({"duration_minutes": 30.5}, "duration", "The visit's length (minutes) must be a whole number, not 30.5."),
    ({"duration_minutes": 600}, "duration", "A visit lasts 5 to 480 minutes."),
    ({"changeover_minutes": -math.inf}, "changeover", "The changeover (minutes) must be a real number, not minus"),
    ({"fee": "NaN"}, "fee", "The fee must be an amount like 65.00."),
    ({"fee": "Infinity"}, "fee", "The fee must be an amount like 65.00."),
    ({"fee": "1e309"}, "fee", "A fee above 100,000 is surely a typing mistake."),
]


@pytest.mark.parametrize(("changes", "field", "message"), VISIT_TYPE_CASES,
                         ids=["nan-minutes", "inf-minutes", "30.5-minutes", "600-minutes", "-inf-changeover",
                              "nan-fee", "inf-fee", "1e309-fee"])
def test_a_visit_type_whose_length_or_fee_is_not_a_real_amount_is_refused(database, admin, changes, field,
                                                                           message) -> None:
    """Course and booking numbers: a visit type's length, changeover and fee (the clinic settings)."""
    from acudesk.persistence.models import VisitType
    from acudesk.services import clinic_settings

    before = _count(database, VisitType)
    draft = replace(clinic_settings.VisitTypeDraft("Long consultation", 60, 10, "80.00"), **changes)
    error = _error(lambda: clinic_settings.add_visit_type(database, admin, draft))
    assert any(m.startswith(message) and f == field for m, f in _messages(error)), _messages(error)
    assert _count(database, VisitType) == before


# --- domain rules and rule files ----------------------------------------------------------------------


@pytest.mark.parametrize("value", NON_FINITE, ids=NON_FINITE_IDS)
def test_meaningful_change_refuses_a_non_finite_score(value: float) -> None:
    for baseline, current, field in ((value, 4, "baseline"), (8, value, "current")):
        error = _error(lambda b=baseline, c=current: scoring.meaningful_change("nrs", b, c))
        assert error.field == field and "must be a number" in error.message


@pytest.mark.parametrize("literal", ["nan", "inf", "-inf", "+inf", "1e309"])
def test_a_rule_file_holding_nan_or_inf_does_not_load(tmp_path: Path, literal: str) -> None:
    path = tmp_path / "outcomes.toml"
    path.write_text(f'[nrs]\nminimum = 0\nmaximum = {literal}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=f"outcomes.toml: {literal.replace('+', '[+]')} is not a finite number"):
        load_rules_toml(path)
    path.write_text("[nrs]\nminimum = 0\nmaximum = 10.0\n", encoding="utf-8")
    assert load_rules_toml(path)["nrs"]["maximum"] == 10.0


def test_validation_errors_carry_fields(database, admin) -> None:
    """Several bad numbers at once are all reported, each with its field (the form shows them together)."""
    pid = _patient(database, admin)
    error = _error(lambda: sessions.save_session(database, admin, pid, _draft(nrs_before=math.nan,
                                                                              needles_in=math.inf)))
    assert isinstance(error, ValidationErrors)
    assert {field for _m, field in _messages(error)} == {"nrs_before", "needles_in"}
    assert isinstance(error.errors[0], ValidationError)
