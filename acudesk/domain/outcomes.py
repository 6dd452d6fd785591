"""Outcome-measure scoring: NRS, ODI, NDI, RMDQ, PSFS, STarT Back, and minimal important change.

Thresholds and bands live in ``resources/rules/outcomes.toml`` so a clinic can review and adjust
them. Only the *scoring* of the licensed instruments (ODI, STarT Back) and of the NDI (free for clinical
use, its licence in outcomes.toml) is implemented; their item texts are deliberately absent (the clinician
enters answers from the clinic's own form).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from acudesk.domain.errors import ValidationError
from acudesk.domain.input_limits import load_rules_toml, non_finite_word
from acudesk.paths import resource

MEASURES = ("nrs", "odi", "ndi", "rmdq", "psfs", "psfs_item")


@cache
def load_outcome_config(path: Path | None = None) -> dict[str, Any]:
    """The parsed outcomes.toml (cached)."""
    return load_rules_toml(path or resource("rules", "outcomes.toml"))  # no nan or inf


def _config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return config if config is not None else load_outcome_config()


def _whole_number(value: object, field: str, low: int, high: int, what: str) -> int:
    if isinstance(value, float) and not math.isfinite(value):  # NaN would compare false with both bounds
        raise ValidationError(f"{what} must be a whole number from {low} to {high}, not {non_finite_word(value)}.",
                              field=field)
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise ValidationError(f"{what} must be a whole number from {low} to {high}.", field=field)
    if not low <= value <= high:
        raise ValidationError(f"{what} must be from {low} to {high}, not {value}.", field=field)
    return value


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


# --- NRS ----------------------------------------------------------------------------------------


def nrs(value: object, *, config: Mapping[str, Any] | None = None) -> int:
    """Validated pain NRS (whole number 0-10)."""
    cfg = _config(config)["nrs"]
    return _whole_number(value, "nrs", cfg["minimum"], cfg["maximum"], "Pain score (NRS)")


# --- ODI ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OdiScore:
    percent: float  # rounded to one decimal
    raw: int
    answered: int
    skipped: int
    band: str
    exact_percent: float

    def __str__(self) -> str:
        return f"ODI {self.percent:.1f} % ({self.band}; {self.raw}/{5 * self.answered})"


def odi(sections: Sequence[int | None], *, config: Mapping[str, Any] | None = None) -> OdiScore:
    """Score the Oswestry Disability Index from ten section answers (0-5, None = skipped).

    score = sum / (5 x sections answered) x 100. At most ``max_skipped`` sections may be skipped.
    """
    cfg = _config(config)["odi"]
    count = cfg["sections"]
    if not _is_list(sections):
        raise ValidationError(f"ODI needs a list of {count} section answers.", field="odi")
    if len(sections) != count:
        raise ValidationError(
            f"ODI needs exactly {count} section answers (use null for a skipped section), "
            f"got {len(sections)}.",
            field="odi",
        )
    answered: list[int] = []
    for number, answer in enumerate(sections, start=1):
        if answer is None:
            continue
        answered.append(
            _whole_number(
                answer, f"odi.section_{number}", cfg["section_minimum"], cfg["section_maximum"],
                f"ODI section {number}",
            )
        )
    skipped = count - len(answered)
    if skipped > cfg["max_skipped"]:
        raise ValidationError(
            f"ODI cannot be scored: {skipped} sections skipped, at most {cfg['max_skipped']} allowed.",
            field="odi",
        )
    raw = sum(answered)
    exact = raw / (cfg["section_maximum"] * len(answered)) * 100
    band = odi_band(exact, config=config)
    return OdiScore(round(exact, 1), raw, len(answered), skipped, band, exact)


def odi_band(percent: float, *, config: Mapping[str, Any] | None = None) -> str:
    for band in _config(config)["odi"]["bands"]:
        if percent <= band["upper"]:
            return str(band["label"])
    raise ValidationError(f"ODI percentage {percent} is out of range 0-100.", field="odi")


# --- NDI ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NdiScore:
    points: float  # out of 50, a skipped section replaced by the mean of the others; one decimal
    raw: int  # sum of the sections answered
    answered: int
    skipped: int
    band: str
    exact_points: float

    @property
    def percent(self) -> float:
        return round(self.exact_points * 2, 1)

    def __str__(self) -> str:
        return f"NDI {self.points:g}/50 ({self.percent:g} %, {self.band})"


def ndi(sections: Sequence[int | None], *, config: Mapping[str, Any] | None = None) -> NdiScore:
    """Score the Neck Disability Index (Vernon & Mior 1991) from its ten section answers (0-5, None = skipped).

    points = sum of the sections (0-50); with one section skipped, sum x 10 / 9 (the mean of the others
    stands in for it, Vernon's scoring). More than ``max_skipped`` skipped sections are refused.
    """
    cfg = _config(config)["ndi"]
    count = cfg["sections"]
    if not _is_list(sections):
        raise ValidationError(f"NDI needs a list of {count} section answers.", field="ndi")
    if len(sections) != count:
        raise ValidationError(
            f"NDI needs exactly {count} section answers (use '-' for a skipped section), got {len(sections)}.",
            field="ndi",
        )
    answered = [
        _whole_number(answer, f"ndi.section_{number}", cfg["section_minimum"], cfg["section_maximum"],
                      f"NDI section {number}")
        for number, answer in enumerate(sections, start=1) if answer is not None
    ]
    skipped = count - len(answered)
    if skipped > cfg["max_skipped"]:
        raise ValidationError(
            f"NDI cannot be scored: {skipped} sections skipped, at most {cfg['max_skipped']} allowed.", field="ndi"
        )
    raw = sum(answered)
    exact = raw * count / len(answered)
    return NdiScore(round(exact, 1), raw, len(answered), skipped, _band(cfg["bands"], exact, "NDI", 50), exact)


def _band(bands: Sequence[Mapping[str, Any]], score: float, what: str, top: float) -> str:
    for band in bands:
        if score <= band["upper"]:
            return str(band["label"])
    raise ValidationError(f"{what} score {score:g} is out of range 0-{top:g}.", field=what.lower())


# --- RMDQ ---------------------------------------------------------------------------------------


def rmdq(items: Sequence[bool], *, config: Mapping[str, Any] | None = None) -> int:
    """Roland-Morris: number of 'yes' answers among the 24 items (0-24); every item must be answered."""
    count = _config(config)["rmdq"]["items"]
    if not _is_list(items) or len(items) != count:
        raise ValidationError(f"RMDQ needs exactly {count} yes/no answers.", field="rmdq")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, bool):
            raise ValidationError(
                f"RMDQ item {number} must be answered yes or no.", field=f"rmdq.item_{number}"
            )
    return sum(1 for item in items if item)


# --- PSFS ---------------------------------------------------------------------------------------


def psfs(ratings: Sequence[int], *, config: Mapping[str, Any] | None = None) -> float:
    """Patient-Specific Functional Scale: mean of 3-5 activity ratings 0-10 (higher is better)."""
    cfg = _config(config)["psfs"]
    low, high = cfg["min_activities"], cfg["max_activities"]
    if not _is_list(ratings) or not low <= len(ratings) <= high:
        raise ValidationError(f"PSFS needs {low} to {high} activity ratings.", field="psfs")
    values = [
        _whole_number(r, f"psfs.activity_{n}", cfg["minimum"], cfg["maximum"], f"PSFS activity {n}")
        for n, r in enumerate(ratings, start=1)
    ]
    return round(sum(values) / len(values), 2)


# --- STarT Back ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartBackScore:
    total: int
    distress: int
    risk: str  # "low" | "medium" | "high"


def start_back(
    items_1_to_8: Sequence[bool], item_9: str, *, config: Mapping[str, Any] | None = None
) -> StartBackScore:
    """STarT Back scoring: items 1-8 agree = 1; item 9 = 1 for the configured answers.

    Total <= 3 -> low; otherwise distress subscale (items 5-9) >= 4 -> high; otherwise medium.
    """
    cfg = _config(config)["start_back"]
    if not _is_list(items_1_to_8) or len(items_1_to_8) != 8:
        raise ValidationError("STarT Back needs agree/disagree answers for items 1 to 8.", field="start_back")
    scores: dict[int, int] = {}
    for number, item in enumerate(items_1_to_8, start=1):
        if not isinstance(item, bool):
            raise ValidationError(
                f"STarT Back item {number} must be agree or disagree.", field=f"start_back.item_{number}"
            )
        scores[number] = int(item)
    answer = item_9.strip().lower() if isinstance(item_9, str) else item_9
    if answer not in cfg["item9_choices"]:
        raise ValidationError(
            "STarT Back item 9 must be one of: " + ", ".join(cfg["item9_choices"]) + ".",
            field="start_back.item_9",
        )
    scores[9] = int(answer in cfg["item9_scoring"])
    total = sum(scores.values())
    distress = sum(scores[n] for n in cfg["distress_items"])
    if total <= cfg["low_total_at_most"]:
        risk = "low"
    elif distress >= cfg["high_distress_at_least"]:
        risk = "high"
    else:
        risk = "medium"
    return StartBackScore(total, distress, risk)


# --- Minimal important change -------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeResult:
    measure: str
    baseline: float
    current: float
    improvement: float  # positive = better, in the measure's points
    meaningful: bool  # a meaningful IMPROVEMENT
    worsened: bool  # a meaningful change for the worse
    threshold: str  # the rule applied, in words (``change_rule``)
    criterion: str  # which criterion was met: "2 points", "30 %", "both", or "" when none
    rule: str
    source: str

    @property
    def summary(self) -> str:
        """The result in words with the rule it applied, e.g. "meaningful improvement: 3 points (38 %)
        better; rule MIC-NRS: at least 2 points or at least 30 % ... (either is enough)"."""
        amount = abs(self.improvement)
        change = f"{amount:g} point{'' if amount == 1 else 's'}"
        if self.baseline:
            change += f" ({abs(self.improvement) / abs(self.baseline) * 100:.0f} %)"
        direction = "better" if self.improvement > 0 else "worse" if self.improvement < 0 else "no change"
        moved = change + " " + direction if self.improvement else "no change"
        if self.meaningful:
            verdict = "meaningful improvement"
        elif self.worsened:
            verdict = "meaningfully worse"
        else:
            verdict = "no meaningful change"
        return f"{verdict}: {moved}; rule {self.rule}: {self.threshold}"


def change_rule(measure: str, baseline: float | None = None, *, config: Mapping[str, Any] | None = None) -> str:
    """The measure's meaningful-change rule in words, from ``[meaningful_change.<measure>]`` of outcomes.toml.

    The one wording of the rule: the outcomes tab's caption, its list of measurements, the course
    proposals, the care summary and docs/clinical-rules.md all use it. For the NRS: "at least 2 points or
    at least 30 % better than the baseline (either is enough)" (Ostelo et al. 2008: either criterion).
    """
    cfg_all = _config(config)["meaningful_change"]
    if measure not in cfg_all:
        raise ValidationError(
            f"Unknown outcome measure '{measure}'; use one of: {', '.join(sorted(cfg_all))}.", field="measure"
        )
    cfg = cfg_all[measure]
    points, percent = cfg["points"], cfg.get("percent")
    words = f"at least {points:g} point{'' if points == 1 else 's'}"
    if percent is not None:
        words += f" or at least {percent:g} %"
    words += " better than the baseline" + (f" of {baseline:g}" if baseline is not None else "")
    return words + (" (either is enough)" if percent is not None else "")


def meaningful_change(
    measure: str, baseline: float, current: float, *, config: Mapping[str, Any] | None = None
) -> ChangeResult:
    """Whether the change from ``baseline`` to ``current`` reaches the measure's configured threshold."""
    threshold = change_rule(measure, config=config)  # refuses an unknown measure
    cfg = _config(config)["meaningful_change"][measure]
    for name, value in (("baseline", baseline), ("current", current)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValidationError(f"The {name} score must be a number.", field=name)
    delta = current - baseline
    improvement = delta if cfg["higher_is_better"] else -delta
    points = cfg["points"]
    percent = cfg.get("percent")
    met: list[str] = []
    worse: list[str] = []
    if improvement >= points:
        met.append(f"{points:g} points")
    if -improvement >= points:
        worse.append(f"{points:g} points")
    if percent is not None and baseline:
        relative = improvement / abs(baseline) * 100
        if relative >= percent:
            met.append(f"{percent:g} %")
        if -relative >= percent:
            worse.append(f"{percent:g} %")
    found = met or worse
    criterion = "both" if len(found) > 1 else (found[0] if found else "")
    return ChangeResult(
        measure, baseline, current, improvement, bool(met), bool(worse) and not met, threshold, criterion,
        cfg["id"], cfg["source"],
    )


def meaningful_target(measure: str, baseline: float, *, config: Mapping[str, Any] | None = None) -> float | None:
    """The worst score that still counts as a meaningful improvement on ``baseline`` (for lower-is-better
    measures, the highest; the line drawn on trend charts), or None when no score in range reaches it."""
    cfg = _config(config)
    low, high = cfg[measure]["minimum"], cfg[measure]["maximum"]
    reached = [s for s in range(low, high + 1) if meaningful_change(measure, baseline, s, config=config).meaningful]
    if not reached:
        return None
    return max(reached) if not cfg["meaningful_change"][measure]["higher_is_better"] else min(reached)
