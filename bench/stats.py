"""Repeating a measurement and summarising it as median and 95th percentile (milliseconds)."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Timing:
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms) if self.samples_ms else float("nan")

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile (the largest sample for fewer than 20 runs)."""
        if not self.samples_ms:
            return float("nan")
        ordered = sorted(self.samples_ms)
        rank = max(1, -(-95 * len(ordered) // 100))
        return ordered[rank - 1]

    def as_json(self) -> dict[str, Any]:
        return {"median_ms": round(self.median, 3), "p95_ms": round(self.p95, 3), "runs": len(self.samples_ms)}


def repeat(work: Callable[[], Any], runs: int, *, warmup: int = 2) -> Timing:
    """Time ``work`` ``runs`` times after ``warmup`` untimed calls (first-call costs are measured elsewhere)."""
    for _ in range(warmup):
        work()
    timing = Timing()
    gc.collect()
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timing.samples_ms.append((time.perf_counter() - started) * 1000)
    return timing


def repeat_each(works: list[Callable[[], Any]], runs: int, *, warmup: int = 1) -> Timing:
    """Time every function in ``works`` ``runs`` times, all samples pooled (e.g. every query of a kind)."""
    timing = Timing()
    for work in works:
        timing.samples_ms.extend(repeat(work, runs, warmup=warmup).samples_ms)
    return timing
