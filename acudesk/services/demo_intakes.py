"""Intake answers for the demo clinic's invented patients, screened by the real triage engine."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from acudesk.domain.intake import load_questionnaire
from acudesk.domain.intake_answers import parse_intake
from acudesk.domain.patients import age_on
from acudesk.domain.triage import TriageResult, triage
from acudesk.persistence.models import Patient


def _all_no() -> dict[str, Any]:
    """Every required yes/no question answered "no" (a clean screen)."""
    answers: dict[str, Any] = {}
    for question in load_questionnaire().questions:
        if getattr(question, "required", False) and question.type == "bool":
            answers[question.id] = False
    return answers


def demo_intake(rng: random.Random, patient: Patient, complaint: str, on: date) -> tuple[dict[str, Any], TriageResult]:
    answers = _all_no()
    neck = "neck" in complaint.lower()
    answers.update(
        age=age_on(patient.date_of_birth, on),
        pain_neck=neck,
        pain_upper_back=neck and rng.random() < 0.4,
        pain_lower_back=not neck,
        leg_radiation="one_leg" if "leg" in complaint else "none",
        pain_duration_weeks=rng.choice((8, 14, 26, 52, 104)),
        pain_nrs=rng.randrange(4, 9),
        assessed_on=on.isoformat(),
    )
    roll = rng.random()
    if roll < 0.02:
        answers["saddle_numbness"] = True  # a cauda equina presentation: EMERGENCY, no plan
    elif roll < 0.08:
        answers["anticoagulants"] = True
    elif roll < 0.11 and patient.sex == "female" and answers["age"] < 45:
        answers.update(pregnant=True, pregnancy_weeks=rng.randrange(14, 30))
    elif roll < 0.14:
        answers["night_pain"] = True
    if rng.random() < 0.3:
        answers["smoking"] = True
    if rng.random() < 0.3:
        answers["lack_of_exercise"] = True
    intake = parse_intake({"format": "acudesk-intake/1", "answers": answers}, today=on)
    return answers, triage(intake)
