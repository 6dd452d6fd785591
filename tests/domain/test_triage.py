from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acudesk.domain.conditions import evaluate
from acudesk.domain.errors import ValidationError
from acudesk.domain.intake import Intake, load_questionnaire
from acudesk.domain.intake_answers import parse_intake
from acudesk.domain.triage import Level, load_triage_rules, rules_from_data, triage

DATA = Path(__file__).resolve().parents[1] / "data" / "intakes"
BASE: dict[str, Any] = json.loads((DATA / "clear.json").read_text(encoding="utf-8"))["answers"]
# BASE: age 42, long-standing (30 weeks) recurrent unchanged low back pain into one leg, all flags "no".


def screen(**overrides: Any) -> Any:
    return triage(parse_intake({"answers": {**BASE, **overrides}}, today=date(2025, 6, 1)))


def rule_ids(result: Any) -> set[str]:
    return {r.rule for r in result.reasons}


# rule id -> (answers that make it fire, answers that are close but must not fire)
RULE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "RF-CES-01": ({"urinary_retention": True}, {}),
    "RF-CES-02": ({"urinary_incontinence": True}, {}),
    "RF-CES-03": ({"faecal_incontinence": True}, {}),
    "RF-CES-04": ({"saddle_numbness": True}, {}),
    "RF-CES-05": ({"sexual_dysfunction": True}, {}),
    "RF-CES-06": ({"leg_radiation": "both_legs"}, {"leg_radiation": "one_leg"}),
    "RF-NEU-01": ({"gait_disturbance": True}, {"leg_weakness": True}),
    "RF-NEU-02": ({"leg_weakness": True}, {"limb_numbness": True}),
    "RF-INF-01": ({"fever": True, "iv_drug_use": True}, {"iv_drug_use": True, "recent_infection": True}),
    "RF-INF-02": ({"immunosuppressed": True, "first_episode": True}, {"immunosuppressed": True}),
    "RF-INF-03": ({"fever": True}, {"recent_infection": True}),
    "RF-CA-01": ({"cancer_history": True, "leg_weakness": True}, {"cancer_history": True}),
    "RF-CA-02": ({"cancer_history": True, "pain_duration_weeks": 4}, {"cancer_history": True}),
    "RF-CA-03": ({"cancer_history": True}, {}),
    "RF-CA-04": ({"unexplained_weight_loss": True}, {}),
    "RF-FX-01": ({"major_trauma": True}, {"minor_trauma": True}),
    "RF-FX-02": ({"minor_trauma": True, "age": 50}, {"minor_trauma": True, "age": 49}),
    "RF-FX-03": ({"osteoporosis": True, "pain_changed_recently": True}, {"osteoporosis": True}),
    "RF-FX-04": ({"long_term_corticosteroids": True}, {"osteoporosis": True}),
    "RF-AGE-01": ({"age": 50, "first_episode": True}, {"age": 50}),
    "RF-AGE-02": ({"age": 19, "pain_duration_weeks": 2}, {"age": 19}),
    "RF-OTH-01": ({"night_pain": True}, {}),
    "RF-OTH-02": ({"no_improvement_1_month": True}, {"failed_previous_therapy": True}),
    "RF-OTH-03": ({"structural_deformity": True}, {}),
    "RF-OTH-04": ({"pain_upper_back": True}, {"pain_neck": True}),
    "RF-AXS-01": (
        {"age": 30, "pain_duration_weeks": 52, "ng65_buttock_pain": True, "ng65_improves_with_movement": True,
         "ng65_psoriasis": True},  # onset age 29 (< 35) + 3 = 4 criteria
        {"age": 30, "pain_duration_weeks": 8, "ng65_buttock_pain": True, "ng65_improves_with_movement": True,
         "ng65_psoriasis": True},  # not chronic
    ),
    "RF-AXS-02": (
        {"ng65_buttock_pain": True, "ng65_nsaid_response": True, "ng65_family_history": True},
        {"ng65_buttock_pain": True, "ng65_nsaid_response": True},
    ),
    "RF-CAD-01": ({"neck_tearing_pain": True}, {}),
    "RF-CAD-02": ({"double_vision": True}, {}),
    "RF-CAD-03": ({"drop_attacks": True}, {}),
    "RF-CAD-04": ({"tia_symptoms": True}, {}),
    "RF-CAD-05": ({"dizziness_vertigo": True, "pain_neck": True}, {"dizziness_vertigo": True}),
    "RF-CAD-06": ({"dizziness_vertigo": True}, {"pain_neck": True}),
    "RF-MYE-01": ({"clumsy_hands": True}, {}),
    "RF-MYE-02": ({"lhermitte_sign": True}, {}),
}


def test_every_rule_has_a_case() -> None:
    assert {r.id for r in load_triage_rules().rules} == set(RULE_CASES)


def test_base_intake_is_clear() -> None:
    result = screen()
    assert result.level is Level.CLEAR
    assert result.reasons == ()
    assert result.safety_netting == ()
    assert not result.blocks_treatment


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_positive(rule_id: str) -> None:
    rule = next(r for r in load_triage_rules().rules if r.id == rule_id)
    result = screen(**RULE_CASES[rule_id][0])
    assert rule_id in rule_ids(result)
    assert result.level >= rule.level
    reason = next(r for r in result.reasons if r.rule == rule_id)
    assert reason.source and reason.text and reason.level is rule.level


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_negative(rule_id: str) -> None:
    assert rule_id not in rule_ids(screen(**RULE_CASES[rule_id][1]))


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        # cancer history + new neurological signs -> emergency (metastatic cord compression)
        ({"cancer_history": True, "leg_weakness": True}, Level.EMERGENCY),
        ({"cancer_history": True, "limb_numbness": True}, Level.EMERGENCY),
        ({"cancer_history": True, "clumsy_hands": True}, Level.EMERGENCY),
        ({"leg_weakness": True}, Level.REFER_BEFORE_TREATMENT),
        ({"limb_numbness": True}, Level.CLEAR),
        ({"cancer_history": True, "first_episode": True}, Level.URGENT_REFERRAL),
        ({"cancer_history": True}, Level.REFER_BEFORE_TREATMENT),
        # age > 50 / < 20 only for a first episode or new pain
        ({"age": 67}, Level.CLEAR),
        ({"age": 67, "first_episode": True}, Level.REFER_BEFORE_TREATMENT),
        ({"age": 67, "pain_duration_weeks": 3}, Level.REFER_BEFORE_TREATMENT),
        ({"age": 67, "pain_changed_recently": True}, Level.REFER_BEFORE_TREATMENT),
        ({"age": 49, "first_episode": True}, Level.CLEAR),
        ({"age": 20, "first_episode": True}, Level.CLEAR),
        ({"age": 17, "first_episode": True}, Level.REFER_BEFORE_TREATMENT),
        ({"age": 17}, Level.CLEAR),
        # fever + IV drug use / immunosuppression / recent infection -> emergency
        ({"fever": True, "immunosuppressed": True}, Level.EMERGENCY),
        ({"fever": True, "recent_infection": True}, Level.EMERGENCY),
        ({"fever": True, "iv_drug_use": True}, Level.EMERGENCY),
        ({"fever": True}, Level.URGENT_REFERRAL),
        ({"immunosuppressed": True}, Level.CAUTION),  # long-standing pain: infection-risk restriction only
        ({"immunosuppressed": True, "pain_duration_weeks": 2}, Level.URGENT_REFERRAL),
        # trauma
        ({"major_trauma": True}, Level.EMERGENCY),
        ({"minor_trauma": True, "age": 72}, Level.URGENT_REFERRAL),
        ({"minor_trauma": True, "osteoporosis": True}, Level.URGENT_REFERRAL),
        ({"minor_trauma": True}, Level.CLEAR),
        # sciatica in both legs alone
        ({"leg_radiation": "both_legs"}, Level.EMERGENCY),
        # neck
        ({"dizziness_vertigo": True, "recent_neck_manipulation": True}, Level.EMERGENCY),
        ({"clumsy_hands": True}, Level.URGENT_REFERRAL),
        # risk factors never escalate
        ({"smoking": True, "lack_of_exercise": True, "poor_posture": True, "failed_previous_therapy": True,
          "autoimmune_arthritis": True}, Level.CLEAR),
        # patient conditions that restrict treatment -> caution
        ({"pregnant": True, "pregnancy_weeks": 20}, Level.CAUTION),
        ({"pacemaker": True}, Level.CAUTION),
        ({"anticoagulants": True, "fever": True}, Level.URGENT_REFERRAL),
    ],
)
def test_combinations(answers: dict[str, Any], level: Level) -> None:
    assert screen(**answers).level is level


NG65 = ["ng65_waking_second_half_night", "ng65_buttock_pain", "ng65_improves_with_movement",
        "ng65_nsaid_response", "ng65_family_history", "ng65_arthritis", "ng65_enthesitis", "ng65_psoriasis"]


@pytest.mark.parametrize(
    ("count", "extra", "expected"),
    [
        (2, {}, set()),
        (3, {}, {"RF-AXS-02"}),
        (4, {}, {"RF-AXS-01"}),
        (8, {}, {"RF-AXS-01"}),
        (4, {"age": 50, "pain_duration_weeks": 100}, set()),  # onset at 49: not < 45
        (4, {"onset_age": 44}, {"RF-AXS-01"}),
        (4, {"pain_duration_weeks": 11}, set()),  # not > 3 months
        (2, {"onset_age": 30}, {"RF-AXS-02"}),  # onset < 35 is itself a criterion
    ],
)
def test_ng65_counts(count: int, extra: dict[str, Any], expected: set[str]) -> None:
    result = screen(**{name: True for name in NG65[:count]}, **extra)
    assert rule_ids(result) & {"RF-AXS-01", "RF-AXS-02"} == expected
    if expected:
        assert result.level is Level.REFER_BEFORE_TREATMENT
    if expected == {"RF-AXS-02"}:
        assert "HLA-B27" in next(r.text for r in result.reasons if r.rule == "RF-AXS-02")
    if expected == {"RF-AXS-01"}:
        assert "rheumatology" in next(r.text for r in result.reasons if r.rule == "RF-AXS-01")


@pytest.mark.parametrize(
    ("answers", "blocks"),
    [({"saddle_numbness": True}, True), ({"clumsy_hands": True}, True), ({"night_pain": True}, False),
     ({"pregnant": True}, False), ({}, False)],
)
def test_blocks_treatment(answers: dict[str, Any], blocks: bool) -> None:
    assert screen(**answers).blocks_treatment is blocks


def test_reasons_highest_level_first() -> None:
    result = screen(night_pain=True, saddle_numbness=True, pregnant=True)
    levels = [r.level for r in result.reasons]
    assert levels == sorted(levels, reverse=True)
    assert result.reasons[0].rule == "RF-CES-04"


@pytest.mark.parametrize(
    ("answers", "netting"),
    [
        ({"night_pain": True}, True),
        ({"age": 60, "first_episode": True}, True),
        ({"night_pain": True, "structural_deformity": True}, True),
        ({"night_pain": True, "fever": True}, False),  # a strong flag: not a weak flag standing alone
        ({"cancer_history": True}, False),
        ({}, False),
    ],
)
def test_safety_netting_when_weak_flags_stand_alone(answers: dict[str, Any], netting: bool) -> None:
    result = screen(**answers)
    assert bool(result.safety_netting) is netting
    if netting:
        assert "re-screen" in result.safety_netting[0]


def test_risk_factors_recorded_not_escalated() -> None:
    result = screen(smoking=True, autoimmune_arthritis=True)
    assert {r.rule for r in result.risk_factors} == {"RK-SMOKING", "RK-AUTOIMMUNE"}
    assert result.level is Level.CLEAR
    assert screen().risk_factors == ()


def test_restrictions_and_version_in_result() -> None:
    result = screen(pregnant=True, pregnancy_weeks=8)
    assert any(r.target == "SP6" and r.severity == "block" for r in result.restrictions)
    assert "CI-PREG-01" in rule_ids(result)
    assert "triage 2025.1" in result.rules_version
    assert result.action


def test_age_from_date_of_birth() -> None:
    answers = {k: v for k, v in BASE.items() if k != "age"}
    answers.update(date_of_birth="1960-06-02", assessed_on="2025-06-01", first_episode=True)
    intake = parse_intake({"answers": answers})
    assert intake.value("age") == 64
    assert triage(intake).level is Level.REFER_BEFORE_TREATMENT
    answers.pop("assessed_on")
    assert parse_intake({"answers": answers}, today=date(2010, 6, 2)).value("age") == 50


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda a: a.pop("saddle_numbness"), "answers.saddle_numbness"),
        (lambda a: a.pop("age"), "answers.age"),
        (lambda a: a.update(age="forty"), "answers.age"),
        (lambda a: a.update(age=130), "answers.age"),
        (lambda a: a.update(age=41.5), "answers.age"),
        (lambda a: a.update(fever="yes"), "answers.fever"),
        (lambda a: a.update(leg_radiation="three_legs"), "answers.leg_radiation"),
        (lambda a: a.update(feverish=True), "answers.feverish"),
        (lambda a: a.update(skin_lesion=True), "answers.skin_lesion_regions"),
        (lambda a: a.update(skin_lesion=True, skin_lesion_regions=["tail"]), "answers.skin_lesion_regions"),
        (lambda a: a.update(lymphoedema=True), "answers.lymphoedema_limbs"),
        (lambda a: a.update(date_of_birth="1960-02-30"), "answers.date_of_birth"),
        (lambda a: a.update(date_of_birth="01/02/1960"), "answers.date_of_birth"),
        (lambda a: a.update(date_of_birth="1960-01-01", age=20), "answers.age"),
        (lambda a: a.update(bmi=True), "answers.bmi"),
    ],
)
def test_invalid_intake_names_the_field(mutate: Any, field: str) -> None:
    answers = copy.deepcopy(BASE)
    mutate(answers)
    with pytest.raises(ValidationError) as info:
        parse_intake({"answers": answers}, today=date(2025, 6, 1))
    assert info.value.field == field
    assert field in info.value.message


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("{not json", "intake"),
        ("[]", "intake"),
        ({}, "answers"),
        ({"answers": BASE, "extra": 1}, "extra"),
        ({"answers": BASE, "format": "v2"}, "format"),
        ({"answers": BASE, "plan": {"points": "BL23"}}, "plan.points"),
        ({"answers": BASE, "plan": {"points": ["BL23"], "techniques": ["laser"]}}, "plan.techniques[0]"),
        ({"answers": BASE, "plan": {"points": [""]}}, "plan.points[0]"),
        ({"answers": BASE, "plan": {"needles": 3}}, "plan.needles"),
    ],
)
def test_invalid_document(document: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_intake(document)
    assert info.value.field == field


def test_missing_answers_listed_together() -> None:
    with pytest.raises(ValidationError) as info:
        parse_intake({"answers": {"age": 40}})
    assert "incomplete" in info.value.message
    assert "answers.pain_neck" in info.value.message


def test_rule_data_integrity() -> None:
    rules = load_triage_rules()
    assert rules.version
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids))
    for rule in rules.rules:
        assert rule.source.strip() and rule.text.strip() and rule.version >= 1
    for risk in rules.risk_factors:
        assert risk.source


def _rule(**changes: Any) -> dict[str, Any]:
    rule = {"id": "X", "category": "c", "level": "EMERGENCY", "when": "fever", "text": "t", "source": "s",
            "version": 1}
    rule.update(changes)
    return {k: v for k, v in rule.items() if v is not None}


@pytest.mark.parametrize(
    "bad",
    [
        _rule(when="no_such_question"),
        _rule(when={"none": ["fever"]}),
        _rule(source=None),
        _rule(level="SOMETIME"),
        _rule(when="@nowhere"),
        _rule(when="age >>> 3"),
        # yes/no answers can only be tested for "yes": no negation that could make a "yes" lower the level
        _rule(when="fever == false"),
        _rule(when="fever != true"),
        _rule(when="age has 3"),
        _rule(when="leg_radiation == four_legs"),
        _rule(when="age > old"),
        _rule(when="age"),
    ],
)
def test_malformed_rules_are_refused(bad: dict[str, Any]) -> None:
    import tomllib

    from acudesk.paths import resource

    data = tomllib.loads(resource("rules", "triage.toml").read_text(encoding="utf-8"))
    data["rule"].append(bad)
    with pytest.raises((ValueError, KeyError)):
        rules_from_data(data)


def test_condition_language() -> None:
    intake = Intake(
        {"age": 55, "fever": True, "leg_radiation": "both_legs", "skin_lesion_regions": ("hand",)}
    )
    named: dict[str, Any] = {"old": "age >= 50"}
    assert evaluate("fever", intake, named)
    assert not evaluate("smoking", intake, named)
    assert evaluate("@old", intake, named)
    assert evaluate("leg_radiation == both_legs", intake, named)
    assert evaluate("skin_lesion_regions has hand", intake, named)
    assert not evaluate("skin_lesion_regions has foot", intake, named)
    assert evaluate("pregnancy_weeks unknown", intake, named)
    assert not evaluate("pregnancy_weeks > 12", intake, named)
    assert evaluate({"count_at_least": 2, "of": ["fever", "@old", "smoking"]}, intake, named)
    assert not evaluate({"count_at_least": 1, "count_at_most": 1, "of": ["fever", "@old"]}, intake, named)
    assert evaluate({"all": ["fever", {"any": ["smoking", "age < 60"]}]}, intake, named)


# --- monotonicity ---------------------------------------------------------------------------------

QS = load_questionnaire()
BOOL_IDS = sorted(q.id for q in QS.questions if q.type == "bool")
REGIONS = list(next(q for q in QS.questions if q.id == "skin_lesion_regions").choices)
LEG_ORDER = ["none", "one_leg", "both_legs"]


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, Any]:
    answers: dict[str, Any] = {qid: draw(st.booleans()) for qid in BOOL_IDS}
    answers["age"] = draw(st.integers(0, 120))
    answers["pain_duration_weeks"] = draw(st.integers(0, 600))
    answers["leg_radiation"] = draw(st.sampled_from(LEG_ORDER))
    for optional, strategy in (
        ("onset_age", st.integers(0, 120)),
        ("pregnancy_weeks", st.integers(0, 45)),
        ("bmi", st.floats(12, 45)),
        ("pain_nrs", st.integers(0, 10)),
    ):
        if draw(st.booleans()):
            answers[optional] = draw(strategy)
    answers["skin_lesion_regions"] = tuple(draw(st.lists(st.sampled_from(REGIONS), max_size=3, unique=True)))
    answers["lymphoedema_limbs"] = tuple(draw(st.lists(st.sampled_from(["arm", "leg"]), unique=True)))
    return answers


@settings(max_examples=300, deadline=None)
@given(intakes(), st.sampled_from(BOOL_IDS))
def test_a_yes_never_lowers_the_level(answers: dict[str, Any], question: str) -> None:
    before = triage(Intake({**answers, question: False})).level
    after = triage(Intake({**answers, question: True})).level
    assert after >= before


@settings(max_examples=150, deadline=None)
@given(intakes(), st.lists(st.sampled_from(BOOL_IDS), min_size=2, max_size=10, unique=True))
def test_several_yes_never_lower_the_level(answers: dict[str, Any], questions: list[str]) -> None:
    before = triage(Intake({**answers, **{q: False for q in questions}})).level
    after = triage(Intake({**answers, **{q: True for q in questions}})).level
    assert after >= before


@settings(max_examples=150, deadline=None)
@given(intakes())
def test_spreading_leg_pain_never_lowers_the_level(answers: dict[str, Any]) -> None:
    levels = [triage(Intake({**answers, "leg_radiation": value})).level for value in LEG_ORDER]
    assert levels == sorted(levels)
