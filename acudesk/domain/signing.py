"""Seals for signed clinical records.

A signed intake or session record stores the SHA-256 of a canonical JSON form of **everything its
signature vouches for**: the record's own number, the patient, who recorded and who signed it and
when, the clinical content, and (for a session) its needled points and what it amends. Loading a
record recomputes the seal, and ``acudesk check`` compares it with the one stored and with the one
the audit trail recorded at signing (services/record_seals.py), so a change made behind AcuDesk's
back is found whichever field it touched.

The recipes below are frozen: migration 0010 re-sealed every older signed record with them (after
checking its earlier, narrower digest). Changing a recipe needs a migration that re-seals likewise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

INTAKE_SEALED_FIELDS = (
    "id", "patient_id", "recorded_by_id", "recorded_at", "answers", "rules_version", "triage_level",
    "triage_reasons", "signed_at", "signed_by_id", "supersedes_id",
)
SESSION_SEALED_FIELDS = (
    "id", "patient_id", "appointment_id", "plan_id", "practitioner_id", "session_at", "needles_in",
    "needles_out", "retention_minutes", "nrs_before", "nrs_after", "subjective", "objective", "assessment",
    "plan_note", "signed_at", "signed_by_id", "amends_id", "amendment_reason",
)
POINT_SEALED_FIELDS = ("point_code", "side", "technique", "parameters")


def content_digest(content: Mapping[str, Any]) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:  # read raw from SQLite: stored as naive UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def intake_seal(fields: Mapping[str, Any]) -> str:
    """The seal of a signed intake, from its column values (``INTAKE_SEALED_FIELDS``)."""
    return content_digest({"intake": {name: _canonical(fields[name]) for name in INTAKE_SEALED_FIELDS}})


def session_seal(fields: Mapping[str, Any], points: Sequence[Mapping[str, Any]]) -> str:
    """The seal of a signed session record, from its column values and its points in id order."""
    return content_digest({
        "session": {name: _canonical(fields[name]) for name in SESSION_SEALED_FIELDS},
        "points": [[_canonical(point[name]) for name in POINT_SEALED_FIELDS[:3]] + [point["parameters"] or {}]
                   for point in points],
    })
