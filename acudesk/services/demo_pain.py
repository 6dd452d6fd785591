"""The demo clinic's pain drawings: one at each intake and, from the fourth visit, one showing the
pain retreating, drawn to match the complaint (sciatica down the left leg, low back, neck and
shoulders). Written as the pain drawings service writes them, with their audit events."""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy.orm import Session

from acudesk.domain.pain_drawing import PainMark, marks_to_json, validate_marks
from acudesk.persistence.models import PainDrawing
from acudesk.services import audit


def demo_marks(patient_id: int, complaint: str, *, later: bool) -> tuple[PainMark, ...]:
    """Marks for the complaint at the intake, or (``later``) a few visits on, when the pain has eased.
    Their own random numbers (seeded by the patient), so the rest of the demo clinic is as before."""
    worst = random.Random(patient_id).randrange(5, 9) - (3 if later else 0)
    if "leg" in complaint:
        marks = [PainMark("back.low_back.left", "ache", worst), PainMark("back.buttock.left", "ache", worst - 1)]
        if not later:
            marks += [PainMark("back.thigh.left", "burning", worst - 1),
                      PainMark("back.lower_leg.left", "burning", worst),
                      PainMark("back.foot.left", "pins_and_needles", 3)]
    elif "neck" in complaint.lower():
        marks = [PainMark("back.neck", "ache", worst), PainMark("back.shoulder.right", "ache", max(0, worst - 2))]
        if not later:
            marks += [PainMark("back.shoulder.left", "ache", worst - 2), PainMark("back.upper_back.right", "sharp", 4)]
    else:
        marks = [PainMark("back.low_back.right", "ache", worst), PainMark("back.low_back.left", "ache", worst)]
        if not later:
            marks.append(PainMark("back.buttock.right", "ache", worst - 2))
    return validate_marks(marks)


def add_demo_drawing(tx: Session, patient_id: int, practitioner_id: int, marks: tuple[PainMark, ...], at: datetime,
                     *, intake_id: int | None = None, session_id: int | None = None) -> None:
    row = PainDrawing(patient_id=patient_id, intake_id=intake_id, session_id=session_id, marks=marks_to_json(marks),
                      note="", recorded_by_id=practitioner_id, recorded_at=at)
    tx.add(row)
    tx.flush()
    audit.record(tx, None, "create", "pain_drawing", row.id, patient_id=patient_id,
                 detail={"marks": len(marks), "supersedes": None, "intake": intake_id, "session": session_id,
                         "demo": True})
