"""Each emergency and urgent red-flag rule names where the patient goes and what to tell them (issue 13):
a generic "emergency department or spinal team" line sent a suspected arterial dissection to the wrong team."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from acudesk.domain.intake import Intake, load_rules_file
from acudesk.domain.triage import (
    DESTINATION_LEVELS,
    Level,
    action_text,
    load_triage_rules,
    rules_from_data,
    stored_destination,
    triage,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "intakes"
BASE: dict[str, Any] = json.loads((DATA / "clear.json").read_text(encoding="utf-8"))["answers"]
RULES = load_triage_rules().rules
SENDING = [r for r in RULES if r.level.name in DESTINATION_LEVELS]
VASCULAR_WORDS = ("dissection", "vertebrobasilar", "tia", "stroke", "vascular")


def _vascular(rule: Any) -> bool:
    return any(word in f"{rule.category} {rule.text}".lower() for word in VASCULAR_WORDS)


def test_the_rule_set_has_emergency_urgent_and_vascular_rules() -> None:
    assert {r.level for r in SENDING} == {Level.EMERGENCY, Level.URGENT_REFERRAL}
    assert len([r for r in SENDING if _vascular(r)]) >= 5


@pytest.mark.parametrize("rule", SENDING, ids=lambda r: r.id)
def test_every_emergency_and_urgent_rule_names_a_destination_and_patient_wording(rule: Any) -> None:
    assert len(rule.destination) > 20, rule.id
    assert len(rule.patient_advice) > 40, rule.id
    assert rule.destination_source.strip(), rule.id
    assert rule.destination != rule.patient_advice


@pytest.mark.parametrize("rule", [r for r in SENDING if _vascular(r)], ids=lambda r: r.id)
def test_no_vascular_rule_sends_the_patient_to_the_spinal_team(rule: Any) -> None:
    """Suspected dissection or TIA is a stroke emergency: the emergency number and a stroke service."""
    assert rule.level is Level.EMERGENCY
    where = rule.destination.lower()
    assert "spinal team" not in where.replace("not the spinal team", "")
    assert "orthopaedic" not in where
    assert "999" in where and "112" in where and "stroke" in where
    assert "999" in rule.patient_advice and "stroke" in rule.patient_advice
    assert "NG128" in rule.destination_source


def test_cauda_equina_goes_to_the_emergency_department_the_same_day() -> None:
    rule = next(r for r in RULES if r.id == "RF-CES-04")
    assert "Emergency department today" in rule.destination and "BASS" in rule.destination_source


def test_a_rule_without_a_destination_is_refused_when_the_rules_load() -> None:
    data = copy.deepcopy(load_rules_file("triage.toml"))
    rule = next(r for r in data["rule"] if r["id"] == "RF-CAD-02")
    del rule["destination"]
    with pytest.raises(ValueError, match="RF-CAD-02: a EMERGENCY rule must name its destination"):
        rules_from_data(data)
    rule["destination"] = "   "
    with pytest.raises(ValueError, match="destination"):
        rules_from_data(data)


def test_a_dissection_result_sends_the_patient_to_the_stroke_pathway_not_the_spinal_team() -> None:
    result = triage(Intake({**BASE, "pain_neck": True, "double_vision": True}))
    assert result.level is Level.EMERGENCY
    assert "Stroke emergency: call 999 (112 in the EU)" in result.action
    assert "(RF-CAD-02)" in result.action
    assert "on-call spinal" not in result.action
    reason = next(r for r in result.reasons if r.rule == "RF-CAD-02")
    assert reason.as_json()["destination"] == reason.destination and "999" in reason.as_json()["patient_advice"]


def test_two_emergencies_name_both_destinations_once_each() -> None:
    result = triage(Intake({**BASE, "double_vision": True, "tia_symptoms": True, "saddle_numbness": True}))
    assert result.action.count("Stroke emergency") == 1
    assert "(RF-CAD-02, RF-CAD-04)" in result.action
    assert "Emergency department today (A&E)" in result.action and "(RF-CES-04)" in result.action


def test_lower_levels_keep_their_level_text_only() -> None:
    assert action_text("REFER_BEFORE_TREATMENT", []) == "Medical review before a course of treatment starts."
    urgent = triage(Intake({**BASE, "clumsy_hands": True}))
    assert urgent.level is Level.URGENT_REFERRAL
    assert urgent.action.startswith("Priority medical referral") and "GP" in urgent.action


def test_a_result_stored_before_destinations_existed_gets_the_current_rules_destination() -> None:
    old = {"rule": "RF-CAD-01", "text": "…", "level": "EMERGENCY", "source": "AAFP 2020"}
    assert "Stroke emergency" in stored_destination(old)
    assert "999" in stored_destination(old, "patient_advice")
    assert stored_destination({**old, "destination": "As recorded then"}) == "As recorded then"
    assert stored_destination({**old, "level": "CAUTION"}) == ""  # the rule changed level since: say nothing
    assert stored_destination({"rule": "CI-PREG-01", "level": "CAUTION"}) == ""
