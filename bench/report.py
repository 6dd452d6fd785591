"""Targets, the printed table with PASS/MISS, and ``bench/results.json``.

A row passes when its p95 is within the target (peak memory: the largest of the runs; growth: the
ratio of medians). Rows without a target are context (floors, breakdowns) and print "info".
"""

from __future__ import annotations

import json
import math
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import Timing

RESULTS = Path(__file__).resolve().parent / "results.json"

TARGETS_MS = {
    "cold_start": 600.0,
    "search_100k": 5.0,
    "keystroke": 16.0,
    "first_rows": 50.0,
    "busy_week": 100.0,
    "clinic_day": 100.0,
    "course_preview": 50.0,  # issue 14: a 12-visit course previewed in a clinic with 1M appointments
    "chart": 150.0,
    "care_summary": 300.0,
    "handout": 150.0,
}
TARGET_MEMORY_MB = 250.0
FLAT_RATIO = 2.0  # "flat": the median at the largest clinic at most twice the median at 1k patients


@dataclass
class Row:
    key: str
    label: str
    timing: Timing | None = None
    floor: Timing | None = None
    target: float | None = None
    unit: str = "ms"
    value: float | None = None  # for rows that are one number (memory, ratios)
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    status_override: str | None = None

    @property
    def status(self) -> str:
        if self.status_override:
            return self.status_override
        if self.target is None:
            return "info"
        measured = self.value if self.value is not None else (self.timing.p95 if self.timing else math.nan)
        if math.isnan(measured):
            return "n/a"
        return "PASS" if measured <= self.target else "MISS"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "unit": self.unit, "status": self.status, "target": self.target,
            "value": self.value, "measured": self.timing.as_json() if self.timing else None,
            "floor": self.floor.as_json() if self.floor else None, "note": self.note, "detail": self.detail,
        }


def _ms(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def table(rows: list[Row]) -> str:
    header = f"{'measurement':<46} {'median':>8} {'p95':>8} {'floor med':>9} {'floor p95':>9} {'target':>8}  result"
    lines = [header, "-" * len(header)]
    for row in rows:
        if row.value is not None:
            median, p95 = _ms(row.value), ""
        else:
            median = _ms(row.timing.median if row.timing else None)
            p95 = _ms(row.timing.p95 if row.timing else None)
        floor_median = _ms(row.floor.median) if row.floor else ""
        floor_p95 = _ms(row.floor.p95) if row.floor else ""
        target = f"≤{row.target:g}{'' if row.unit == 'ms' else ' ' + row.unit}" if row.target is not None else ""
        lines.append(f"{row.label:<46} {median:>8} {p95:>8} {floor_median:>9} {floor_p95:>9} {target:>8}  {row.status}"
                     + (f"  {row.note}" if row.note else ""))
    return "\n".join(lines)


def _cells(row: Row | None) -> tuple[str, str, str]:
    """Median, p95 and the median's ratio to the floor's median, as printed."""
    if row is None:
        return "", "", ""
    if row.value is not None:
        return f"{row.value:,.1f}", "", ""
    median = row.timing.median if row.timing else math.nan
    ratio = ""
    if row.floor is not None and row.floor.median > 0 and not math.isnan(median):
        ratio = f"{median / row.floor.median:,.1f}x"
    return _ms(median), _ms(row.timing.p95 if row.timing else None), ratio


def side_by_side(runs: dict[str, list[Row]]) -> str:
    """Every row of every engine's run on one line: median, p95 and "x floor" (the median over the
    floor's median, each engine against its own floor measured in the same run), then the target
    and each engine's PASS/MISS."""
    engines = list(runs)
    labels: dict[str, str] = {}
    targets: dict[str, str] = {}
    for rows in runs.values():
        for row in rows:
            labels.setdefault(row.key, row.label)
            if row.target is not None:
                targets.setdefault(row.key, f"≤{row.target:g}{'' if row.unit == 'ms' else ' ' + row.unit}")
    by_engine = {engine: {row.key: row for row in rows} for engine, rows in runs.items()}
    header = f"{'measurement':<46}"
    for engine in engines:
        header += f" | {engine[:10]:>10} {'p95':>8} {'x floor':>7}"
    header += f" | {'target':>8} " + " ".join(f"{engine[:10]:>10}" for engine in engines)
    lines = [header, "-" * len(header)]
    for key, label in labels.items():
        line = f"{label[:46]:<46}"
        for engine in engines:
            median, p95, ratio = _cells(by_engine[engine].get(key))
            line += f" | {median:>10} {p95:>8} {ratio:>7}"
        statuses = [by_engine[engine][key].status if key in by_engine[engine] else "-" for engine in engines]
        line += f" | {targets.get(key, ''):>8} " + " ".join(f"{status:>10}" for status in statuses)
        lines.append(line)
    return "\n".join(lines)


def write_results(rows: list[Row], meta: dict[str, Any], extra: dict[str, Any]) -> Path:
    meta = {**meta, "python": platform.python_version(), "machine": platform.machine(),
            "processor": platform.processor(), "system": platform.platform()}
    RESULTS.write_text(json.dumps({"meta": meta, "rows": [r.as_json() for r in rows], **extra}, indent=2,
                                  default=str), encoding="utf-8")
    return RESULTS
