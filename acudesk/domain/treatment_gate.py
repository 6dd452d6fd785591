"""The treatment-stop rule: may this patient be treated now?

An intake whose triage blocks treatment (EMERGENCY or URGENT_REFERRAL) stops every treatment plan
from being activated and every session from being recorded until the practitioner has recorded what
was done about it (the referral) AND a later signed intake no longer blocks treatment. An intake at
REFER_BEFORE_TREATMENT asks for a medical review before a course starts, so it needs the review
recorded too. A patient with no signed intake has not been screened for red flags and cannot be
treated yet (AcuDesk's safer choice; see docs/clinical-workflow.md).

Pure function over plain data, so the rule is tested without a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from acudesk.domain import dates
from acudesk.domain.errors import AcuDeskError

BLOCKING_LEVELS = ("EMERGENCY", "URGENT_REFERRAL")
REVIEW_LEVELS = ("REFER_BEFORE_TREATMENT",)
REFERRAL_LEVELS = BLOCKING_LEVELS + REVIEW_LEVELS


class TreatmentBlockedError(AcuDeskError):
    """Treatment is stopped for this patient by the red-flag screening; ``message`` says what to do."""


@dataclass(frozen=True)
class ScreenedIntake:
    """What the gate needs to know about one signed intake."""

    id: int
    level: str  # triage level name
    signed_at: datetime
    referral_action: str = ""


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    message: str
    blocking_intake_id: int | None = None
    needs_referral: bool = False  # the practitioner must record what was done about the referral
    needs_new_intake: bool = False  # a later intake must clear the red flag

    def require(self) -> None:
        if not self.allowed:
            raise TreatmentBlockedError(self.message)


def treatment_gate(signed_intakes: Sequence[ScreenedIntake], zone: tzinfo | None = None) -> GateDecision:
    """Decide from the patient's signed intakes (any order) whether treatment may go ahead; the messages
    name each intake by its day in ``zone`` (the clinic's)."""

    def _when(intake: ScreenedIntake) -> str:
        return dates.day(dates.in_zone(intake.signed_at, zone) if zone is not None else intake.signed_at)

    if not signed_intakes:
        return GateDecision(
            False,
            "No signed intake: complete and sign an intake (red-flag screening) before treatment.",
            needs_new_intake=True,
        )
    ordered = sorted(signed_intakes, key=lambda i: (i.signed_at, i.id))
    latest = ordered[-1]
    blocking = [i for i in ordered if i.level in BLOCKING_LEVELS]
    if latest.level in BLOCKING_LEVELS:
        todo = []
        if not latest.referral_action.strip():
            todo.append("record what was done about the referral")
        todo.append("sign a new intake once the red flag has been medically cleared")
        return GateDecision(
            False,
            f"Treatment is stopped: the intake of {_when(latest)} is {latest.level.replace('_', ' ')}. "
            f"No needling until you {' and '.join(todo)}.",
            blocking_intake_id=latest.id,
            needs_referral=not latest.referral_action.strip(),
            needs_new_intake=True,
        )
    unanswered = [i for i in blocking if not i.referral_action.strip()]
    if unanswered:
        stop = unanswered[-1]
        return GateDecision(
            False,
            f"Treatment is stopped: the intake of {_when(stop)} was {stop.level.replace('_', ' ')} and nothing "
            "has been recorded about the referral. Record what was done (referred where, when, outcome) first.",
            blocking_intake_id=stop.id,
            needs_referral=True,
        )
    if latest.level in REVIEW_LEVELS and not latest.referral_action.strip():
        return GateDecision(
            False,
            f"The intake of {_when(latest)} asks for a medical review before a course of treatment starts. "
            "Record the outcome of the review first.",
            blocking_intake_id=latest.id,
            needs_referral=True,
        )
    if blocking:
        return GateDecision(True, f"Red flag of {_when(blocking[-1])} cleared by the intake of {_when(latest)}.")
    return GateDecision(True, "No red flag stops treatment.")
