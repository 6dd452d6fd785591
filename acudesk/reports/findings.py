"""An intake's answers told in sentences ("The pain began 2 weeks ago."), for the referral letter and the
care summary. The wording is data: ``resources/handouts/finding_sentences.toml``, one entry per
question of the questionnaire (``resources/rules/triage.toml``).

Only what was found is told: every "yes", every number and every choice; a "no" or an unasked
question is not listed (the red-flag reasons table says what the screening concluded).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from acudesk.domain.intake import Question, Questionnaire, load_questionnaire
from acudesk.reports.texts import load_texts

TEXTS = "finding_sentences"


def finding_sentences(answers: Mapping[str, Any], questionnaire: Questionnaire | None = None) -> tuple[str, ...]:
    """The answers worth reading, one sentence each, in questionnaire order."""
    templates: Mapping[str, Mapping[str, Any]] = load_texts(TEXTS)["question"]
    lines = []
    for question in (questionnaire or load_questionnaire()).questions:
        value = answers.get(question.id)
        if value is None or value is False or value == "" or value == []:
            continue
        template = templates.get(question.id)
        if template is not None and "shown_elsewhere" in template:
            continue
        sentence = _sentence(question, template, value) if template is not None else None
        lines.append(sentence if sentence is not None else _plain(question, value))
    return tuple(lines)


def _sentence(question: Question, template: Mapping[str, Any], value: Any) -> str | None:
    """The template's sentence for ``value``, or None when the template has none for it."""
    if question.type == "bool":
        return template.get("yes") if value is True else None
    if question.type == "choice":
        return template.get("choice", {}).get(str(value))
    if question.type == "choices":
        words = template.get("words", {})
        chosen = [words.get(str(item)) for item in (value if isinstance(value, list | tuple) else [value])]
        if "sentence" not in template or any(word is None for word in chosen):
            return None
        return template["sentence"].format(value=_joined([str(word) for word in chosen]))
    if question.type in ("int", "number") and "sentence" in template:
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return template.get("exact", {}).get(shown, template["sentence"].format(value=shown))
    return None


def _joined(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _plain(question: Question, value: Any) -> str:
    """A question without a sentence (a gap the tests catch) still prints, as question and answer."""
    if value is True:
        return f"{question.text.rstrip()} Yes."
    shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value).replace("_", " ")
    return f"{question.text.rstrip().rstrip('?')}: {shown}."
