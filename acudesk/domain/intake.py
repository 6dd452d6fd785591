"""The intake questionnaire: questions (from ``resources/rules/triage.toml``), parsing of an intake
document (a dict or JSON text) with field-named errors, and the small condition language the rule
sets use.

Intake document (see docs/intake-format.md and resources/rules/intake.schema.json)::

    {"format": "acudesk-intake/1",
     "answers": {"age": 42, "pain_lower_back": true, ...},
     "plan": {"points": ["BL23", "BL40"], "techniques": ["manual"]}}

Regenerate the JSON Schema after changing questions::

    python -m acudesk.domain.intake > resources/rules/intake.schema.json
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

from acudesk.domain.errors import ValidationError
from acudesk.paths import resource

FORMAT = "acudesk-intake/1"
QUESTION_TYPES = ("bool", "int", "number", "choice", "choices", "date")

Answer = bool | int | float | str | date | tuple[str, ...]
Condition = str | Mapping[str, Any]


@cache
def load_rules_file(name: str) -> dict[str, Any]:
    """A TOML rule set from ``resources/rules/`` (cached; the data are read-only)."""
    with open(resource("rules", name), "rb") as handle:
        return tomllib.load(handle)


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def get(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)  # type: ignore[attr-defined,no-any-return]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._by_id)  # type: ignore[attr-defined]


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


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _label(name: str) -> str:
    return f"Intake field '{name}'"


def _parse_answer(question: Question, value: object, name: str) -> Answer:
    label = _label(name)
    if question.type == "bool":
        if not isinstance(value, bool):
            raise ValidationError(f"{label} must be true or false.", field=name)
        return value
    if question.type in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"{label} must be a number.", field=name)
        number: int | float = value
        if question.type == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValidationError(f"{label} must be a whole number.", field=name)
                number = int(value)
        low, high = question.minimum, question.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(
                f"{label} must be between {low:g} and {high:g}, not {number:g}.", field=name
            )
        return number
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
            raise ValidationError(f"{label} must be a date written YYYY-MM-DD.", field=name)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{label} is not a real date: {value}.", field=name) from None
    raise AssertionError(question.type)  # pragma: no cover - types are checked at load


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
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ValidationError(
                f"The intake is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}).",
                field="intake",
            ) from None
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
    intake = Intake(answers)
    missing = []
    for question in qs.questions:
        if question.id in answers:
            continue
        needed = question.required or (
            question.required_if is not None and evaluate(question.required_if, intake, qs.named_conditions)
        )
        if question.required_unless is not None and question.required_unless not in answers:
            needed = True
        if needed:
            missing.append(f"answers.{question.id}")
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise ValidationError(
            f"The intake is incomplete: {shown} must be answered.", field=missing[0]
        )
    plan = parse_plan(data["plan"]) if data.get("plan") is not None else None
    return Intake(answers, plan)


# --- condition language -------------------------------------------------------------------------

_ATOM = re.compile(r"^(@?[a-z][a-z0-9_]*)(?:\s+(>=|<=|==|!=|>|<|has)\s+([A-Za-z0-9_.\-]+)|\s+(unknown))?$")


def _literal(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _check_atom_type(
    question: Question, op: str | None, literal: str | None, unknown: str | None, where: str
) -> None:
    """Each atom form only on the question types it makes sense for. In particular a yes/no answer
    can only be tested for "yes" (never compared with false), which keeps the rules monotone."""
    kind = question.type
    if unknown:
        return
    if op is None:
        ok = kind in ("bool", "choices")
    elif op == "has":
        ok = kind == "choices" and literal in question.choices
    elif kind == "choice":
        ok = op in ("==", "!=") and literal in question.choices
    else:
        ok = kind in ("int", "number") and isinstance(_literal(literal or ""), int | float)
    if not ok:
        raise ValueError(f"{where}: condition on {question.id!r} ({kind}) is not allowed in that form")


def check_condition(cond: Condition, qs: Questionnaire, *, where: str) -> None:
    """Raise ValueError when a rule's condition is malformed or names an unknown question."""
    if isinstance(cond, str):
        match = _ATOM.match(cond.strip())
        if not match:
            raise ValueError(f"{where}: cannot read condition {cond!r}")
        name = match.group(1)
        if name.startswith("@"):
            if name[1:] not in qs.named_conditions:
                raise ValueError(f"{where}: unknown named condition {name}")
        else:
            question = qs.get(name)
            if question is None:
                raise ValueError(f"{where}: unknown question {name!r}")
            _check_atom_type(question, match.group(2), match.group(3), match.group(4), where)
        return
    if not isinstance(cond, Mapping):
        raise ValueError(f"{where}: a condition must be a string or a table, not {cond!r}")
    keys = set(cond)
    if keys == {"all"} or keys == {"any"}:
        parts = cond.get("all", cond.get("any"))
    elif "of" in keys and keys <= {"of", "count_at_least", "count_at_most"} and len(keys) > 1:
        parts = cond["of"]
    else:
        raise ValueError(f"{where}: unknown condition keys {sorted(keys)}")
    if not isinstance(parts, list) or not parts:
        raise ValueError(f"{where}: a condition list must not be empty")
    for part in parts:
        check_condition(part, qs, where=where)


def _atom(text: str, value_of: Callable[[str], Any], named: Mapping[str, Condition]) -> bool:
    match = _ATOM.match(text.strip())
    if not match:
        raise ValueError(f"cannot read condition {text!r}")
    name, op, literal, unknown = match.groups()
    if name.startswith("@"):
        return evaluate(named[name[1:]], value_of, named)
    value = value_of(name)
    if unknown:
        return value is None
    if op is None:
        if isinstance(value, tuple):
            return bool(value)
        return value is True
    if value is None:
        return False
    if op == "has":
        return isinstance(value, tuple) and literal in value
    expected = _literal(literal)
    if isinstance(value, str) or isinstance(expected, str):
        if op == "==":
            return value == expected
        if op == "!=":
            return value != expected
        return False
    compare: dict[str, Callable[[Any, Any], bool]] = {
        ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    }
    return compare[op](value, expected)


def evaluate(
    cond: Condition, source: Intake | Callable[[str], Any], named: Mapping[str, Condition] | None = None
) -> bool:
    """Whether ``cond`` holds for the answers in ``source`` (an Intake or a lookup function)."""
    value_of = source.value if isinstance(source, Intake) else source
    names = named if named is not None else load_questionnaire().named_conditions
    if isinstance(cond, str):
        return _atom(cond, value_of, names)
    if "all" in cond:
        return all(evaluate(c, value_of, names) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, value_of, names) for c in cond["any"])
    count = sum(1 for c in cond["of"] if evaluate(c, value_of, names))
    return count >= cond.get("count_at_least", 0) and count <= cond.get("count_at_most", len(cond["of"]))


def question_ids_in(cond: Condition, named: Mapping[str, Condition]) -> Iterable[str]:
    """Every question id a condition reads (following named conditions)."""
    if isinstance(cond, str):
        match = _ATOM.match(cond.strip())
        if match:
            name = match.group(1)
            if name.startswith("@"):
                yield from question_ids_in(named[name[1:]], named)
            else:
                yield name
        return
    for part in cond.get("all", cond.get("any", cond.get("of", []))):
        yield from question_ids_in(part, named)


# --- JSON Schema --------------------------------------------------------------------------------


def _answer_schema(question: Question) -> dict[str, Any]:
    schema: dict[str, Any]
    if question.type == "bool":
        schema = {"type": "boolean"}
    elif question.type in ("int", "number"):
        schema = {"type": "integer" if question.type == "int" else "number"}
        if question.minimum is not None:
            schema["minimum"] = question.minimum
        if question.maximum is not None:
            schema["maximum"] = question.maximum
    elif question.type == "choice":
        schema = {"enum": list(question.choices)}
    elif question.type == "choices":
        schema = {"type": "array", "items": {"enum": list(question.choices)}, "uniqueItems": True}
    else:
        schema = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    schema["description"] = question.text
    return {"anyOf": [schema, {"type": "null"}]} if not question.required else schema


def intake_schema(
    qs: Questionnaire | None = None, allowed_techniques: Sequence[str] | None = None
) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the intake document, generated from the questions."""
    qs = qs or load_questionnaire()
    techs = list(allowed_techniques) if allowed_techniques is not None else list(techniques())
    conditional = []
    for question in qs.questions:
        cond = question.required_if
        trigger = qs.get(cond) if isinstance(cond, str) else None
        if isinstance(cond, str) and trigger is not None and trigger.type == "bool":
            conditional.append(
                {"if": {"properties": {cond: {"const": True}}, "required": [cond]},
                 "then": {"required": [question.id]}}
            )
    answers: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": [q.id for q in qs.questions if q.required],
        "properties": {q.id: _answer_schema(q) for q in qs.questions},
    }
    unless = [q for q in qs.questions if q.required_unless]
    if unless:
        answers["allOf"] = [
            {"anyOf": [{"required": [q.id]}, {"required": [q.required_unless]}]} for q in unless
        ] + conditional
    elif conditional:
        answers["allOf"] = conditional
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://acudesk.invalid/schemas/intake.schema.json",
        "title": f"AcuDesk intake (questions version {qs.version})",
        "description": "Generated by 'python -m acudesk.domain.intake'; see docs/intake-format.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["answers"],
        "properties": {
            "format": {"const": FORMAT},
            "answers": answers,
            "plan": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "points": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "techniques": {"type": "array", "items": {"enum": techs}},
                },
            },
        },
    }


def intake_schema_text() -> str:
    return json.dumps(intake_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(intake_schema_text())
