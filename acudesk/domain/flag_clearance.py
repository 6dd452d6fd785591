"""Lifting a red flag: which flags a new intake drops, and what a clearance must say.

A new intake whose triage no longer shows an EMERGENCY or URGENT_REFERRAL flag that the patient's
latest signed intake raised can be signed only after a clearance is recorded: what changed, who saw
the patient and when. Without it, the same person could lift an emergency minutes later by
unticking boxes. The guarded levels and the choices of "who saw the patient" are reviewable data in
``resources/rules/flag_clearance.toml`` (with its source and AcuDesk's safer choices); the
workflow is in docs/clinical-workflow.md.

Pure functions over plain data, so the rule is tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError, ValidationErrors
from acudesk.domain.input_limits import check_calendar_day
from acudesk.domain.intake import load_rules_file
from acudesk.domain.triage import Level

MAX_WHAT_CHANGED = 4000
MAX_SEEN_BY_NAME = 200
LEVEL_ONLY = "(level)"  # the flag of an intake stored with a guarded level but no reasons


@dataclass(frozen=True)
class Flag:
    """One triage reason as the clearance rule sees it: its rule id, level name and text."""

    rule: str
    level: str
    text: str = ""

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "level": self.level, "text": self.text}


@dataclass(frozen=True)
class SeenBy:
    id: str
    label: str
    name_required: bool


@dataclass(frozen=True)
class ClearancePolicy:
    version: int
    source: str
    levels: tuple[str, ...]
    seen_by: tuple[SeenBy, ...]
    note: str = ""

    def seen_by_label(self, key: str) -> str:
        return next((choice.label for choice in self.seen_by if choice.id == key), key)


def policy_from_data(data: Mapping[str, Any]) -> ClearancePolicy:
    levels = tuple(str(level) for level in data["levels"])
    for level in levels:
        if level not in Level.__members__:
            raise ValueError(f"flag_clearance: unknown level {level}")
    choices = tuple(SeenBy(str(raw["id"]), str(raw["label"]), bool(raw.get("name_required", False)))
                    for raw in data["seen_by"])
    if not choices or len({c.id for c in choices}) != len(choices):
        raise ValueError("flag_clearance: seen_by needs distinct ids")
    return ClearancePolicy(int(data["version"]), str(data["source"]), levels, choices, str(data.get("note", "")))


@cache
def load_clearance_policy() -> ClearancePolicy:
    return policy_from_data(load_rules_file("flag_clearance.toml"))


def _rank(level: str) -> int:
    return int(Level[level]) if level in Level.__members__ else -1


def guarded_flags(level: str, flags: Iterable[Flag], policy: ClearancePolicy | None = None) -> tuple[Flag, ...]:
    """The flags of a signed intake (stored ``level`` and reasons) that only a clearance may drop."""
    policy = policy or load_clearance_policy()
    found = tuple(flag for flag in flags if flag.level in policy.levels)
    if not found and level in policy.levels:  # a guarded result with no reason stored: the level is the flag
        return (Flag(LEVEL_ONLY, level, f"Result {level.replace('_', ' ')}"),)
    return found


def dropped_flags(previous_level: str, previous: Iterable[Flag], new_level: str, new: Iterable[Flag],
                  policy: ClearancePolicy | None = None) -> tuple[Flag, ...]:
    """The guarded flags of the previous signed intake that the new triage no longer shows at their level.

    A flag is kept only when its rule fires again at the same level or higher; a guarded result stored
    without reasons is kept only when the new level is as high."""
    strongest: dict[str, int] = {}
    for flag in new:
        strongest[flag.rule] = max(strongest.get(flag.rule, -1), _rank(flag.level))
    strongest[LEVEL_ONLY] = _rank(new_level)
    return tuple(flag for flag in guarded_flags(previous_level, previous, policy)
                 if strongest.get(flag.rule, -1) < _rank(flag.level))


def uncleared(dropped: Sequence[Flag], cleared_rules: Iterable[str]) -> tuple[Flag, ...]:
    """The dropped flags no recorded clearance covers (by rule id)."""
    covered = set(cleared_rules)
    return tuple(flag for flag in dropped if flag.rule not in covered)


def missing_clearance_message(flags: Sequence[Flag], flagged_on: date) -> str:
    named = ", ".join(f"{flag.rule} ({flag.level.replace('_', ' ')})" for flag in flags)
    return (f"This intake drops red flags the signed intake of {dates.day(flagged_on)} raised: {named}. "
            "Record the clearance first: what changed, who saw the patient and when.")


@dataclass(frozen=True)
class ClearanceDraft:
    """What the practitioner enters: what changed, who saw the patient (a choice and a name), when."""

    what_changed: str
    seen_by: str
    seen_by_name: str
    seen_on: date | None


def check_clearance(draft: ClearanceDraft, *, flagged_on: date, today: date,
                    policy: ClearancePolicy | None = None) -> ClearanceDraft:
    """The draft with its text trimmed, or ``ValidationErrors`` naming every field that is wrong.

    ``flagged_on`` is the day the flagged intake was signed (clinic's time zone): the patient cannot
    have been seen about a flag before it was raised, nor in the future."""
    policy = policy or load_clearance_policy()
    errors: list[ValidationError] = []
    what = draft.what_changed.strip()
    name = draft.seen_by_name.strip()
    if not what:
        errors.append(ValidationError("Say what changed: the assessment's findings and why the flag no longer "
                                      "applies.", field="what_changed"))
    elif len(what) > MAX_WHAT_CHANGED:
        errors.append(ValidationError(f"What changed is limited to {MAX_WHAT_CHANGED} characters.",
                                      field="what_changed"))
    choice = next((c for c in policy.seen_by if c.id == draft.seen_by), None)
    if choice is None:
        labels = ", ".join(c.label for c in policy.seen_by)
        errors.append(ValidationError(f"Choose who saw the patient ({labels}).", field="seen_by"))
    elif choice.name_required and not name:
        errors.append(ValidationError("Name who saw the patient.", field="seen_by_name"))
    if len(name) > MAX_SEEN_BY_NAME:
        errors.append(ValidationError(f"The name is limited to {MAX_SEEN_BY_NAME} characters.", field="seen_by_name"))
    if draft.seen_on is None:
        errors.append(ValidationError("Give the date the patient was seen.", field="seen_on"))
    else:
        try:
            check_calendar_day(draft.seen_on, "seen_on")
        except ValidationError as error:
            errors.append(error)
        else:
            if draft.seen_on > today:
                errors.append(ValidationError(f"The date seen ({dates.day(draft.seen_on)}) is in the future.",
                                              field="seen_on"))
            elif draft.seen_on < flagged_on:
                errors.append(ValidationError(
                    f"The date seen ({dates.day(draft.seen_on)}) is before the flagged intake of "
                    f"{dates.day(flagged_on)}: the clearance must come from an assessment after the flag.",
                    field="seen_on"))
    if errors:
        raise ValidationErrors(errors)
    return ClearanceDraft(what, draft.seen_by, name, draft.seen_on)
