"""Visit types (first visit, follow-up): session length, room changeover and default fee.

Loaded from ``resources/rules/visit_types.toml``; the file is data a clinic can review and adjust.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import load_rules_toml

FIRST_VISIT = "first_visit"
FOLLOW_UP = "follow_up"


@dataclass(frozen=True)
class VisitType:
    code: str
    name: str
    duration: timedelta
    changeover: timedelta = timedelta(0)
    default_fee: Decimal = Decimal("0")


def _visit_type(entry: Mapping[str, Any], where: str) -> VisitType:  # one [[visit_type]] table, as TOML parsed it
    try:
        duration = int(entry["duration_minutes"])
        changeover = int(entry.get("changeover_minutes", 0))
        fee = Decimal(str(entry.get("default_fee", "0")))
        code, name = str(entry["code"]), str(entry.get("name", entry["code"]))
    except (KeyError, ValueError, TypeError, InvalidOperation) as error:
        raise ValidationError(
            f"visit type {where} is incomplete or malformed ({error})", field="visit_types"
        ) from None
    if duration <= 0 or changeover < 0 or fee < 0:
        raise ValidationError(
            f"visit type '{code}' has a negative or zero length, changeover or fee", field="visit_types"
        )
    return VisitType(code, name, timedelta(minutes=duration), timedelta(minutes=changeover), fee)


def load_visit_types(path: Path | None = None) -> dict[str, VisitType]:
    """Visit types by code from ``path`` (default: the bundled ``rules/visit_types.toml``)."""
    if path is None:
        from acudesk.paths import resource

        path = resource("rules", "visit_types.toml")
    data = load_rules_toml(path)  # no nan or inf
    entries = data.get("visit_type", [])
    return {t.code: t for t in (_visit_type(e, f"#{n}") for n, e in enumerate(entries, start=1))}


@cache
def default_visit_types() -> Mapping[str, VisitType]:
    """The bundled visit types, read once (read-only: a clinic's own types come from its settings)."""
    return MappingProxyType(load_visit_types())
