"""Progress-driven tapering: weekly until progress, then fortnightly, then monthly; new set on relapse.

Both functions only *propose*. A :class:`Proposal` names the last visit to keep and the pattern for the
rest; the UI shows ``reason`` and, once a person confirms, applies it with
:func:`acudesk.domain.scheduling.edits.replan_after`. Nothing is rebooked silently.
Thresholds live in ``resources/rules/tapering.toml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple

from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import load_rules_toml
from acudesk.domain.outcomes import change_rule, load_outcome_config
from acudesk.domain.scheduling.pattern import CoursePattern, Phase, parse_pattern


@dataclass(frozen=True)
class TaperRules:
    min_points: int = 2
    min_percent: int = 30
    consecutive: int = 2
    relapse_consecutive: int = 1
    relapse_pattern: CoursePattern = parse_pattern("weekly x4, fortnightly x2, monthly x3")
    citation: str = "NRS minimal important change, Ostelo 2008"

    def threshold_text(self, baseline: int) -> str:
        """The NRS meaningful-change rule in the one wording of ``outcomes.change_rule``, on ``baseline``."""
        return change_rule("nrs", baseline, config=_nrs_config(self.min_points, self.min_percent))


def load_taper_rules(path: Path | None = None) -> TaperRules:
    if path is None:
        from acudesk.paths import resource

        path = resource("rules", "tapering.toml")
    data = load_rules_toml(path)  # no nan or inf
    improvement, relapse = data.get("improvement", {}), data.get("relapse", {})
    nrs = load_outcome_config()["meaningful_change"]["nrs"]  # the one NRS rule (MIC-NRS in outcomes.toml)
    return TaperRules(
        int(nrs["points"]),
        int(nrs["percent"]),
        int(improvement["consecutive_sessions"]),
        int(relapse["consecutive_sessions"]),
        parse_pattern(relapse["pattern"]),
        str(improvement["citation"]),
    )


def _nrs_config(points: int, percent: int) -> dict[str, Any]:
    """outcomes.toml with the NRS rule's thresholds as these taper rules hold them."""
    config = dict(load_outcome_config())
    changes = dict(config["meaningful_change"])
    changes["nrs"] = {**changes["nrs"], "points": points, "percent": percent}
    config["meaningful_change"] = changes
    return config


@cache
def default_taper_rules() -> TaperRules:
    return load_taper_rules()


@dataclass(frozen=True)
class NrsReading:
    visit_index: int  # 0-based visit of the course at which the score was taken
    score: int  # NRS pain 0-10


@dataclass(frozen=True)
class CourseState:
    pattern: CoursePattern  # the course's current pattern (``Course.pattern``)
    last_held_visit: int | None = None  # default: the visit of the latest reading
    baseline: int | None = None  # course baseline NRS; default: the earliest reading


@dataclass(frozen=True)
class Proposal:
    kind: Literal["taper", "relapse"]
    after_visit: int  # keep visits up to and including this index; re-plan the rest with ``pattern``
    pattern: CoursePattern
    reason: str


def improved(baseline: int, score: int, rules: TaperRules) -> bool:
    """Whether ``score`` is a meaningful improvement on ``baseline`` (points OR percent)."""
    gain = baseline - score
    return gain >= rules.min_points or (baseline > 0 and gain * 100 >= rules.min_percent * baseline)


class _Course(NamedTuple):
    """What both proposals start from: the readings by visit, the last visit held, the baseline score."""

    ordered: list[NrsReading]
    latest: int
    baseline: int
    phases: tuple[Phase, ...]
    rules: TaperRules


def _prepare(state: CourseState, readings: Sequence[NrsReading], rules: TaperRules | None) -> _Course | None:
    for reading in readings:
        if not 0 <= reading.score <= 10:
            raise ValidationError(
                f"NRS score {reading.score} at visit {reading.visit_index + 1} is not 0-10", field="nrs"
            )
    ordered = sorted({r.visit_index: r for r in readings}.values(), key=lambda r: r.visit_index)
    if not ordered:
        return None
    latest = state.last_held_visit if state.last_held_visit is not None else ordered[-1].visit_index
    baseline = state.baseline if state.baseline is not None else ordered[0].score
    if not 0 <= latest < state.pattern.total:
        return None
    return _Course(ordered, latest, baseline, state.pattern.phases, rules or default_taper_rules())


def _window(ordered: list[NrsReading], latest: int, size: int) -> list[NrsReading] | None:
    """The readings of the ``size`` sessions ending at ``latest``, or None if any is missing."""
    by_visit = {r.visit_index: r for r in ordered}
    wanted = range(latest - size + 1, latest + 1)
    if wanted.start < 0 or any(v not in by_visit for v in wanted):
        return None
    return [by_visit[v] for v in wanted]


def _scores(window: list[NrsReading]) -> str:
    return ", ".join(f"{r.score} at visit {r.visit_index + 1}" for r in window)


def propose_taper(
    state: CourseState, readings: Sequence[NrsReading], rules: TaperRules | None = None
) -> Proposal | None:
    """Propose the next, less frequent phase when the last sessions of this phase all improved enough."""
    course = _prepare(state, readings, rules)
    if course is None:
        return None
    ordered, latest, baseline, phases, rules = course
    phase = state.pattern.phase_of(latest)
    last_of_phase = sum(p.count for p in phases[: phase + 1]) - 1
    if phase + 1 >= len(phases) or latest == last_of_phase:
        return None  # already in the last phase, or the next phase starts anyway
    window = _window(ordered, latest, rules.consecutive)
    if window is None or any(state.pattern.phase_of(r.visit_index) != phase for r in window):
        return None
    if not all(improved(baseline, r.score, rules) for r in window):
        return None
    rest = CoursePattern(phases[phase + 1 :])
    return Proposal(
        "taper",
        latest,
        rest,
        f"NRS {_scores(window)}: {rules.threshold_text(baseline)} on {len(window)} consecutive sessions "
        f"({rules.citation}); propose {rest} from visit {latest + 2} "
        f"instead of the remaining {phases[phase].interval} visits",
    )


def propose_relapse(
    state: CourseState, readings: Sequence[NrsReading], rules: TaperRules | None = None
) -> Proposal | None:
    """Propose a new set of sessions when, after tapering, pain is back near baseline."""
    course = _prepare(state, readings, rules)
    if course is None:
        return None
    ordered, latest, baseline, phases, rules = course
    current = phases[state.pattern.phase_of(latest)]
    if current.interval.approx_days() <= phases[0].interval.approx_days():
        return None  # not tapered: still at the starting frequency
    window = _window(ordered, latest, rules.relapse_consecutive)
    if window is None or any(improved(baseline, r.score, rules) for r in window):
        return None
    return Proposal(
        "relapse",
        latest,
        rules.relapse_pattern,
        f"after tapering to {current.interval}, NRS {_scores(window)} is no longer "
        f"{rules.threshold_text(baseline)} ({rules.citation}); "
        f"propose a new set of sessions: {rules.relapse_pattern}",
    )
