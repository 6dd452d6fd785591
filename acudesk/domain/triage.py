"""Red-flag triage for back and neck pain, driven by ``resources/rules/triage.toml``.

Rules are declarative conditions over the intake answers (see :mod:`acudesk.domain.conditions`). The
condition language has no negation, so answering another question "yes" can never lower the level.
Patient conditions that restrict treatment (contraindications) raise a CLEAR result to CAUTION.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from acudesk.domain import contraindications
from acudesk.domain.conditions import Condition, check_condition, evaluate
from acudesk.domain.contraindications import Restriction
from acudesk.domain.intake import Intake, Questionnaire, load_rules_file, questionnaire_from_data


class Level(enum.IntEnum):
    CLEAR = 0
    CAUTION = 1
    REFER_BEFORE_TREATMENT = 2
    URGENT_REFERRAL = 3
    EMERGENCY = 4


@dataclass(frozen=True)
class TriageRule:
    id: str
    category: str
    level: Level
    when: Condition
    text: str
    source: str
    version: int
    weak: bool = False
    note: str = ""
    destination: str = ""  # who or where the patient goes (EMERGENCY and URGENT_REFERRAL rules)
    patient_advice: str = ""  # the same, in plain words to the patient
    destination_source: str = ""  # why that destination


# Levels whose every rule must name its destination and the patient's wording.
DESTINATION_LEVELS = ("EMERGENCY", "URGENT_REFERRAL")


@dataclass(frozen=True)
class RiskFactorRule:
    id: str
    when: Condition
    text: str
    source: str
    version: int


@dataclass(frozen=True)
class TriageRules:
    version: str
    questionnaire: Questionnaire
    rules: tuple[TriageRule, ...]
    risk_factors: tuple[RiskFactorRule, ...]
    level_texts: Mapping[str, str]
    safety_netting: Mapping[str, Any]


def rules_from_data(data: Mapping[str, Any]) -> TriageRules:
    qs = questionnaire_from_data(data)
    rules = []
    seen: set[str] = set()
    for raw in data["rule"]:
        rid = raw["id"]
        if rid in seen:
            raise ValueError(f"duplicate triage rule id {rid}")
        seen.add(rid)
        for key in ("category", "level", "when", "text", "source", "version"):
            if key not in raw:
                raise ValueError(f"{rid}: missing {key}")
        check_condition(raw["when"], qs, where=rid)
        if raw["level"] in DESTINATION_LEVELS:
            for key in ("destination", "patient_advice", "destination_source"):
                if not str(raw.get(key, "")).strip():
                    raise ValueError(f"{rid}: a {raw['level']} rule must name its {key}")
        rules.append(
            TriageRule(rid, raw["category"], Level[raw["level"]], raw["when"], raw["text"], raw["source"],
                       int(raw["version"]), bool(raw.get("weak", False)), raw.get("note", ""),
                       raw.get("destination", ""), raw.get("patient_advice", ""), raw.get("destination_source", ""))
        )
    risks = []
    for raw in data.get("risk_factor", []):
        check_condition(raw["when"], qs, where=raw["id"])
        risks.append(RiskFactorRule(raw["id"], raw["when"], raw["text"], raw["source"], int(raw["version"])))
    return TriageRules(
        str(data["version"]), qs, tuple(rules), tuple(risks), data["levels"], data["safety_netting"]
    )


@cache
def load_triage_rules() -> TriageRules:
    return rules_from_data(load_rules_file("triage.toml"))


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str
    source: str
    level: Level
    category: str = ""
    destination: str = ""
    patient_advice: str = ""

    def as_json(self) -> dict[str, str]:
        found = {"rule": self.rule, "text": self.text, "source": self.source, "level": self.level.name,
                 "category": self.category}
        if self.destination:
            found |= {"destination": self.destination, "patient_advice": self.patient_advice}
        return found


@dataclass(frozen=True)
class RiskFactor:
    rule: str
    text: str
    source: str


@dataclass(frozen=True)
class TriageResult:
    level: Level
    reasons: tuple[Reason, ...]
    safety_netting: tuple[str, ...]
    risk_factors: tuple[RiskFactor, ...]
    restrictions: tuple[Restriction, ...]
    rules_version: str
    action: str = field(default="")

    @property
    def blocks_treatment(self) -> bool:
        """True when no treatment may be given now (EMERGENCY or URGENT_REFERRAL)."""
        return self.level >= Level.URGENT_REFERRAL


def triage(intake: Intake, *, rules: TriageRules | None = None) -> TriageResult:
    """Screen an intake: level, reasons (highest first), safety-netting, risk factors, restrictions."""
    tr = rules or load_triage_rules()
    named = tr.questionnaire.named_conditions
    fired = [r for r in tr.rules if evaluate(r.when, intake, named)]
    reasons = [Reason(r.id, r.text, r.source, r.level, r.category, r.destination, r.patient_advice) for r in fired]
    restrictions = tuple(contraindications.restrictions_for(intake))
    for rule in contraindications.active_rules(intake):
        reasons.append(Reason(rule.id, rule.reason, rule.source, Level.CAUTION, "Treatment restriction"))
    reasons.sort(key=lambda r: (-r.level, r.rule))
    level = max((r.level for r in reasons), default=Level.CLEAR)
    safety_netting: tuple[str, ...] = ()
    if fired and all(r.weak for r in fired):
        net = tr.safety_netting
        safety_netting = (f"{net['text']} ({net['id']}; {net['source']})",)
    risk_factors = tuple(
        RiskFactor(r.id, r.text, r.source) for r in tr.risk_factors if evaluate(r.when, intake, named)
    )
    return TriageResult(
        level=level, reasons=tuple(reasons), safety_netting=safety_netting, risk_factors=risk_factors,
        restrictions=restrictions,
        rules_version=f"triage {tr.version}; contraindications {contraindications.load_ruleset().version}",
        action=action_text(level.name, [(r.rule, r.destination) for r in reasons if r.level == level], rules=tr),
    )


def action_text(level: str, destinations: Sequence[tuple[str, str]], *, rules: TriageRules | None = None) -> str:
    """What to do for a result at ``level``: the level's text, then where to send the patient.

    ``destinations``: (rule id, destination) of the rules that fired at that level; each destination is
    named once, with the rules that ask for it: "Same day. No treatment. Where to send the patient:
    Stroke emergency: call 999 ... (RF-CAD-02)."
    """
    tr = rules or load_triage_rules()
    text = tr.level_texts.get(level, "")
    wanted: dict[str, list[str]] = {}
    for rule_id, destination in destinations:
        if destination.strip():
            wanted.setdefault(destination.strip().rstrip("."), []).append(rule_id)
    if wanted:
        text += " Where to send the patient: " + " ".join(
            f"{where} ({', '.join(ids)})." for where, ids in wanted.items())
    return text.strip()


def stored_destination(reason: Mapping[str, Any], key: str = "destination", *,
                       rules: TriageRules | None = None) -> str:
    """The destination (or, with ``key="patient_advice"``, the patient's wording) of a stored reason
    (``Reason.as_json``); for one stored before rules named their destination, the current rule's, when
    the rule still exists at the same level."""
    if reason.get(key):
        return str(reason[key])
    found = destination_of(str(reason.get("rule", "")), rules=rules)
    if found is None or found.level.name != reason.get("level"):
        return ""
    return found.patient_advice if key == "patient_advice" else found.destination


def destination_of(rule_id: str, *, rules: TriageRules | None = None) -> TriageRule | None:
    """The current rule ``rule_id`` (for the destination of a result stored before rules carried one)."""
    tr = rules or load_triage_rules()
    return next((r for r in tr.rules if r.id == rule_id and r.destination), None)
