"""Outcome measures: record NRS / ODI / NDI / RMDQ / PSFS (scored by ``acudesk.domain.outcomes``), the NRS
trend of the current plan with its baseline and meaningful-change line, and the tapering proposal.

The proposal text comes from ``acudesk.services.replanning.taper_proposal``, so it is exactly what
accepting it (re-planning the visits, a scheduling step) would do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from acudesk.domain import outcomes as scoring
from acudesk.domain.errors import AcuDeskError, NotFoundError, ValidationError
from acudesk.domain.scheduling import parse_pattern
from acudesk.domain.scheduling.tapering import default_taper_rules
from acudesk.persistence.database import Database
from acudesk.persistence.models import OutcomeMeasurement, Patient, SessionRecord, TreatmentPlan
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.sessions import is_current_version

MEASURES = ("NRS", "ODI", "NDI", "RMDQ", "PSFS")
# Domain key for meaningful_change.
_CHANGE_KEY = {"NRS": "nrs", "ODI": "odi", "NDI": "ndi", "RMDQ": "rmdq", "PSFS": "psfs"}


@dataclass(frozen=True)
class Measurement:
    id: int
    measure: str
    score: float
    band: str
    recorded_at: datetime
    session_id: int | None
    change: str = ""  # against the first measurement of the same kind, in words


@dataclass(frozen=True)
class TrendPoint:
    visit: int  # 1-based session number within the plan
    at: datetime
    nrs: int
    phase: int  # 0-based phase of the course pattern the visit falls in


@dataclass(frozen=True)
class OutcomeSummary:
    plan_id: int | None
    baseline: int | None
    meaningful_at: float | None  # NRS at or below this is a meaningful improvement on the baseline
    threshold_text: str
    trend: tuple[TrendPoint, ...]
    measurements: tuple[Measurement, ...]
    proposal: str


def score(measure: str, answers: Any) -> tuple[float, str]:
    """(score, band) for the measure's answers: NRS a number, ODI and NDI ten sections, RMDQ 24 yes/no, PSFS
    ratings. The ODI scores in percent, the NDI in points out of 50."""
    if measure == "NRS":
        return float(scoring.nrs(answers)), ""
    if measure == "ODI":
        result = scoring.odi(answers)
        return result.percent, result.band
    if measure == "NDI":
        found = scoring.ndi(answers)
        return found.points, found.band
    if measure == "RMDQ":
        return float(scoring.rmdq(answers)), ""
    if measure == "PSFS":
        return scoring.psfs(answers), ""
    raise ValidationError(f"Measure must be one of: {', '.join(MEASURES)}.", field="measure")


def record_outcome(
    database: Database, actor: Actor, patient_id: int, measure: str, answers: Any, *, session_id: int | None = None,
) -> Measurement:
    require(actor, Permission.EDIT_CLINICAL)
    value, band = score(measure, answers)
    with database.write() as tx:
        if tx.get(Patient, patient_id) is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        row = OutcomeMeasurement(patient_id=patient_id, session_id=session_id, measure=measure,
                                 answers={"answers": answers}, score=value, band=band, recorded_by_id=actor.user_id)
        tx.add(row)
        tx.flush()
        audit.record(tx, actor, "create", "outcome_measurement", row.id, patient_id=patient_id,
                     detail={"measure": measure})
        return Measurement(row.id, measure, value, band, row.recorded_at, session_id)


def _change(measure: str, first: float, current: float) -> str:
    key = _CHANGE_KEY.get(measure)
    if key is None:
        return ""
    return scoring.meaningful_change(key, first, current).summary  # the rule in its one wording


def meaningful_line(baseline: int) -> float:
    """The highest NRS that still counts as a meaningful improvement on ``baseline`` (rule MIC-NRS), or -1."""
    target = scoring.meaningful_target("nrs", baseline)
    return -1 if target is None else target


def _plan(tx: Session, patient_id: int) -> TreatmentPlan | None:
    plans = tx.scalars(select(TreatmentPlan).where(TreatmentPlan.patient_id == patient_id)
                            .order_by(TreatmentPlan.created_at.desc(), TreatmentPlan.id.desc())).all()
    return next((p for p in plans if p.status == "active"), plans[0] if plans else None)


def not_corrected_since() -> ColumnElement[bool]:
    """Where a measurement still stands: a session's pain score stands until an amendment of the session
    corrects it (the amendment's own score then stands in its place)."""
    current = select(SessionRecord.id).where(is_current_version())
    return or_(OutcomeMeasurement.measure != "NRS", OutcomeMeasurement.session_id.is_(None),
               OutcomeMeasurement.session_id.in_(current))


def _trend(tx: Session, plan: TreatmentPlan) -> list[TrendPoint]:
    rows = tx.execute(select(SessionRecord.session_at, SessionRecord.nrs_before).where(
        SessionRecord.plan_id == plan.id, is_current_version(), SessionRecord.status == "signed",
    ).order_by(SessionRecord.session_at, SessionRecord.id)).all()
    pattern = parse_pattern(plan.course_pattern) if plan.course_pattern else None
    points = []
    for index, (at, nrs) in enumerate(rows):
        if nrs is None:
            continue
        phase = pattern.phase_of(index) if pattern and index < pattern.total else (len(pattern.phases) - 1 if pattern
                                                                                   else 0)
        points.append(TrendPoint(index + 1, at, nrs, phase))
    return points


@dataclass(frozen=True)
class _PlanInfo:
    id: int
    course_pattern: str
    baseline_nrs: int | None


def _proposal(database: Database, actor: Actor, plan: _PlanInfo) -> str:
    """The scheduling service's taper or relapse proposal, as text (accepting it is a separate step)."""
    from acudesk.services import replanning  # replanning needs this module's neighbours; import when asked

    try:
        found = replanning.taper_proposal(database, actor, plan.id)
    except AcuDeskError:
        return "No change proposed."
    return f"{found.kind.capitalize()}: {found.reason}" if found is not None else "No change proposed."


def outcome_summary(database: Database, actor: Actor, patient_id: int) -> OutcomeSummary:
    """The NRS trend of the current plan, every measurement with its change, and the tapering proposal."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        if tx.get(Patient, patient_id) is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        plan = _plan(tx, patient_id)
        trend = _trend(tx, plan) if plan else []
        rows = tx.scalars(select(OutcomeMeasurement).where(OutcomeMeasurement.patient_id == patient_id,
                                                           not_corrected_since())
                               .order_by(OutcomeMeasurement.recorded_at, OutcomeMeasurement.id)).all()
        first: dict[str, float] = {}
        measurements = []
        for row in rows:
            change = _change(row.measure, first[row.measure], row.score) if row.measure in first else "first"
            first.setdefault(row.measure, row.score)
            measurements.append(Measurement(row.id, row.measure, row.score, row.band, row.recorded_at,
                                            row.session_id, change))
        audit.record(tx, actor, "view", "outcome_measurement", None, patient_id=patient_id)
        info = _PlanInfo(plan.id, plan.course_pattern, plan.baseline_nrs) if plan else None
    baseline = info.baseline_nrs if info else None
    if baseline is None and trend:
        baseline = trend[0].nrs
    plan_id = info.id if info else None
    proposal = _proposal(database, actor, info) if info else "No plan yet."
    line = meaningful_line(baseline) if baseline is not None else None
    text = default_taper_rules().threshold_text(baseline) if baseline is not None else ""
    return OutcomeSummary(plan_id, baseline, line, text, tuple(trend), tuple(reversed(measurements)), proposal)

