"""The small condition language the rule sets (triage, contraindications, the questionnaire's
``required_if``) use over the intake answers. There is deliberately no "not", which keeps the rules
monotone; see the comment at the top of ``resources/rules/triage.toml``.

An atom is ``question`` (a yes answer, or a non-empty list), ``question OP literal``
(``>= <= == != > <``), ``question has choice``, ``question unknown`` or ``@named``; atoms combine
as ``{all = [...]}``, ``{any = [...]}`` or ``{of = [...], count_at_least = n, count_at_most = m}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from acudesk.domain.intake import Question, Questionnaire

Condition = str | Mapping[str, Any]

_ATOM = re.compile(r"^(@?[a-z][a-z0-9_]*)(?:\s+(>=|<=|==|!=|>|<|has)\s+([A-Za-z0-9_.\-]+)|\s+(unknown))?$")


class Answers(Protocol):
    """Anything that answers a question id with a value or None (an intake)."""

    def value(self, question_id: str) -> Any: ...


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


def evaluate(cond: Condition, source: Answers | Callable[[str], Any], named: Mapping[str, Condition]) -> bool:
    """Whether ``cond`` holds for the answers in ``source`` (an intake or a lookup function), with
    ``named`` the questionnaire's named conditions."""
    value_of = source if callable(source) else source.value
    if isinstance(cond, str):
        return _atom(cond, value_of, named)
    if "all" in cond:
        return all(evaluate(c, value_of, named) for c in cond["all"])
    if "any" in cond:
        return any(evaluate(c, value_of, named) for c in cond["any"])
    count = sum(1 for c in cond["of"] if evaluate(c, value_of, named))
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
