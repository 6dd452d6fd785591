"""Pain drawings: where the patient's pain is, marked on AcuDesk's body outlines, stored as data.

A drawing is a set of marks; a mark is a named body region (resources/pain_regions.json), a kind of
pain (ache, sharp, burning, numbness, pins and needles; resources/rules/pain_drawing.toml) and an
intensity from 0 to 10. From the marks come the measures the outcome view and the documents show:

- area: percent of the body surface, by the regions' Lund and Browder weights (a side-view region
  counts as the front or back region it shows, so no skin is counted twice);
- spread: how far down each limb the pain reaches ("below the right knee", "both legs", "into the
  left upper arm") and whether it is on both sides;
- comparison with the previous drawing, with notes that say what to check when spread grows
  (docs/pain-drawing.md has the rules and their sources). Notes never diagnose.

Plain data and rules: no Qt, no database.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from acudesk.domain.acupoint_files import load_body_chart
from acudesk.domain.acupoints import VIEWS, Point2D, point_in_polygon
from acudesk.domain.errors import AcuDeskError, ValidationError, ValidationErrors
from acudesk.paths import resource

SIDES = ("right", "left", "midline")
LIMBS = ("arm", "leg")
MAX_MARKS = 200  # more marks than regions × kinds cannot be meant
MAX_NOTE = 2000
BELOW_KNEE = 4  # leg levels: 1 buttock/groin/hip, 2 thigh, 3 knee, 4 lower leg, 5 foot
BELOW_ELBOW = 3  # arm levels: 1 shoulder, 2 upper arm, 3 forearm, 4 hand
IN_LIMB = 2  # from this level on the pain is "in the leg/arm" (beyond the buttock, hip or shoulder)


class PainDrawingDataError(AcuDeskError):
    """The shipped region or kind data is broken (a packaging fault, never the user's)."""


@dataclass(frozen=True)
class Region:
    id: str
    view: str  # front | back | side
    name: str  # plain language: "the right calf"
    segment: str  # "low back", "thigh", …
    side: str  # right | left | midline (the patient's side)
    limb: str  # "arm", "leg" or "" for head, neck and trunk
    level: int  # how far down its limb (see BELOW_KNEE, BELOW_ELBOW); 0 off the limbs
    weight: float  # percent of body surface; 0 for side-view regions
    counts_as: str  # the front/back region a side-view region shows ("" for front and back ones)
    cut: tuple[Point2D, ...]  # the region is the view's outline inside this polygon

    def contains(self, x: float, y: float) -> bool:
        """Whether (x, y) lies in the cut (the caller checks the outline)."""
        return point_in_polygon(self.cut, x, y)


@dataclass(frozen=True)
class PainKind:
    id: str
    label: str
    symbol: str  # one letter for print and small drawings


@dataclass(frozen=True)
class NoteRule:
    id: str
    when: str
    text: str
    source: str


@dataclass(frozen=True)
class PainAtlas:
    """The regions, kinds and note rules, read once from resources/."""

    regions: Mapping[str, Region]
    kinds: Mapping[str, PainKind]
    notes: Mapping[str, NoteRule]

    def region(self, region_id: str) -> Region:
        return self.regions[region_id]

    def on_view(self, view: str) -> list[Region]:
        return [r for r in self.regions.values() if r.view == view]

    def region_at(self, view: str, x: float, y: float) -> Region | None:
        """The region of ``view`` whose cut holds (x, y); the caller checks the point is on the body."""
        for region in self.on_view(view):
            if region.contains(x, y):
                return region
        return None

    def surface(self, region_id: str) -> Region:
        """The front or back region whose skin a region shows (itself unless it is a side-view one)."""
        region = self.regions[region_id]
        return self.regions[region.counts_as] if region.counts_as else region


@cache
def region_anchor(region_id: str) -> Point2D:
    """A point well inside a region's part of the body (for its letter, for a click): of a grid of
    points in both the cut and the outline, the one nearest their mean."""
    region = load_atlas().region(region_id)
    outline = load_body_chart().view(region.view).outline
    xs, ys = [x for x, _ in region.cut], [y for _, y in region.cut]
    left, top, right, bottom = max(min(xs), 0.0), max(min(ys), 0.0), min(max(xs), 1.0), min(max(ys), 1.0)
    inside = [(left + (right - left) * (i + 0.5) / 24, top + (bottom - top) * (j + 0.5) / 24)
              for i in range(24) for j in range(24)]
    inside = [(x, y) for x, y in inside if region.contains(x, y) and point_in_polygon(outline, x, y)]
    if not inside:
        raise PainDrawingDataError(f"Pain region {region_id} does not cover any of the body outline.")
    mean_x, mean_y = sum(x for x, _ in inside) / len(inside), sum(y for _, y in inside) / len(inside)
    return min(inside, key=lambda p: (p[0] - mean_x) ** 2 + (p[1] - mean_y) ** 2)


@cache
def load_atlas() -> PainAtlas:
    """The shipped regions (resources/pain_regions.json) and kinds and notes (rules/pain_drawing.toml)."""
    try:
        regions_raw = json.loads(resource("pain_regions.json").read_text(encoding="utf-8"))
        rules_raw = tomllib.loads(resource("rules", "pain_drawing.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PainDrawingDataError(f"The pain drawing data cannot be read ({error}); reinstall AcuDesk.") from error
    return parse_atlas(regions_raw, rules_raw)


def parse_atlas(regions_raw: Any, rules_raw: Any) -> PainAtlas:
    regions: dict[str, Region] = {}
    for raw in regions_raw.get("regions", []):
        try:
            region = Region(
                id=str(raw["id"]), view=str(raw["view"]), name=str(raw["name"]), segment=str(raw["segment"]),
                side=str(raw["side"]), limb=str(raw.get("limb", "")), level=int(raw.get("level", 0)),
                weight=float(raw.get("weight", 0.0)), counts_as=str(raw.get("counts_as", "")),
                cut=tuple((float(x), float(y)) for x, y in raw["cut"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PainDrawingDataError(f"Pain region {raw!r:.60} is incomplete: {error}") from error
        if region.view not in VIEWS or region.side not in SIDES or region.limb not in ("", *LIMBS):
            raise PainDrawingDataError(f"Pain region {region.id}: bad view, side or limb.")
        if region.id in regions or len(region.cut) < 3:
            raise PainDrawingDataError(f"Pain region {region.id}: duplicate id or a cut with under 3 points.")
        regions[region.id] = region
    for region in regions.values():
        if region.counts_as and (region.counts_as not in regions or regions[region.counts_as].counts_as):
            raise PainDrawingDataError(f"Pain region {region.id} counts as an unknown region {region.counts_as}.")
        if region.view == "side" and not region.counts_as:
            raise PainDrawingDataError(f"Side-view pain region {region.id} must name the region it counts as.")
    kinds = {str(k["id"]): PainKind(str(k["id"]), str(k["label"]), str(k["symbol"])) for k in rules_raw["kind"]}
    notes = {str(n["id"]): NoteRule(str(n["id"]), str(n["when"]), str(n["text"]), str(n["source"]))
             for n in rules_raw["note"]}
    for needed in ("both_legs", "now_below_knee", "now_below_elbow", "new_numbness", "retreated"):
        if needed not in notes:
            raise PainDrawingDataError(f"resources/rules/pain_drawing.toml has no {needed!r} note.")
    return PainAtlas(MappingProxyType(regions), MappingProxyType(kinds), MappingProxyType(notes))


# ----------------------------------------------------------------------------------------- marks


@dataclass(frozen=True, order=True)
class PainMark:
    region: str
    kind: str
    intensity: int  # 0-10


def validate_marks(raw: Iterable[Any], atlas: PainAtlas | None = None) -> tuple[PainMark, ...]:
    """Marks from plain values (``PainMark`` or ``{"region", "kind", "intensity"}``), checked.

    Refuses unknown regions and kinds, intensities that are not whole numbers from 0 to 10 (NaN and
    infinity included), and the same region marked twice with the same kind. Returns them sorted."""
    atlas = atlas or load_atlas()
    errors: list[ValidationError] = []
    marks: list[PainMark] = []
    seen: set[tuple[str, str]] = set()
    items = list(raw)
    if len(items) > MAX_MARKS:
        raise ValidationError(f"A pain drawing holds at most {MAX_MARKS} marks.", field="marks")
    for number, item in enumerate(items, start=1):
        region: Any
        kind: Any
        intensity: Any
        if isinstance(item, PainMark):
            region, kind, intensity = item.region, item.kind, item.intensity
        elif isinstance(item, Mapping):
            region, kind, intensity = item.get("region"), item.get("kind"), item.get("intensity")
        else:
            errors.append(ValidationError(f"Mark {number} is not a region, kind and intensity.", field="marks"))
            continue
        if region not in atlas.regions:
            errors.append(ValidationError(f"Mark {number}: {region!r} is not a body region.", field="region"))
            continue
        name = atlas.regions[region].name
        if kind not in atlas.kinds:
            errors.append(ValidationError(f"Mark {number} ({name}): {kind!r} is not a kind of pain "
                                          f"({', '.join(atlas.kinds)}).", field="kind"))
            continue
        value = _intensity(intensity)
        if value is None:
            errors.append(ValidationError(f"Mark {number} ({name}): the intensity must be a whole number from "
                                          f"0 to 10, not {intensity!r}.", field="intensity"))
            continue
        if (region, kind) in seen:
            errors.append(ValidationError(f"{name.capitalize()} is marked {atlas.kinds[kind].label.lower()} twice.",
                                          field="marks"))
            continue
        seen.add((region, kind))
        marks.append(PainMark(region, kind, value))
    if errors:
        raise errors[0] if len(errors) == 1 else ValidationErrors(errors)
    return tuple(sorted(marks))


def _intensity(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int) and 0 <= value <= 10:
        return value
    return None


def validate_note(note: str) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise ValidationError(f"The drawing's note is longer than {MAX_NOTE} characters.", field="note")
    return text


def marks_to_json(marks: Sequence[PainMark]) -> list[dict[str, Any]]:
    return [{"region": m.region, "kind": m.kind, "intensity": m.intensity} for m in marks]


# ----------------------------------------------------------------------------------------- measures


def area_percent(marks: Iterable[PainMark], atlas: PainAtlas | None = None) -> float:
    """Percent of the body surface marked (any kind, any intensity, including 0), each skin area once."""
    atlas = atlas or load_atlas()
    surfaces = {atlas.surface(m.region).id for m in marks}
    return round(sum(atlas.regions[s].weight for s in surfaces), 2)


@dataclass(frozen=True)
class Spread:
    """How far the pain reaches: per limb and side, the furthest level marked (0: none)."""

    legs: Mapping[str, int] = field(default_factory=dict)  # "right"/"left" → level
    arms: Mapping[str, int] = field(default_factory=dict)
    sides: frozenset[str] = frozenset()  # "right", "left" (midline marks add none)
    segments: tuple[str, ...] = ()  # head, neck and trunk segments marked, top down

    @property
    def both_legs(self) -> bool:
        return all(self.legs.get(side, 0) >= IN_LIMB for side in ("right", "left"))

    @property
    def both_arms(self) -> bool:
        return all(self.arms.get(side, 0) >= IN_LIMB for side in ("right", "left"))

    def words(self) -> list[str]:
        """Plain phrases, furthest reach first per limb: ["both legs", "below the right knee", …]."""
        phrases: list[str] = []
        if self.both_legs:
            phrases.append("both legs")
        for side in ("right", "left"):
            level = self.legs.get(side, 0)
            if level >= BELOW_KNEE:
                phrases.append(f"below the {side} knee")
            elif level == 3:
                phrases.append(f"to the {side} knee")
            elif level == 2:
                phrases.append(f"into the {side} thigh")
            elif level == 1:
                phrases.append(f"{side} buttock or hip only")
        if self.both_arms:
            phrases.append("both arms")
        for side in ("right", "left"):
            level = self.arms.get(side, 0)
            if level >= 4:
                phrases.append(f"into the {side} hand")
            elif level == BELOW_ELBOW:
                phrases.append(f"below the {side} elbow")
            elif level == 2:
                phrases.append(f"into the {side} upper arm")
            elif level == 1:
                phrases.append(f"{side} shoulder only")
        phrases.extend(self.segments)
        if self.sides == {"right", "left"}:
            phrases.append("both sides")
        return phrases

    def summary(self) -> str:
        return "; ".join(self.words()) or "no pain marked"


TRUNK_ORDER = ("head", "neck", "upper back", "chest", "mid back", "abdomen", "low back")


def spread_of(marks: Iterable[PainMark], atlas: PainAtlas | None = None) -> Spread:
    atlas = atlas or load_atlas()
    legs: dict[str, int] = {}
    arms: dict[str, int] = {}
    sides: set[str] = set()
    segments: set[str] = set()
    for mark in marks:
        region = atlas.regions[mark.region]
        if region.side in ("right", "left"):
            sides.add(region.side)
        if region.limb == "leg":
            legs[region.side] = max(legs.get(region.side, 0), region.level)
        elif region.limb == "arm":
            arms[region.side] = max(arms.get(region.side, 0), region.level)
        else:
            segments.add(region.segment)
    ordered = tuple(s for s in TRUNK_ORDER if s in segments) + tuple(sorted(segments - set(TRUNK_ORDER)))
    return Spread(MappingProxyType(legs), MappingProxyType(arms), frozenset(sides), ordered)


@dataclass(frozen=True)
class DrawingMeasures:
    area: float  # percent of body surface
    regions: int  # regions marked
    worst: int | None  # highest intensity marked
    spread: Spread

    def line(self) -> str:
        """ "12 % of the body; worst 7/10; below the right knee; low back" """
        if not self.regions:
            return "no pain marked"
        return f"{self.area:g} % of the body; worst {self.worst}/10; {self.spread.summary()}"


def measures(marks: Sequence[PainMark], atlas: PainAtlas | None = None) -> DrawingMeasures:
    atlas = atlas or load_atlas()
    return DrawingMeasures(
        area=area_percent(marks, atlas), regions=len({m.region for m in marks}),
        worst=max((m.intensity for m in marks), default=None), spread=spread_of(marks, atlas),
    )


# ----------------------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Note:
    rule: str  # a note id of pain_drawing.toml
    text: str
    source: str


@dataclass(frozen=True)
class Comparison:
    before: DrawingMeasures | None  # None: there is no previous drawing
    after: DrawingMeasures
    changes: tuple[str, ...]  # "below the right knee (before: into the right thigh)"
    notes: tuple[Note, ...]  # what to check; safety notes first

    def line(self) -> str:
        """ "Pain area: 12 % → 6 %; spread: below the right knee → right buttock or hip only" """
        if self.before is None:
            return f"Pain area: {self.after.area:g} %; spread: {self.after.spread.summary()}"
        return (f"Pain area: {self.before.area:g} % → {self.after.area:g} %; "
                f"spread: {self.before.spread.summary()} → {self.after.spread.summary()}")


def _reach(limb: str, side: str, level: int) -> str:
    if level == 0:
        return f"no {side} {limb} pain"
    if limb == "leg":
        return {1: f"{side} buttock or hip", 2: f"{side} thigh", 3: f"{side} knee"}.get(level, f"below the {side} knee")
    return {1: f"{side} shoulder", 2: f"{side} upper arm", 3: f"below the {side} elbow"}.get(level, f"{side} hand")


def compare(previous: Sequence[PainMark] | None, current: Sequence[PainMark],
            atlas: PainAtlas | None = None) -> Comparison:
    """The current drawing against the previous one (None: the first drawing): what grew or shrank,
    and the notes to act on. The both-legs note shows whenever both legs are drawn, new or not."""
    atlas = atlas or load_atlas()
    after = measures(current, atlas)
    before = measures(previous, atlas) if previous is not None else None
    changes: list[str] = []
    fired: list[str] = []
    if after.spread.both_legs:
        fired.append("both_legs")
    if before is not None:
        for limb, threshold, note in (("leg", BELOW_KNEE, "now_below_knee"), ("arm", BELOW_ELBOW, "now_below_elbow")):
            was_map = before.spread.legs if limb == "leg" else before.spread.arms
            now_map = after.spread.legs if limb == "leg" else after.spread.arms
            for side in ("right", "left"):
                was, now = was_map.get(side, 0), now_map.get(side, 0)
                if was == now:
                    continue
                verb = "spread" if now > was else "retreated"
                changes.append(f"{side} {limb} pain {verb}: {_reach(limb, side, was)} → {_reach(limb, side, now)}")
                if now >= threshold > was and note not in fired:
                    fired.append(note)
                if now < was and "retreated" not in fired:
                    fired.append("retreated")
        sensory = {"numbness", "pins_and_needles"}
        had = {m.region for m in previous or () if m.kind in sensory}
        if any(m.kind in sensory and m.region not in had and atlas.regions[m.region].limb for m in current):
            fired.append("new_numbness")
    order = ("both_legs", "now_below_knee", "now_below_elbow", "new_numbness", "retreated")
    notes = tuple(Note(rule, atlas.notes[rule].text, atlas.notes[rule].source)
                  for rule in sorted(set(fired), key=order.index))
    return Comparison(before, after, tuple(changes), notes)
