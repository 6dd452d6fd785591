"""Treatment plan use cases: create and edit, live safety check, templates, repeat last, activate.

Every save runs the contraindication engine (``check_plan``) with the conditions from the patient's
latest signed intake. A point or technique the engine blocks is refused unless it carries an override
reason, which is stored (``override_reason``) and audited. Activation is gated by the treatment-stop
rule (``acudesk.domain.treatment_gate``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.contraindications import Violation, check_plan
from acudesk.domain.errors import NotFoundError, ValidationError, ValidationErrors
from acudesk.domain.input_limits import check_number, load_rules_toml, non_finite_word
from acudesk.domain.intake import Intake as IntakeAnswers
from acudesk.domain.intake import techniques as known_techniques
from acudesk.domain.scheduling import parse_pattern
from acudesk.paths import resource
from acudesk.persistence.database import Database
from acudesk.persistence.models import CoursePhase, Patient, PlanPoint, PlanTechnique, TreatmentPlan, utcnow
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.intakes import gate_for, latest_conditions
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require

SIDES = ("bilateral", "left", "right", "midline")
EDITABLE = ("draft", "active")
# Parameter name -> (label, minimum, maximum, unit); the ranges a plan accepts.
PARAMETERS: Mapping[str, tuple[str, float, float, str]] = MappingProxyType({
    "retention_minutes": ("Retention", 1, 60, "min"),
    "frequency_hz": ("Frequency", 1, 200, "Hz"),
    "intensity_ma": ("Intensity", 0, 20, "mA"),
})
DEFAULT_RETENTION = 20


@dataclass(frozen=True)
class PlannedPoint:
    code: str
    side: str = "bilateral"
    note: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class PlannedTechnique:
    technique: str
    parameters: Mapping[str, float] = field(default_factory=dict)
    override_reason: str = ""


@dataclass(frozen=True)
class PlanDraft:
    complaint: str = ""
    goals: str = ""
    course_pattern: str = ""
    points: tuple[PlannedPoint, ...] = ()
    techniques: tuple[PlannedTechnique, ...] = ()
    baseline_nrs: int | None = None


@dataclass(frozen=True)
class PlanRecord:
    id: int
    patient_id: int
    intake_id: int | None
    status: str
    draft: PlanDraft
    activated_at: datetime | None
    created_at: datetime
    version: int


@dataclass(frozen=True)
class PlanTemplate:
    id: str
    name: str
    source: str
    draft: PlanDraft


def _draft_from_raw(raw: Mapping[str, Any]) -> PlanDraft:
    techs = []
    for t in raw.get("techniques", ()):
        params = {k: v for k, v in t.items() if k in PARAMETERS}
        techs.append(PlannedTechnique(t["technique"], params))
    return PlanDraft(
        raw.get("complaint", ""), raw.get("goals", ""), raw.get("course_pattern", ""),
        tuple(PlannedPoint(p["code"], p.get("side", "bilateral")) for p in raw.get("points", ())), tuple(techs),
    )


@cache
def plan_templates() -> tuple[PlanTemplate, ...]:
    """The templates in ``resources/plan_templates.toml`` (read once)."""
    data = load_rules_toml(resource("plan_templates.toml"))  # no nan or inf
    return tuple(PlanTemplate(t["id"], t["name"], t.get("source", ""), _draft_from_raw(t)) for t in data["template"])


def _record(plan: TreatmentPlan) -> PlanRecord:
    draft = PlanDraft(
        plan.complaint, plan.goals, plan.course_pattern,
        tuple(PlannedPoint(p.point_code, p.side, p.note, p.override_reason) for p in plan.points),
        tuple(PlannedTechnique(t.technique, dict(t.parameters or {}), t.override_reason) for t in plan.techniques),
        plan.baseline_nrs,
    )
    return PlanRecord(plan.id, plan.patient_id, plan.intake_id, plan.status, draft, plan.activated_at,
                      plan.created_at, plan.version)


def safety_check(conditions: IntakeAnswers | Mapping[str, Any], draft: PlanDraft) -> list[Violation]:
    """The engine's findings for the planned points and techniques (block first)."""
    return check_plan(conditions, [p.code for p in draft.points], [t.technique for t in draft.techniques])


def checked_point_code(index: int, code: str, side: str, errors: list[ValidationError]) -> str | None:
    """``code`` in catalogue spelling when it is a known point and ``side`` a known side; otherwise
    None, with the reason added to ``errors`` (field ``points[index]``). Plans and sessions share it."""
    found = load_catalogue().get(code)
    if found is None:
        errors.append(ValidationError(f"Unknown acupoint code '{code}'.", field=f"points[{index}]"))
        return None
    if side not in SIDES:
        errors.append(ValidationError(f"{found.code}: side must be one of {', '.join(SIDES)}.",
                                      field=f"points[{index}]"))
        return None
    return found.code


def validate_draft(draft: PlanDraft, conditions: IntakeAnswers | Mapping[str, Any]) -> PlanDraft:
    """Check the draft; return it with point codes in catalogue spelling. Raises ValidationErrors."""
    errors: list[ValidationError] = []
    if not draft.complaint.strip():
        errors.append(ValidationError("Enter the presenting complaint.", field="complaint"))
    if draft.course_pattern.strip():
        try:
            parse_pattern(draft.course_pattern)
        except ValidationError as error:
            errors.append(ValidationError(error.message, field="course_pattern"))
    baseline = draft.baseline_nrs
    if baseline is not None:
        try:  # never NaN or infinity; whole
            baseline = int(check_number(baseline, "baseline_nrs", "Baseline pain (NRS)", 0, 10, whole=True))
        except ValidationError as error:
            errors.append(error)
    points = []
    for index, point in enumerate(draft.points):
        code = checked_point_code(index, point.code, point.side, errors)
        if code is not None:
            points.append(PlannedPoint(code, point.side, point.note.strip(), point.override_reason.strip()))
    allowed = known_techniques()
    for index, tech in enumerate(draft.techniques):
        if tech.technique not in allowed:
            errors.append(ValidationError(f"Unknown technique '{tech.technique}'.", field=f"techniques[{index}]"))
        for name, value in tech.parameters.items():
            if name not in PARAMETERS:
                errors.append(ValidationError(f"Unknown parameter '{name}'.", field=f"techniques[{index}]"))
                continue
            label, low, high, unit = PARAMETERS[name]
            if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
                    or not low <= value <= high):  # NaN compares false both ways: refused by isfinite
                errors.append(ValidationError(f"{tech.technique}: {label.lower()} must be {low:g}-{high:g} {unit}"
                                              + (f", not {non_finite_word(value)}." if isinstance(value, float)
                                                 and not math.isfinite(value) else "."),
                                              field=f"techniques[{index}].{name}"))
    clean = PlanDraft(draft.complaint.strip(), draft.goals.strip(), draft.course_pattern.strip(), tuple(points),
                      draft.techniques, baseline)
    if not errors:
        errors.extend(_unjustified_blocks(clean, conditions))
    if errors:
        raise ValidationErrors(errors)
    return clean


def _unjustified_blocks(draft: PlanDraft, conditions: IntakeAnswers | Mapping[str, Any]) -> list[ValidationError]:
    reasons = {("point", p.code): p.override_reason for p in draft.points}
    reasons.update({("technique", t.technique): t.override_reason.strip() for t in draft.techniques})
    errors = []
    for violation in safety_check(conditions, draft):
        if violation.severity == "block" and not reasons.get((violation.item_kind, violation.item)):
            errors.append(ValidationError(
                f"{violation.item} is blocked ({violation.rule}: {violation.reason}) "
                "Give an override reason to use it, or remove it.", field=f"override:{violation.item}",
            ))
    return errors


def _overrides(draft: PlanDraft, conditions: IntakeAnswers | Mapping[str, Any]) -> list[dict[str, str]]:
    """The blocked items kept with an override reason (ids only, for the audit log)."""
    return [{"item": v.item, "rule": v.rule} for v in safety_check(conditions, draft) if v.severity == "block"]


def _patient(tx: Session, patient_id: int) -> None:
    if tx.get(Patient, patient_id) is None:
        raise NotFoundError(f"There is no patient no. {patient_id}.")


def _apply(plan: TreatmentPlan, draft: PlanDraft) -> None:
    plan.complaint, plan.goals, plan.course_pattern = draft.complaint, draft.goals, draft.course_pattern
    plan.baseline_nrs = draft.baseline_nrs
    plan.points = [PlanPoint(point_code=p.code, side=p.side, note=p.note, override_reason=p.override_reason)
                   for p in draft.points]
    plan.techniques = [PlanTechnique(technique=t.technique, parameters=dict(t.parameters),
                                     override_reason=t.override_reason.strip()) for t in draft.techniques]
    phases = parse_pattern(draft.course_pattern).phases if draft.course_pattern else ()
    plan.phases = [CoursePhase(position=i, interval_unit=ph.interval.unit, interval_count=ph.interval.n,
                               visits=ph.count) for i, ph in enumerate(phases)]


def save_plan(
    database: Database, actor: Actor, patient_id: int, draft: PlanDraft, *,
    plan_id: int | None = None, expected_version: int | None = None,
) -> PlanRecord:
    """Create a draft plan, or save changes to a draft or active plan."""
    require(actor, Permission.EDIT_CLINICAL)
    with database.write() as tx:
        _patient(tx, patient_id)
        conditions = latest_conditions(tx, patient_id)
        clean = validate_draft(draft, conditions)
        if plan_id is None:
            intake_id = _latest_signed_intake_id(tx, patient_id)
            intake_nrs = conditions.value("pain_nrs")
            if clean.baseline_nrs is None and isinstance(intake_nrs, int):
                clean = replace(clean, baseline_nrs=intake_nrs)
            plan = TreatmentPlan(patient_id=patient_id, intake_id=intake_id, practitioner_id=actor.user_id,
                                 status="draft")
            tx.add(plan)
        else:
            plan = _load(tx, plan_id, expected_version)
            if plan.patient_id != patient_id:
                raise NotFoundError(f"Plan no. {plan_id} belongs to another patient.")
        _apply(plan, clean)
        tx.flush()
        overrides = _overrides(clean, conditions)
        audit.record(tx, actor, "create" if plan_id is None else "update", "treatment_plan", plan.id,
                     patient_id=patient_id, detail={"overrides": overrides} if overrides else None)
        return _record(plan)


def _latest_signed_intake_id(tx: Session, patient_id: int) -> int | None:
    from acudesk.persistence.models import Intake

    return tx.scalar(
        select(Intake.id).where(Intake.patient_id == patient_id, Intake.status == "signed")
        .order_by(Intake.signed_at.desc(), Intake.id.desc()).limit(1)
    )


def _load(tx: Session, plan_id: int, expected_version: int | None) -> TreatmentPlan:
    plan = load_for_change(tx, TreatmentPlan, plan_id, None, what="treatment plan")
    if plan.status not in EDITABLE:
        raise ValidationError(f"This plan is {plan.status} and cannot be changed; start a new plan.", field="plan")
    return load_for_change(tx, TreatmentPlan, plan_id, expected_version, what="treatment plan")


def activate_plan(database: Database, actor: Actor, plan_id: int, *, expected_version: int) -> PlanRecord:
    """Make the plan the patient's active plan (earlier active plans are completed)."""
    require(actor, Permission.EDIT_CLINICAL)
    with database.write() as tx:
        plan = _load(tx, plan_id, expected_version)
        gate_for(tx, plan.patient_id).require()
        if not plan.points:
            raise ValidationError("Add at least one point before activating the plan.", field="points")
        record = _record(plan)
        validate_draft(record.draft, latest_conditions(tx, plan.patient_id))
        for other in tx.scalars(select(TreatmentPlan).where(
                TreatmentPlan.patient_id == plan.patient_id, TreatmentPlan.status == "active",
                TreatmentPlan.id != plan.id)):
            other.status = "completed"
        plan.status = "active"
        plan.activated_at = utcnow()
        tx.flush()
        audit.record(tx, actor, "activate", "treatment_plan", plan.id, patient_id=plan.patient_id)
        return _record(plan)


def list_plans(database: Database, actor: Actor, patient_id: int) -> list[PlanRecord]:
    """The patient's plans, newest first."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        _patient(tx, patient_id)
        # Points and techniques for every plan in one query each (not two lazy loads per plan).
        plans = tx.scalars(select(TreatmentPlan)
                                .options(selectinload(TreatmentPlan.points), selectinload(TreatmentPlan.techniques))
                                .where(TreatmentPlan.patient_id == patient_id)
                                .order_by(TreatmentPlan.created_at.desc(), TreatmentPlan.id.desc())).all()
        records = [_record(p) for p in plans]
        audit.record(tx, actor, "view", "treatment_plan", None, patient_id=patient_id,
                     detail={"count": len(records)})
        return records


def repeat_last(database: Database, actor: Actor, patient_id: int) -> PlanDraft | None:
    """The latest plan's prescription (points, techniques, pattern) to start a new plan from."""
    plans = list_plans(database, actor, patient_id)
    if not plans:
        return None
    last = plans[0].draft
    points = tuple(PlannedPoint(p.code, p.side, p.note) for p in last.points)  # overrides are re-justified
    techs = tuple(PlannedTechnique(t.technique, t.parameters) for t in last.techniques)
    return PlanDraft(last.complaint, last.goals, last.course_pattern, points, techs)


@dataclass(frozen=True)
class PlanContext:
    """What the plan editor needs: the patient's conditions for the live check, and the gate."""

    conditions: IntakeAnswers
    gate_allowed: bool
    gate_message: str


def plan_context(database: Database, actor: Actor, patient_id: int) -> PlanContext:
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        _patient(tx, patient_id)
        gate = gate_for(tx, patient_id)
        return PlanContext(latest_conditions(tx, patient_id), gate.allowed, gate.message)


def needle_count(points: Sequence[PlannedPoint]) -> int:
    """Needles a set of points uses: two for a bilateral point, one otherwise."""
    return sum(2 if p.side == "bilateral" else 1 for p in points)
