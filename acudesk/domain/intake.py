"""The intake questionnaire and the intake: the questions (from ``resources/rules/triage.toml``), their
loading, and the validated answers and plan of one intake.

Intake document (see docs/intake-format.md and resources/rules/intake.schema.json)::

    {"format": "acudesk-intake/1",
     "answers": {"age": 42, "pain_lower_back": true, ...},
     "plan": {"points": ["BL23", "BL40"], "techniques": ["manual"]}}

Parsing a document is :mod:`acudesk.domain.intake_answers`; the condition language of ``required_if``
and the rule sets is :mod:`acudesk.domain.conditions`; the JSON Schema is
:mod:`acudesk.domain.intake_schema`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

from acudesk.domain.conditions import Condition, check_condition
from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import load_rules_toml, non_finite_word
from acudesk.paths import resource

FORMAT = "acudesk-intake/1"
QUESTION_TYPES = ("bool", "int", "number", "choice", "choices", "date")

Answer = bool | int | float | str | date | tuple[str, ...]


@cache
def load_rules_file(name: str) -> dict[str, Any]:
    """A TOML rule set from ``resources/rules/`` (cached; the data are read-only)."""
    return load_rules_toml(resource("rules", name))  # no nan or inf


# --- questions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    type: str
    text: str
    help: str = ""
    required: bool = False
    required_if: Condition | None = None
    required_unless: str | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Questionnaire:
    version: str
    questions: tuple[Question, ...]
    named_conditions: Mapping[str, Condition]
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._by_id)


def questionnaire_from_data(data: Mapping[str, Any]) -> Questionnaire:
    questions = []
    for raw in data.get("question", []):
        qtype = raw["type"]
        if qtype not in QUESTION_TYPES:
            raise ValueError(f"question {raw['id']}: unknown type {qtype!r}")
        questions.append(
            Question(
                id=raw["id"], section=raw["section"], type=qtype, text=raw["text"], help=raw.get("help", ""),
                required=bool(raw.get("required", False)), required_if=raw.get("required_if"),
                required_unless=raw.get("required_unless"), choices=tuple(raw.get("choices", ())),
                minimum=raw.get("minimum"), maximum=raw.get("maximum"),
            )
        )
    named = {name: spec["when"] for name, spec in data.get("conditions", {}).items()}
    result = Questionnaire(str(data["version"]), tuple(questions), MappingProxyType(named))
    for question in questions:
        if question.required_if is not None:
            check_condition(question.required_if, result, where=f"question {question.id}")
    for name, cond in named.items():
        check_condition(cond, result, where=f"condition @{name}")
    return result


def answer_label(question: Question, name: str) -> str:
    """How a message names an answer: the question as the person sees it, and its field in the file."""
    return f"Intake answer “{question.text.strip()}” ({name})"


@cache
def load_questionnaire() -> Questionnaire:
    return questionnaire_from_data(load_rules_file("triage.toml"))


def techniques() -> tuple[str, ...]:
    """The treatment techniques a plan may name (from contraindications.toml)."""
    return tuple(load_rules_file("contraindications.toml")["techniques"])


# --- the intake ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    points: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()


@dataclass(frozen=True)
class Intake:
    """Validated answers (question id -> value) and an optional treatment plan."""

    answers: Mapping[str, Answer] = field(default_factory=dict)
    plan: Plan | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))
        for key, value in self.answers.items():  # every comparison with NaN is false: a NaN BMI passed
            if isinstance(value, float) and not math.isfinite(value):  # "BMI below 18.5" unseen
                question, name = load_questionnaire().get(key), f"answers.{key}"
                shown = answer_label(question, name) if question else name
                raise ValidationError(f"{shown} must be a real number, not {non_finite_word(value)}.", field=name)

    def value(self, question_id: str) -> Answer | None:
        """The answer, or a derived value (``onset_age`` from age and duration), or None."""
        if question_id in self.answers:
            return self.answers[question_id]
        if question_id == "onset_age":
            age, weeks = self.answers.get("age"), self.answers.get("pain_duration_weeks")
            if isinstance(age, int) and isinstance(weeks, int):
                return max(0, age - weeks // 52)
        return None

    def with_answers(self, **changes: Answer) -> Intake:
        return Intake({**self.answers, **changes}, self.plan)
