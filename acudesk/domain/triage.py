"""Red-flag triage for back and neck pain, driven by ``resources/rules/triage.toml``.

Rules are declarative conditions over the intake answers (see :mod:`acudesk.domain.conditions`). The
condition language has no negation, so answering another question "yes" can never lower the level.
Patient conditions that restrict treatment (contraindications) raise a CLEAR result to CAUTION.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
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
        rules.append(
            TriageRule(rid, raw["category"], Level[raw["level"]], raw["when"], raw["text"], raw["source"],
                       int(raw["version"]), bool(raw.get("weak", False)), raw.get("note", ""))
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

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "text": self.text, "source": self.source, "level": self.level.name,
                "category": self.category}


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
    reasons = [Reason(r.id, r.text, r.source, r.level, r.category) for r in fired]
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
        action=tr.level_texts[level.name],
    )
