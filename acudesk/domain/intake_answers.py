"""Parsing an intake document (a dict or JSON text) into an :class:`~acudesk.domain.intake.Intake`,
with errors that name the offending field (see docs/intake-format.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from acudesk.domain.conditions import evaluate
from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import check_json_depth, check_number, load_json
from acudesk.domain.intake import (
    FORMAT,
    Answer,
    Intake,
    Plan,
    Question,
    Questionnaire,
    answer_label,
    load_questionnaire,
    techniques,
)
from acudesk.domain.patients import age_on


def _label(name: str) -> str:
    return f"Intake field '{name}'"


def _parse_answer(question: Question, value: object, name: str) -> Answer:
    label = answer_label(question, name)
    if question.type == "bool":
        if not isinstance(value, bool):
            raise ValidationError(f"{label} must be true or false.", field=name)
        return value
    if question.type in ("int", "number"):  # not NaN, infinity, a 400-digit integer, nor out of range
        return check_number(value, name, label, question.minimum, question.maximum, whole=question.type == "int")
    if question.type == "choice":
        if not isinstance(value, str) or value not in question.choices:
            raise ValidationError(f"{label} must be one of: {', '.join(question.choices)}.", field=name)
        return value
    if question.type == "choices":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(f"{label} must be a list of: {', '.join(question.choices)}.", field=name)
        unknown = [v for v in value if v not in question.choices]
        if unknown:
            raise ValidationError(
                f"{label}: '{unknown[0]}' is not one of: {', '.join(question.choices)}.", field=name
            )
        return tuple(dict.fromkeys(value))
    if question.type == "date":
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValidationError(f"{label} must be a real date, typed dd/mm/yyyy (YYYY-MM-DD in an intake file).",
                                  field=name)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{label} is not a real date: {value}.", field=name) from None
    raise AssertionError(question.type)  # pragma: no cover - types are checked at load


def unanswered_questions(intake: Intake, questionnaire: Questionnaire | None = None) -> tuple[Question, ...]:
    """The questions ``intake`` must still answer before it is complete (and can be signed): every
    required one, every one an answer makes required (``required_if``), and the age unless the date of
    birth stands in for it (``required_unless``). "Not asked" is never read as "no" for these."""
    qs = questionnaire or load_questionnaire()
    missing = []
    for question in qs.questions:
        if question.id in intake.answers:
            continue
        needed = question.required or (
            question.required_if is not None and evaluate(question.required_if, intake, qs.named_conditions)
        )
        if question.required_unless is not None and question.required_unless not in intake.answers:
            needed = True
        if needed:
            missing.append(question)
    return tuple(missing)


def _unanswered(count: int) -> str:
    return f"{count} required question{'s are' if count != 1 else ' is'} unanswered"


def _listed(items: Sequence[str], most: int, separator: str) -> str:
    return separator.join(items[:most]) + (f" and {len(items) - most} more" if len(items) > most else "")


def require_answered(intake: Intake, questionnaire: Questionnaire | None = None) -> None:
    """Refuse to sign an intake with unanswered required questions, saying how many and which."""
    missing = unanswered_questions(intake, questionnaire)
    if missing:
        raise ValidationError(
            f"This intake is incomplete and cannot be signed: {_unanswered(len(missing))} (“Not asked”). "
            f"Ask each one and record the answer first: {_listed([q.text for q in missing], 3, '; ')}.",
            field=f"answers.{missing[0].id}",
        )


def prefilled_answers(date_of_birth: date | None, today: date) -> dict[str, object]:
    """What a new intake starts with: the assessment date (today, the clinic's local date) and, from the
    patient registry, the date of birth and the age it gives today. Every other question starts unanswered."""
    answers: dict[str, object] = {"assessed_on": today.isoformat()}
    if date_of_birth is not None:
        answers["date_of_birth"] = date_of_birth.isoformat()
        answers["age"] = age_on(date_of_birth, today)
    return answers


def parse_plan(raw: object, allowed_techniques: Sequence[str] | None = None) -> Plan:
    allowed = tuple(allowed_techniques) if allowed_techniques is not None else techniques()
    if not isinstance(raw, dict):
        raise ValidationError(
            f"{_label('plan')} must be an object with 'points' and 'techniques'.", field="plan"
        )
    extra = sorted(set(raw) - {"points", "techniques"})
    if extra:
        raise ValidationError(f"{_label('plan.' + extra[0])} is not a plan field.", field=f"plan.{extra[0]}")
    points = raw.get("points", [])
    if not isinstance(points, list):
        raise ValidationError(f"{_label('plan.points')} must be a list of point codes.", field="plan.points")
    for index, code in enumerate(points):
        if not isinstance(code, str) or not code.strip():
            name = f"plan.points[{index}]"
            raise ValidationError(f"{_label(name)} must be a point code such as BL23.", field=name)
    techs = raw.get("techniques", [])
    if not isinstance(techs, list):
        raise ValidationError(f"{_label('plan.techniques')} must be a list.", field="plan.techniques")
    for index, tech in enumerate(techs):
        if tech not in allowed:
            name = f"plan.techniques[{index}]"
            raise ValidationError(f"{_label(name)} must be one of: {', '.join(allowed)}.", field=name)
    return Plan(tuple(c.strip() for c in points), tuple(dict.fromkeys(techs)))


def parse_intake(
    data: object, *, today: date | None = None, questionnaire: Questionnaire | None = None
) -> Intake:
    """Validate an intake document (dict, or JSON text) into an :class:`Intake`.

    Raises :class:`ValidationError` whose message and ``field`` name the first offending field;
    missing required answers are listed together in one message.
    """
    qs = questionnaire or load_questionnaire()
    if isinstance(data, str | bytes):
        data = load_json(data, "The intake", "intake")
    else:
        check_json_depth(data, "The intake", "intake")
    if not isinstance(data, dict):
        raise ValidationError("The intake must be a JSON object with an 'answers' object.", field="intake")
    extra = sorted(set(data) - {"format", "answers", "plan"})
    if extra:
        raise ValidationError(f"{_label(extra[0])} is not part of the intake format.", field=extra[0])
    if "format" in data and data["format"] != FORMAT:
        raise ValidationError(f"{_label('format')} must be \"{FORMAT}\".", field="format")
    raw_answers = data.get("answers")
    if not isinstance(raw_answers, dict):
        raise ValidationError(f"{_label('answers')} is missing or not an object.", field="answers")
    answers: dict[str, Answer] = {}
    for key in raw_answers:
        question = qs.get(key)
        if question is None:
            name = f"answers.{key}"
            raise ValidationError(f"{_label(name)} is not a known question.", field=name)
        if raw_answers[key] is None:
            continue  # null = not answered
        answers[key] = _parse_answer(question, raw_answers[key], f"answers.{key}")
    if "date_of_birth" in answers:
        on = answers.get("assessed_on") or today or date.today()
        assert isinstance(on, date)
        born = answers["date_of_birth"]
        assert isinstance(born, date)
        age = age_on(born, on)
        if age < 0 or age > 120:
            raise ValidationError(
                f"{_label('answers.date_of_birth')} gives an impossible age ({age}).",
                field="answers.date_of_birth",
            )
        if "age" in answers and answers["age"] != age:
            raise ValidationError(
                f"{_label('answers.age')} ({answers['age']}) does not match the date of birth (age {age}).",
                field="answers.age",
            )
        answers["age"] = age
    missing = [f"answers.{q.id}" for q in unanswered_questions(Intake(answers), qs)]
    if missing:
        raise ValidationError(
            f"The intake is incomplete: {_unanswered(len(missing))}: {_listed(missing, 8, ', ')}.", field=missing[0]
        )
    plan = parse_plan(data["plan"]) if data.get("plan") is not None else None
    return Intake(answers, plan)
