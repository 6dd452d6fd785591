"""The acupoint catalogue: WHO standard points, extra points and Ashi, with code lookup and ranked search.

Plain data: the points and the body-chart silhouettes (plain dataclasses for the Qt widget and the PDF
reports to draw). Reading and validating the files in ``resources/acupoints`` (``load_catalogue``,
``load_body_chart``) is :mod:`acudesk.domain.acupoint_files`; the search index and its ranking are
:mod:`acudesk.domain.acupoint_search`; the spelling of codes is :mod:`acudesk.domain.point_codes`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from acudesk.domain.acupoint_search import SearchIndex
from acudesk.domain.errors import AcuDeskError
from acudesk.domain.point_codes import (
    ASHI_MERIDIAN,
    EXTRA_MERIDIAN,
    MERIDIAN_ALIASES,
    MERIDIANS,
    code_key,
    meridian_key,
)

__all__ = [
    "ASHI_MERIDIAN", "EXTRA_MERIDIAN", "INDICATION_TAGS", "MERIDIAN_ALIASES", "MERIDIANS", "REGIONS",
    "SAFETY_KINDS", "VIEWS", "Acupoint", "BodyChart", "Catalogue", "CatalogueError", "ChartPosition",
    "ChartView", "Point2D", "SafetyAttribute", "point_in_outline", "point_in_polygon",
]

REGIONS: tuple[str, ...] = (
    "head", "face", "neck", "shoulder", "upper_back", "chest", "upper_abdomen", "lower_abdomen", "lumbar",
    "sacral", "buttock", "upper_arm", "forearm", "hand", "thigh", "knee", "leg", "ankle", "foot", "any",
)
SAFETY_KINDS: tuple[str, ...] = (
    "pregnancy_forbidden", "pregnancy_caution", "pneumothorax_risk", "organ_depth_kidney", "fainting_caution",
    "major_vessel",
)
INDICATION_TAGS: tuple[str, ...] = (
    "low_back_pain", "sciatica", "neck_pain", "upper_back_pain", "shoulder_pain", "headache", "general",
)
VIEWS: tuple[str, ...] = ("front", "back", "side")


class CatalogueError(AcuDeskError):
    """The acupoint reference data is missing or malformed; the message names the point and field."""


@dataclass(frozen=True, slots=True)
class ChartPosition:
    """Normalised position on one body-chart view (x: left to right, y: top to bottom, both 0..1).

    On the front and back views bilateral points are stored on the right half of the image and are
    mirrored (``1 - x``) by the renderer; see ``body_chart.json`` for the convention.
    """

    view: str
    x: float
    y: float

    def mirrored(self) -> ChartPosition:
        return ChartPosition(self.view, round(1.0 - self.x, 4), self.y)


@dataclass(frozen=True, slots=True)
class SafetyAttribute:
    kind: str
    detail: str
    source: str


@dataclass(frozen=True, slots=True)
class Acupoint:
    code: str
    meridian: str
    number: int | None
    pinyin: str
    hanzi: str
    english: str
    region: str
    location: str
    indications: tuple[str, ...]
    safety: tuple[SafetyAttribute, ...]
    chart: ChartPosition | None
    aliases: tuple[str, ...] = ()
    bilateral: bool = True

    def has_safety(self, kind: str) -> bool:
        return any(attribute.kind == kind for attribute in self.safety)

    @property
    def safety_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(attribute.kind for attribute in self.safety))

    @property
    def is_standard(self) -> bool:
        """One of the 361 WHO points on the 14 meridians."""
        return self.meridian in MERIDIANS

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "meridian": self.meridian,
            "number": self.number,
            "pinyin": self.pinyin,
            "hanzi": self.hanzi,
            "english": self.english,
            "aliases": list(self.aliases),
            "region": self.region,
            "bilateral": self.bilateral,
            "chart": None if self.chart is None else {"view": self.chart.view, "x": self.chart.x, "y": self.chart.y},
            "location": self.location,
            "indications": list(self.indications),
            "safety": [{"kind": s.kind, "detail": s.detail, "source": s.source} for s in self.safety],
        }



# ----------------------------------------------------------------------------------------- the catalogue


class Catalogue:
    """All acupoints in canonical order, with code lookup and ranked search."""

    def __init__(self, points: Sequence[Acupoint]) -> None:
        self._points: tuple[Acupoint, ...] = tuple(points)
        self._by_key: dict[str, Acupoint] = {}
        for point in self._points:
            self._by_key[code_key(point.code)] = point
        self._by_meridian: dict[str, tuple[Acupoint, ...]] = {}
        for point in self._points:
            self._by_meridian.setdefault(point.meridian, ())
            self._by_meridian[point.meridian] += (point,)
        self._index = SearchIndex(self._points)

    @property
    def points(self) -> tuple[Acupoint, ...]:
        return self._points

    def __len__(self) -> int:
        return len(self._points)

    def __iter__(self) -> Iterator[Acupoint]:
        return iter(self._points)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    @property
    def standard_points(self) -> tuple[Acupoint, ...]:
        return tuple(p for p in self._points if p.is_standard)

    def by_meridian(self, meridian: str) -> tuple[Acupoint, ...]:
        key = code_key(meridian)
        key = MERIDIAN_ALIASES.get(key, key)
        return self._by_meridian.get(key, ())

    def by_region(self, region: str) -> tuple[Acupoint, ...]:
        return tuple(p for p in self._points if p.region == region)

    def with_safety(self, kind: str) -> tuple[Acupoint, ...]:
        return tuple(p for p in self._points if p.has_safety(kind))

    def normalise_code(self, text: str) -> str | None:
        """Canonical code for any spelling (``bl 23``, ``UB-23``, ``ex-b2``, ``ashi``), or None if unknown."""
        key = code_key(text)
        if not key:
            return None
        point = self._by_key.get(key)
        if point is None:
            standard = meridian_key(key)
            if standard:
                point = self._by_key.get(standard)
        return None if point is None else point.code

    def get(self, code: str) -> Acupoint | None:
        canonical = self.normalise_code(code)
        return None if canonical is None else self._by_key[code_key(canonical)]

    def search(self, text: str, limit: int = 20) -> list[Acupoint]:
        """Points matching ``text``, best first (the ranking is :meth:`SearchIndex.search`)."""
        return self._index.search(text, limit)


# ----------------------------------------------------------------------------------------- body chart

Point2D = tuple[float, float]


@dataclass(frozen=True, slots=True)
class ChartView:
    """One silhouette: ``outline`` is a closed polygon, each of ``details`` an open polyline."""

    name: str
    label: str
    aspect: float
    outline: tuple[Point2D, ...]
    details: tuple[tuple[Point2D, ...], ...]


@dataclass(frozen=True, slots=True)
class BodyChart:
    views: Mapping[str, ChartView] = field(default_factory=dict)
    mirroring: str = ""

    def view(self, name: str) -> ChartView:
        try:
            return self.views[name]
        except KeyError:
            raise CatalogueError(f"The body chart has no {name!r} view.", field="view") from None


def point_in_outline(view: ChartView, x: float, y: float) -> bool:
    """Whether ``(x, y)`` lies inside the view's outline polygon (even-odd rule)."""
    return point_in_polygon(view.outline, x, y)


def point_in_polygon(polygon: Sequence[Point2D], x: float, y: float) -> bool:
    """Whether ``(x, y)`` lies inside the closed ``polygon`` (even-odd rule)."""
    inside = False
    outline = polygon
    for i, (x1, y1) in enumerate(outline):
        x2, y2 = outline[(i + 1) % len(outline)]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
