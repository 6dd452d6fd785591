"""Contraindications and plan safety, driven by ``resources/rules/contraindications.toml``.

``restrictions_for(conditions)`` lists what a patient's conditions restrict (points, regions,
techniques, acupoint safety attributes); ``check_plan(...)`` checks a planned set of points and
techniques against those restrictions and the general point-anatomy rules. Points are looked up
through a callable (code -> object with ``.code``, ``.region``, ``.safety``) so the rules stay
independent of the acupoint catalogue's storage; by default the catalogue is used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from acudesk.domain.conditions import Condition, check_condition, evaluate
from acudesk.domain.errors import ValidationError
from acudesk.domain.intake import Intake, Questionnaire, load_questionnaire, load_rules_file

SEVERITIES = ("block", "warn")
TARGET_KINDS = ("point", "region", "technique", "safety")
ANY_REGION = "any"


class PointInfo(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def region(self) -> str: ...

    @property
    def safety(self) -> Sequence[Any]: ...


PointLookup = Callable[[str], PointInfo | None]


def normalise_code(code: str) -> str:
    """Comparable form of a point code: 'bl-23' -> 'BL23', 'EX-B2' -> 'EXB2'."""
    return re.sub(r"[^A-Za-z0-9]", "", code).upper()


def expand_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """Expand ranges such as 'BL31..BL34' into BL31, BL32, BL33, BL34."""
    result: list[str] = []
    for code in codes:
        if ".." in code:
            first, last = code.split("..")
            m1, m2 = re.fullmatch(r"([A-Z]+)(\d+)", first), re.fullmatch(r"([A-Z]+)(\d+)", last)
            if not m1 or not m2 or m1.group(1) != m2.group(1) or int(m1.group(2)) > int(m2.group(2)):
                raise ValueError(f"bad point range {code!r}")
            result.extend(f"{m1.group(1)}{n}" for n in range(int(m1.group(2)), int(m2.group(2)) + 1))
        else:
            result.append(code)
    return tuple(result)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    reason: str
    source: str
    version: int
    when: Condition | None = None
    points: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    regions_from: str | None = None
    region_map: Mapping[str, tuple[str, ...]] | None = None
    safety: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    note: str = ""

    @property
    def general(self) -> bool:
        return self.when is None


@dataclass(frozen=True)
class RuleSet:
    version: str
    techniques: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Restriction:
    target: str
    target_kind: str  # point | region | technique | safety
    severity: str  # block | warn
    reason: str
    rule: str
    source: str

    def as_json(self) -> dict[str, str]:
        return {"target": self.target, "target_kind": self.target_kind, "severity": self.severity,
                "reason": self.reason, "rule": self.rule, "source": self.source}


@dataclass(frozen=True)
class Violation(Restriction):
    item: str = ""  # the planned point (canonical code) or technique it hits
    item_kind: str = ""  # point | technique

    def as_json(self) -> dict[str, str]:
        return {**super().as_json(), "item": self.item, "item_kind": self.item_kind}


def ruleset_from_data(data: Mapping[str, Any], qs: Questionnaire | None = None) -> RuleSet:
    qs = qs or load_questionnaire()
    techs = tuple(data["techniques"])
    rules = []
    seen: set[str] = set()
    for raw in data["rule"]:
        rid = raw["id"]
        if rid in seen:
            raise ValueError(f"duplicate contraindication rule id {rid}")
        seen.add(rid)
        if raw["severity"] not in SEVERITIES:
            raise ValueError(f"{rid}: severity must be block or warn")
        for key in ("reason", "source", "version"):
            if key not in raw:
                raise ValueError(f"{rid}: missing {key}")
        if raw.get("when") is not None:
            check_condition(raw["when"], qs, where=rid)
        unknown = set(raw.get("techniques", ())) - set(techs)
        if unknown:
            raise ValueError(f"{rid}: unknown techniques {sorted(unknown)}")
        regions_from = raw.get("regions_from")
        source_question = qs.get(regions_from) if regions_from is not None else None
        if regions_from is not None and (source_question is None or source_question.type != "choices"):
            raise ValueError(f"{rid}: regions_from must name a multiple-choice question")
        region_map = raw.get("region_map")
        rules.append(
            Rule(
                id=rid, severity=raw["severity"], reason=raw["reason"], source=raw["source"],
                version=int(raw["version"]), when=raw.get("when"),
                points=expand_codes(raw.get("points", ())), regions=tuple(raw.get("regions", ())),
                regions_from=regions_from,
                region_map={k: tuple(v) for k, v in region_map.items()} if region_map else None,
                safety=tuple(raw.get("safety", ())), techniques=tuple(raw.get("techniques", ())),
                supersedes=tuple(raw.get("supersedes", ())), note=raw.get("note", ""),
            )
        )
    for rule in rules:
        if not (rule.points or rule.regions or rule.regions_from or rule.safety or rule.techniques):
            raise ValueError(f"{rule.id}: the rule restricts nothing")
        for target in rule.supersedes:
            if target not in seen:
                raise ValueError(f"{rule.id}: supersedes unknown rule {target}")
    return RuleSet(str(data["version"]), techs, tuple(rules))


@cache
def load_ruleset() -> RuleSet:
    return ruleset_from_data(load_rules_file("contraindications.toml"))


def _as_intake(conditions: Intake | Mapping[str, Any]) -> Intake:
    if isinstance(conditions, Intake):
        return conditions
    return Intake({k: tuple(v) if isinstance(v, list) else v for k, v in conditions.items()})


def _active_rules(intake: Intake, ruleset: RuleSet, *, include_general: bool) -> list[Rule]:
    named = load_questionnaire().named_conditions
    active = [
        r for r in ruleset.rules
        if (r.when is None and include_general) or (r.when is not None and evaluate(r.when, intake, named))
    ]
    dropped = {target for r in active for target in r.supersedes}
    return [r for r in active if r.id not in dropped]


def _regions(rule: Rule, intake: Intake) -> tuple[str, ...]:
    regions = list(rule.regions)
    if rule.regions_from:
        chosen = intake.value(rule.regions_from)
        for item in chosen if isinstance(chosen, tuple) else ():
            regions.extend(rule.region_map.get(item, (item,)) if rule.region_map else (item,))
    return tuple(dict.fromkeys(regions))


def _rule_restrictions(rule: Rule, intake: Intake) -> list[Restriction]:
    targets = (
        [(p, "point") for p in rule.points]
        + [(r, "region") for r in _regions(rule, intake)]
        + [(s, "safety") for s in rule.safety]
        + [(t, "technique") for t in rule.techniques]
    )
    return [Restriction(t, kind, rule.severity, rule.reason, rule.id, rule.source) for t, kind in targets]


def _sort_key(r: Restriction) -> tuple[int, str, str, str]:
    return (SEVERITIES.index(r.severity), r.rule, getattr(r, "item", ""), r.target)


def restrictions_for(
    conditions: Intake | Mapping[str, Any], *, include_general: bool = False, ruleset: RuleSet | None = None
) -> list[Restriction]:
    """Restrictions the patient's conditions impose (block first). General anatomy rules only on request."""
    intake = _as_intake(conditions)
    rules = _active_rules(intake, ruleset or load_ruleset(), include_general=include_general)
    return sorted((r for rule in rules for r in _rule_restrictions(rule, intake)), key=_sort_key)


def active_rules(conditions: Intake | Mapping[str, Any], *, ruleset: RuleSet | None = None) -> list[Rule]:
    """The patient-specific rules that apply (used by triage to explain CAUTION)."""
    return _active_rules(_as_intake(conditions), ruleset or load_ruleset(), include_general=False)


# --- point lookup -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnplacedPoint:
    """Stand-in when no catalogue is available: the region is unknown, so every region rule applies."""

    code: str
    region: str = ANY_REGION
    safety: tuple[Any, ...] = ()


def default_point_lookup() -> PointLookup:
    """The acupoint catalogue's ``get``; without a catalogue, a cautious stand-in (region 'any')."""
    try:
        from acudesk.domain.acupoint_files import load_catalogue
    except ImportError:
        return lambda code: _UnplacedPoint(normalise_code(code))
    return load_catalogue().get


def _safety_kinds(point: PointInfo) -> set[str]:
    return {getattr(s, "kind", s) for s in (point.safety or ())}


def check_plan(
    conditions: Intake | Mapping[str, Any],
    points: Sequence[str],
    techniques: Sequence[str],
    point_lookup: PointLookup | None = None,
    *,
    ruleset: RuleSet | None = None,
) -> list[Violation]:
    """Violations of the plan: one per planned point or technique per rule, block first.

    Raises ValidationError for an unknown point code or technique. A plan with points but no
    technique is checked as manual needling (safer).
    """
    rs = ruleset or load_ruleset()
    lookup = point_lookup or default_point_lookup()
    intake = _as_intake(conditions)
    planned_techniques = list(dict.fromkeys(techniques))
    for index, tech in enumerate(planned_techniques):
        if tech not in rs.techniques:
            raise ValidationError(
                f"Unknown technique '{tech}'; use one of: {', '.join(rs.techniques)}.",
                field=f"plan.techniques[{index}]",
            )
    if points and not planned_techniques:
        planned_techniques = ["manual"]
    planned_points: list[PointInfo] = []
    for index, code in enumerate(points):
        point = lookup(code)
        if point is None:
            raise ValidationError(f"Unknown acupoint code '{code}'.", field=f"plan.points[{index}]")
        if all(normalise_code(point.code) != normalise_code(p.code) for p in planned_points):
            planned_points.append(point)
    violations: list[Violation] = []
    for rule in _active_rules(intake, rs, include_general=True):
        codes = {normalise_code(c) for c in rule.points}
        regions = set(_regions(rule, intake))
        safety = set(rule.safety)
        for point in planned_points:
            target, kind = _point_hit(point, codes, regions, safety)
            if target:
                violations.append(_violation(rule, target, kind, point.code, "point"))
        for tech in planned_techniques:
            if tech in rule.techniques:
                violations.append(_violation(rule, tech, "technique", tech, "technique"))
    return sorted(violations, key=_sort_key)


def _violation(rule: Rule, target: str, kind: str, item: str, item_kind: str) -> Violation:
    return Violation(target, kind, rule.severity, rule.reason, rule.id, rule.source, item, item_kind)


def _point_hit(point: PointInfo, codes: set[str], regions: set[str], safety: set[str]) -> tuple[str, str]:
    if normalise_code(point.code) in codes:
        return point.code, "point"
    kinds = _safety_kinds(point) & safety
    if kinds:
        return sorted(kinds)[0], "safety"
    if regions and (point.region in regions or point.region == ANY_REGION):
        return (point.region if point.region in regions else ",".join(sorted(regions))), "region"
    return "", ""
