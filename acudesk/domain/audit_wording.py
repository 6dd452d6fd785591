"""The audit trail in words for a person: "Dr Mei Chen signed the session record of Nora Quill (patient no. 12)".

The sentences, the words for record kinds and for each detail key are data, in
``resources/audit_wording.toml``. Names are given by the caller, looked up when the log is shown: the
audit rows hold ids only. Times are written in the clinic's time zone in one style,
"Thu 3 Dec 2026 14:05". An action/record pair without a sentence still reads as words, and a detail
value that is neither text, number, yes/no, time nor list is shown as pretty-printed JSON, the last resort.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from acudesk.domain import dates
from acudesk.domain.input_limits import load_rules_toml
from acudesk.paths import resource

NOT_RECORDED = "(not recorded)"
NOBODY = "AcuDesk"  # the actor of events written with nobody signed in (failed sign-ins, the demo clinic)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_WORD_LIKE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")


def local_moment(moment: datetime, zone: ZoneInfo) -> str:
    """A moment in the clinic's time, the app's one style: "Thu 3 Dec 2026 14:05". A naive moment is
    taken as already in the clinic's time (visits' ``local_start``)."""
    return dates.day_and_time(moment, zone)


def local_day(day: date) -> str:
    return dates.day(day, weekday=True)


def stored_utc_moment(moment: datetime, zone: ZoneInfo) -> str:
    """An audit event's own time (stored in UTC; SQLite gives it back without a zone)."""
    return local_moment(moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC), zone)


@dataclass(frozen=True)
class EventFacts:
    """One audit event and the names looked up for it."""

    action: str
    entity: str
    entity_id: int | None = None
    who: str | None = None  # the acting user's display name; None when nobody was signed in
    patient_id: int | None = None
    patient_name: str | None = None
    user_name: str | None = None  # the account an event about a user concerns
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def patient(self) -> str:
        if self.patient_id is None:
            return "no patient"
        if self.patient_name is None:
            return f"patient no. {self.patient_id}"
        return f"{self.patient_name} (patient no. {self.patient_id})"


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return NOT_RECORDED


@dataclass(frozen=True)
class AuditWording:
    sentences: Mapping[str, str]
    entities: Mapping[str, str]
    labels: Mapping[str, str]
    account_keys: frozenset[str] = frozenset()  # detail keys holding a user account's id, shown by name

    @classmethod
    def load(cls, path: Path | None = None) -> AuditWording:
        data = load_rules_toml(path or resource("audit_wording.toml"))
        wording = cls(dict(data["sentences"]), dict(data.get("entities", {})), dict(data.get("labels", {})),
                      frozenset(data.get("accounts", {}).get("keys", ())))
        for key, sentence in wording.sentences.items():
            if len(key.split(" ")) not in (2, 3):
                raise ValueError(f"audit_wording.toml: '{key}' is not 'action entity' or 'action entity detail-key'")
            for _text, name, _spec, _conversion in string.Formatter().parse(sentence):
                if name is not None and not name.isidentifier():
                    raise ValueError(f"audit_wording.toml: '{key}' has a placeholder '{{{name}}}' that is no name")
        return wording

    def has_sentence(self, action: str, entity: str) -> bool:
        return f"{action} {entity}" in self.sentences

    def sentence(self, event: EventFacts, zone: ZoneInfo, people: Mapping[int, str] | None = None) -> str:
        """``people``: user accounts' names by id, for the detail keys that name an account."""
        values = _Placeholders({key: self.value(key, value, zone, people) for key, value in event.detail.items()})
        values.update(who=event.who or NOBODY, patient=event.patient,
                      user=event.user_name or (f"user no. {event.entity_id}" if event.entity_id else "an unknown user"),
                      record=str(event.entity_id) if event.entity_id is not None else NOT_RECORDED)
        pair = f"{event.action} {event.entity}"
        # A variant for events that carry a detail key ("logout user handed_over_to"), else the pair's sentence.
        template = next((self.sentences[f"{pair} {key}"] for key in event.detail if f"{pair} {key}" in self.sentences),
                        self.sentences.get(pair))
        if template is None:
            what = self.entities.get(event.entity, event.entity.replace("_", " "))
            whose = f" of {event.patient}" if event.patient_id is not None else ""
            template = f"{{who}} did “{event.action.replace('_', ' ').replace('-', ' ')}” to {what}{whose}"
        text = template.format_map(values)
        return text[:1].upper() + text[1:]

    def label(self, key: str) -> str:
        words = self.labels.get(key, key.replace("_", " "))
        return words[:1].upper() + words[1:]

    def value(self, key: str, value: Any, zone: ZoneInfo, people: Mapping[int, str] | None = None) -> str:
        """A detail value in words: times in the clinic's zone, yes/no, accounts by name, lists joined; JSON as
        the last resort."""
        if value is None:
            return "—"
        if key in self.account_keys and isinstance(value, int) and not isinstance(value, bool):
            return (people or {}).get(value, f"user no. {value}")
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return f"{value:g}" if isinstance(value, float) else str(value)
        if isinstance(value, str):
            return _text(value, zone)
        if isinstance(value, list | tuple):
            return ", ".join(self.value(key, item, zone, people) for item in value) if value else "none"
        return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)

    def detail_lines(self, detail: Mapping[str, Any], zone: ZoneInfo,
                     people: Mapping[int, str] | None = None) -> list[tuple[str, str]]:
        """Each detail key in words with its value formatted, in the order recorded."""
        return [(self.label(key), self.value(key, value, zone, people)) for key, value in detail.items()]


def _text(value: str, zone: ZoneInfo) -> str:
    if _ISO_MOMENT.match(value):
        try:
            return local_moment(datetime.fromisoformat(value), zone)
        except ValueError:
            return value
    if _ISO_DAY.match(value):
        try:
            return local_day(date.fromisoformat(value))
        except ValueError:
            return value
    if _WORD_LIKE.match(value):  # a code such as retained_needle or course_pattern
        return value.replace("_", " ")
    return value


@cache
def wording() -> AuditWording:
    """The shipped wording (resources/audit_wording.toml), read once."""
    return AuditWording.load()
