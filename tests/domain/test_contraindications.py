from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from acudesk.domain.contraindications import (
    Violation,
    check_plan,
    default_point_lookup,
    expand_codes,
    load_ruleset,
    normalise_code,
    restrictions_for,
    ruleset_from_data,
)
from acudesk.domain.errors import ValidationError
from acudesk.paths import resource


@dataclass(frozen=True)
class FakePoint:
    code: str
    region: str
    safety: tuple[Any, ...] = ()


def _p(code: str, region: str, *kinds: str) -> FakePoint:
    return FakePoint(code, region, tuple(SimpleNamespace(kind=k, detail="", source="test") for k in kinds))


POINTS = {
    normalise_code(p.code): p
    for p in [
        _p("LI4", "hand", "pregnancy_forbidden"),
        _p("SP6", "leg", "pregnancy_forbidden"),
        _p("BL60", "ankle", "pregnancy_forbidden"),
        _p("BL67", "foot"),
        _p("BL31", "sacral"),
        _p("BL32", "sacral"),
        _p("BL33", "sacral"),
        _p("BL34", "sacral"),
        _p("GB21", "shoulder", "pneumothorax_risk", "pregnancy_caution"),
        _p("LR3", "foot", "fainting_caution", "pregnancy_caution"),
        _p("BL23", "lumbar", "organ_depth_kidney"),
        _p("BL52", "lumbar", "organ_depth_kidney"),
        _p("BL25", "lumbar"),
        _p("BL40", "knee"),
        _p("GV3", "lumbar"),
        _p("CV4", "lower_abdomen"),
        _p("CV12", "upper_abdomen"),
        _p("LU1", "chest", "pneumothorax_risk"),
        _p("BL13", "upper_back"),  # no attribute: caught by the explicit code list BL11..BL21
        _p("ST9", "neck", "major_vessel"),
        _p("GB20", "neck"),
        _p("SI3", "hand"),
        _p("TE5", "forearm"),
        _p("LI14", "upper_arm"),
        _p("GB31", "thigh"),
        _p("ST36", "leg"),
        _p("KI3", "ankle"),
        _p("EX-B2", "lumbar"),
        _p("Ashi", "any"),
        _p("GV20", "head"),
    ]
}


def lookup(code: str) -> FakePoint | None:
    return POINTS.get(normalise_code(code))


def plan(conditions: dict[str, Any], points: list[str], techniques: list[str]) -> list[Violation]:
    return check_plan(conditions, points, techniques, point_lookup=lookup)


def hits(violations: list[Violation], rule: str) -> list[tuple[str, str]]:
    return [(v.item, v.severity) for v in violations if v.rule == rule]


# rule -> (conditions, points, techniques, expected (item, severity) hits, negative conditions)
RULE_CASES: dict[str, tuple[dict[str, Any], list[str], list[str], set[tuple[str, str]], dict[str, Any]]] = {
    "CI-PREG-01": (
        {"pregnant": True, "pregnancy_weeks": 20},
        ["LI4", "SP6", "BL67", "BL33", "GB20"],
        [],
        {("LI4", "block"), ("SP6", "block"), ("BL67", "block"), ("BL33", "block")},
        {"pregnant": False},
    ),
    "CI-PREG-02": (
        {"pregnant": True, "pregnancy_weeks": 20},
        ["GB21", "LR3", "BL25", "CV4", "TE5"],
        [],
        {("GB21", "warn"), ("LR3", "warn"), ("BL25", "warn"), ("CV4", "warn")},
        {},
    ),
    "CI-PREG-03": (
        {"pregnant": True, "pregnancy_weeks": 8},
        ["BL25", "CV4", "BL33", "CV12"],
        [],
        {("BL25", "block"), ("CV4", "block"), ("BL33", "block")},
        {"pregnant": True, "pregnancy_weeks": 13},
    ),
    "CI-PREG-04": (
        {"pregnant": True, "pregnancy_weeks": 13},
        ["CV12", "CV4"],
        [],
        {("CV12", "warn")},
        {"pregnant": True, "pregnancy_weeks": 12},
    ),
    "CI-PREG-05": (
        {"pregnant": True},
        [],
        ["electroacupuncture", "tens", "manual"],
        {("electroacupuncture", "warn"), ("tens", "warn")},
        {},
    ),
    "CI-PREG-06": ({"pregnant": True}, [], ["cupping", "moxibustion"], {("cupping", "block")}, {}),
    "CI-BLEED-01": (
        {"anticoagulants": True},
        ["GB20"],
        ["manual", "trigger_point", "cupping"],
        {("manual", "warn"), ("trigger_point", "warn")},
        {"anticoagulants": False},
    ),
    "CI-BLEED-02": (
        {"bleeding_disorder": True},
        [],
        ["cupping", "bleeding", "manual"],
        {("cupping", "block"), ("bleeding", "block")},
        {"bleeding_disorder": False},
    ),
    "CI-DEV-01": (
        {"pacemaker": True},
        [],
        ["electroacupuncture", "tens", "manual"],
        {("electroacupuncture", "block"), ("tens", "block")},
        {},
    ),
    "CI-DEV-02": (
        {"pacemaker": True},
        ["LU1", "GB21", "BL23"],
        ["manual"],
        {("LU1", "warn"), ("GB21", "warn")},
        {},
    ),
    "CI-EPI-01": (
        {"epilepsy": True},
        [],
        ["electroacupuncture", "manual"],
        {("electroacupuncture", "warn")},
        {},
    ),
    "CI-SKIN-01": (
        {"skin_lesion": True, "skin_lesion_regions": ["lumbar"]},
        ["BL23", "BL40", "Ashi"],
        ["manual"],
        {("BL23", "block"), ("Ashi", "block")},
        {"skin_lesion": False, "skin_lesion_regions": ["lumbar"]},
    ),
    "CI-SKIN-02": (
        {"skin_lesion": True, "skin_lesion_regions": ["hand"]},
        [],
        ["cupping", "moxibustion", "manual"],
        {("cupping", "warn"), ("moxibustion", "warn")},
        {},
    ),
    "CI-LYMPH-01": (
        {"lymphoedema": True, "lymphoedema_limbs": ["arm"]},
        ["LI4", "TE5", "LI14", "ST36"],
        [],
        {("LI4", "warn"), ("TE5", "warn"), ("LI14", "warn")},
        {"lymphoedema": False},
    ),
    "CI-DIAB-01": (
        {"diabetes": True},
        ["LR3", "SI3", "ST36", "KI3", "BL40", "GB31"],
        [],
        {("LR3", "warn"), ("SI3", "warn"), ("ST36", "warn"), ("KI3", "warn")},
        {},
    ),
    "CI-DIAB-02": ({"diabetes": True}, [], ["moxibustion", "cupping"], {("moxibustion", "warn")}, {}),
    "CI-METAL-01": ({"metal_allergy": True}, [], ["manual", "cupping"], {("manual", "warn")}, {}),
    "CI-FAINT-01": ({"needle_phobia": True}, [], ["manual", "cupping"], {("manual", "warn")}, {}),
    "CI-IMMUNE-01": ({"immunosuppressed": True}, [], ["manual", "tens"], {("manual", "warn")}, {}),
    "CI-CANCER-01": (
        {"cancer_history": True},
        [],
        ["manual", "tens"],
        {("manual", "warn"), ("tens", "warn")},
        {},
    ),
    "CI-FEVER-01": ({"fever": True}, [], ["cupping", "manual"], {("cupping", "block")}, {}),
    # general rules: every patient
    "CI-PTX-01": (
        {},
        ["GB21", "LU1", "BL13", "BL23"],
        [],
        {("GB21", "warn"), ("LU1", "warn"), ("BL13", "warn")},
        {"low_bmi": True},
    ),
    "CI-PTX-02": ({"low_bmi": True}, ["GB21", "BL40"], [], {("GB21", "warn")}, {"bmi": 18.5}),
    "CI-KIDNEY-01": (
        {},
        ["BL23", "BL52", "BL25"],
        [],
        {("BL23", "warn"), ("BL52", "warn")},
        {"__plan__": ["BL25"]},
    ),
    "CI-FAINTPT-01": ({}, ["LR3", "SI3"], [], {("LR3", "warn")}, {"__plan__": ["SI3"]}),
    "CI-VESSEL-01": ({}, ["ST9", "GB20"], [], {("ST9", "warn")}, {"__plan__": ["GB20"]}),
}


def test_every_rule_has_a_case() -> None:
    assert {r.id for r in load_ruleset().rules} == set(RULE_CASES)


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_positive(rule_id: str) -> None:
    conditions, points, techniques, expected, _ = RULE_CASES[rule_id]
    assert set(hits(plan(conditions, points, techniques), rule_id)) == expected


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_rule_negative(rule_id: str) -> None:
    conditions, points, techniques, _, negative = RULE_CASES[rule_id]
    negative = dict(negative)
    points = negative.pop("__plan__", points)
    assert hits(plan(negative, points, techniques), rule_id) == []


@pytest.mark.parametrize("rule_id", sorted(r.id for r in load_ruleset().rules if not r.general))
def test_restrictions_for_patient_rules(rule_id: str) -> None:
    conditions, _, _, _, negative = RULE_CASES[rule_id]
    assert rule_id in {r.rule for r in restrictions_for(conditions)}
    assert rule_id not in {
        r.rule for r in restrictions_for({k: v for k, v in negative.items() if k != "__plan__"})
    }


def test_general_rules_only_listed_on_request() -> None:
    assert restrictions_for({}) == []
    assert {r.rule for r in restrictions_for({}, include_general=True)} == {
        "CI-PTX-01",
        "CI-KIDNEY-01",
        "CI-FAINTPT-01",
        "CI-VESSEL-01",
    }


def test_restriction_shape() -> None:
    restrictions = restrictions_for({"pregnant": True, "pregnancy_weeks": 30})
    sp6 = next(r for r in restrictions if r.target == "SP6")
    assert (sp6.target_kind, sp6.severity, sp6.rule) == ("point", "block", "CI-PREG-01")
    assert sp6.reason and sp6.source
    assert {r.target for r in restrictions if r.rule == "CI-PREG-01"} >= {"BL31", "BL32", "BL33", "BL34"}
    assert any(r.target == "pregnancy_forbidden" and r.target_kind == "safety" for r in restrictions)
    assert any(r.target == "cupping" and r.target_kind == "technique" for r in restrictions)
    severities = [r.severity for r in restrictions]
    assert severities == sorted(severities, key=["block", "warn"].index)


def test_skin_lesion_regions_become_region_restrictions() -> None:
    restrictions = restrictions_for({"skin_lesion": True, "skin_lesion_regions": ["neck", "hand"]})
    assert {(r.target, r.target_kind, r.severity) for r in restrictions if r.rule == "CI-SKIN-01"} == {
        ("neck", "region", "block"),
        ("hand", "region", "block"),
    }


def test_lymphoedema_limb_maps_to_regions() -> None:
    restrictions = restrictions_for({"lymphoedema": True, "lymphoedema_limbs": ["leg"]})
    assert {r.target for r in restrictions if r.rule == "CI-LYMPH-01"} == {
        "thigh",
        "knee",
        "leg",
        "ankle",
        "foot",
    }


# --- check_plan examples ----------------------------------------------------------------------------


def test_pregnant_sp6_is_blocked() -> None:
    violations = plan({"pregnant": True, "pregnancy_weeks": 24}, ["SP6"], ["manual"])
    assert violations[0].rule == "CI-PREG-01"
    assert (violations[0].item, violations[0].severity) == ("SP6", "block")


def test_anticoagulant_cupping_is_blocked() -> None:
    violations = plan({"anticoagulants": True}, [], ["cupping"])
    assert [(v.rule, v.item, v.severity) for v in violations] == [("CI-BLEED-02", "cupping", "block")]


def test_pacemaker_electroacupuncture_is_blocked() -> None:
    violations = plan({"pacemaker": True}, ["BL23"], ["electroacupuncture"])
    assert ("CI-DEV-01", "electroacupuncture", "block") in [(v.rule, v.item, v.severity) for v in violations]


@pytest.mark.parametrize("conditions", [{"low_bmi": True}, {"bmi": 17.2}])
def test_gb21_with_low_bmi_gets_the_stronger_warning(conditions: dict[str, Any]) -> None:
    low = plan(conditions, ["GB21"], [])
    normal = plan({"bmi": 24.0}, ["GB21"], [])
    assert [v.rule for v in low] == ["CI-PTX-02"]  # the ordinary warning is superseded
    assert [v.rule for v in normal] == ["CI-PTX-01"]
    assert low[0].severity == normal[0].severity == "warn"
    assert "LOW BMI" in low[0].reason and "LOW BMI" not in normal[0].reason


def test_block_sorted_first_and_one_violation_per_item_per_rule() -> None:
    violations = plan(
        {"pregnant": True, "pregnancy_weeks": 30, "anticoagulants": True},
        ["GB21", "SP6", "GB21", "sp-6"],
        ["manual", "cupping"],
    )
    severities = [v.severity for v in violations]
    assert severities == sorted(severities, key=["block", "warn"].index)
    keys = [(v.rule, v.item) for v in violations]
    assert len(keys) == len(set(keys))
    # GB21 matches CI-PREG-02 by code and by its pregnancy_caution attribute: still one violation
    assert keys.count(("CI-PREG-02", "GB21")) == 1


def test_points_without_technique_are_checked_as_manual_needling() -> None:
    assert hits(plan({"anticoagulants": True}, ["GB20"], []), "CI-BLEED-01") == [("manual", "warn")]
    assert plan({"anticoagulants": True}, [], []) == []


def test_violation_names_the_matching_target() -> None:
    violation = next(
        v for v in plan({"pregnant": True, "pregnancy_weeks": 30}, ["CV4"], []) if v.rule == "CI-PREG-02"
    )
    assert (violation.target, violation.target_kind, violation.item_kind) == (
        "lower_abdomen",
        "region",
        "point",
    )
    as_json = violation.as_json()
    assert as_json["item"] == "CV4" and as_json["severity"] == "warn"


@pytest.mark.parametrize(
    ("points", "techniques", "field"),
    [(["BL23", "XX99"], [], "plan.points[1]"), (["BL23"], ["manual", "laser"], "plan.techniques[1]")],
)
def test_unknown_point_or_technique(points: list[str], techniques: list[str], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        plan({}, points, techniques)
    assert info.value.field == field


def test_without_catalogue_points_are_treated_as_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_catalogue(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "acudesk.domain.acupoint_files":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_catalogue)
    fallback = default_point_lookup()
    point = fallback("bl-25")
    assert point is not None and point.code == "BL25" and point.region == "any"
    violations = check_plan({"pregnant": True, "pregnancy_weeks": 8}, ["bl-25"], [], point_lookup=fallback)
    assert ("CI-PREG-03", "block") in [(v.rule, v.severity) for v in violations]


def test_real_catalogue() -> None:
    acupoint_files = pytest.importorskip("acudesk.domain.acupoint_files")
    catalogue = acupoint_files.load_catalogue()
    violations = check_plan(
        {"pregnant": True, "pregnancy_weeks": 20},
        ["sp6", "BL-23", "GB21"],
        ["manual"],
        point_lookup=catalogue.get,
    )
    found = {(v.rule, v.item, v.severity) for v in violations}
    assert ("CI-PREG-01", "SP6", "block") in found
    assert ("CI-PREG-02", "BL23", "warn") in found  # lumbar
    assert ("CI-KIDNEY-01", "BL23", "warn") in found
    assert ("CI-PTX-01", "GB21", "warn") in found


# --- data ---------------------------------------------------------------------------------------


def test_code_helpers() -> None:
    assert expand_codes(["BL31..BL34", "LI4"]) == ("BL31", "BL32", "BL33", "BL34", "LI4")
    assert normalise_code("ex-b2") == "EXB2" and normalise_code("BL 23") == "BL23"
    with pytest.raises(ValueError):
        expand_codes(["BL34..BL31"])
    with pytest.raises(ValueError):
        expand_codes(["BL31..GB34"])


def test_rule_data_integrity() -> None:
    rules = load_ruleset()
    assert rules.version
    for rule in rules.rules:
        assert rule.id.startswith("CI-") and rule.reason and rule.source and rule.version >= 1
        for code in rule.points:
            assert re.fullmatch(r"[A-Z]{2}\d+", code), code


def _data() -> dict[str, Any]:
    return tomllib.loads(resource("rules", "contraindications.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "bad",
    [
        {
            "id": "CI-X",
            "severity": "maybe",
            "techniques": ["manual"],
            "reason": "r",
            "source": "s",
            "version": 1,
        },
        {
            "id": "CI-X",
            "severity": "warn",
            "techniques": ["laser"],
            "reason": "r",
            "source": "s",
            "version": 1,
        },
        {"id": "CI-X", "severity": "warn", "reason": "r", "source": "s", "version": 1},
        {"id": "CI-X", "severity": "warn", "techniques": ["manual"], "reason": "r", "version": 1},
        {
            "id": "CI-X",
            "when": "pregnent",
            "severity": "warn",
            "techniques": ["manual"],
            "reason": "r",
            "source": "s",
            "version": 1,
        },
        {
            "id": "CI-PTX-01",
            "severity": "warn",
            "techniques": ["manual"],
            "reason": "r",
            "source": "s",
            "version": 1,
        },
        {
            "id": "CI-X",
            "severity": "warn",
            "regions_from": "fever",
            "reason": "r",
            "source": "s",
            "version": 1,
        },
        {
            "id": "CI-X",
            "severity": "warn",
            "techniques": ["manual"],
            "supersedes": ["CI-NONE"],
            "reason": "r",
            "source": "s",
            "version": 1,
        },
    ],
)
def test_malformed_rules_are_refused(bad: dict[str, Any]) -> None:
    data = _data()
    data["rule"].append(bad)
    with pytest.raises(ValueError):
        ruleset_from_data(data)


def test_every_rule_point_code_is_in_the_real_catalogue() -> None:
    acupoints = pytest.importorskip("acudesk.domain.acupoints")
    catalogue = pytest.importorskip("acudesk.domain.acupoint_files").load_catalogue()
    missing = [(r.id, code) for r in load_ruleset().rules for code in r.points if catalogue.get(code) is None]
    assert missing == []
    regions = {r for rule in load_ruleset().rules for r in rule.regions}
    for rule in load_ruleset().rules:
        for mapped in (rule.region_map or {}).values():
            regions.update(mapped)
    from acudesk.domain.intake import load_questionnaire

    regions.update(load_questionnaire().get("skin_lesion_regions").choices)  # type: ignore[union-attr]
    assert regions <= set(acupoints.REGIONS)
