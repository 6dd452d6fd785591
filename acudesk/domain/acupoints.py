"""The acupoint catalogue: WHO standard points, extra points and Ashi, read from ``resources/acupoints``.

Plain data and pure functions: the catalogue is loaded once from ``points.json`` (validated on load, a
malformed file raises :class:`CatalogueError` naming the point and the field), and searched through an
index built at load time. The body-chart silhouettes in ``body_chart.json`` are exposed as plain
dataclasses for the Qt widget and the PDF reports to draw.
"""

from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from acudesk.domain.errors import AcuDeskError
from acudesk.paths import resource

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
MERIDIANS: tuple[str, ...] = (
    "LU", "LI", "ST", "SP", "HT", "SI", "BL", "KI", "PC", "TE", "GB", "LR", "GV", "CV",
)
EXTRA_MERIDIAN = "EX"
ASHI_MERIDIAN = "ASHI"

# Other spellings of meridian abbreviations seen in clinics and older books.
MERIDIAN_ALIASES: Mapping[str, str] = MappingProxyType({
    "UB": "BL", "B": "BL", "TW": "TE", "SJ": "TE", "TH": "TE", "SAN": "TE", "LV": "LR", "LIV": "LR",
    "DU": "GV", "GOV": "GV", "REN": "CV", "CO": "CV", "CON": "CV", "P": "PC", "PE": "PC", "H": "HT",
    "HE": "HT", "K": "KI", "KID": "KI", "LUNG": "LU", "G": "GB", "S": "ST", "SPL": "SP",
})

_CODE_RE = re.compile(r"^([A-Z]+)(\d+)$")


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


# ----------------------------------------------------------------------------------------- text folding


def fold(text: str) -> str:
    """Lower-case, strip tone marks and other accents, drop spaces and punctuation (``Fù'āi`` -> ``fuai``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch))


def _words(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return tuple(w for w in re.split(r"[^0-9a-z]+", plain.replace("'", "")) if w)


def _code_key(text: str) -> str:
    """Upper-case letters and digits only: ``bl-23`` -> ``BL23``, ``ex-b2`` -> ``EXB2``."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).upper() if ch.isascii() and ch.isalnum())


# ----------------------------------------------------------------------------------------- the catalogue

_TIER_EXACT_CODE = 0
_TIER_CODE_PREFIX = 1
_TIER_PINYIN_EXACT = 2
_TIER_NAME_EXACT = 3
_TIER_PINYIN_PREFIX = 4
_TIER_HANZI_PART = 5
_TIER_ENGLISH_WORDS = 6
_TIER_PINYIN_PART = 7
_TIER_REGION = 8
_TIER_INDICATION = 9
_TIER_LOCATION_WORDS = 10


class _WordIndex:
    """Words mapped to the positions of the points whose text contains them; prefix look-up by bisection."""

    def __init__(self, texts: Sequence[Iterable[str]]) -> None:
        positions: dict[str, set[int]] = {}
        for position, words in enumerate(texts):
            for word in words:
                positions.setdefault(word, set()).add(position)
        self._words: list[str] = sorted(positions)
        self._positions: dict[str, frozenset[int]] = {w: frozenset(p) for w, p in positions.items()}

    def matching(self, query: str, *, prefix: bool) -> set[int]:
        if not prefix:
            return set(self._positions.get(query, ()))
        found: set[int] = set()
        index = bisect_left(self._words, query)
        while index < len(self._words) and self._words[index].startswith(query):
            found |= self._positions[self._words[index]]
            index += 1
        return found

    def all_words(self, queries: Sequence[str], *, min_prefix: int) -> set[int]:
        """Positions whose text has every query word (as a word, or as a word prefix when long enough)."""
        result: set[int] | None = None
        for query in queries:
            hits = self.matching(query, prefix=len(query) >= min_prefix)
            result = hits if result is None else result & hits
            if not result:
                return set()
        return result or set()


class _SearchIndex:
    """Everything :meth:`Catalogue.search` needs, computed once when the catalogue loads."""

    def __init__(self, points: Sequence[Acupoint]) -> None:
        self.code_keys: list[tuple[str, int]] = []
        self.exact_code: dict[str, set[int]] = {}
        self.pinyins: list[tuple[str, int]] = []
        self.exact_pinyin: dict[str, set[int]] = {}
        self.exact_english: dict[str, set[int]] = {}
        self.hanzis: list[tuple[str, int]] = []
        self.regions: dict[str, set[int]] = {}
        self.indications: dict[str, set[int]] = {}
        english_words: list[tuple[str, ...]] = []
        location_words: list[tuple[str, ...]] = []
        for position, point in enumerate(points):
            keys = [_code_key(point.code)]
            if point.meridian in MERIDIANS:
                keys += [f"{alias}{point.number}" for alias, m in MERIDIAN_ALIASES.items() if m == point.meridian]
            for key in keys:
                self.code_keys.append((key, position))
                self.exact_code.setdefault(key, set()).add(position)
            for name in (point.pinyin, *point.aliases):
                if _has_cjk(name):
                    continue
                folded = fold(name)
                self.pinyins.append((folded, position))
                self.exact_pinyin.setdefault(folded, set()).add(position)
            for name in (point.hanzi, *point.aliases):
                if _has_cjk(name):
                    self.hanzis.append((name, position))
            self.exact_english.setdefault(fold(point.english), set()).add(position)
            self.regions.setdefault(fold(point.region), set()).add(position)
            for tag in point.indications:
                self.indications.setdefault(fold(tag), set()).add(position)
            english_words.append(_words(point.english))
            location_words.append(_words(point.location))
        self.english_words = _WordIndex(english_words)
        self.location_words = _WordIndex(location_words)


class Catalogue:
    """All acupoints in canonical order, with code lookup and ranked search."""

    def __init__(self, points: Sequence[Acupoint]) -> None:
        self._points: tuple[Acupoint, ...] = tuple(points)
        self._by_key: dict[str, Acupoint] = {}
        for point in self._points:
            self._by_key[_code_key(point.code)] = point
        self._by_meridian: dict[str, tuple[Acupoint, ...]] = {}
        for point in self._points:
            self._by_meridian.setdefault(point.meridian, ())
            self._by_meridian[point.meridian] += (point,)
        self._index = _SearchIndex(self._points)

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
        key = _code_key(meridian)
        key = MERIDIAN_ALIASES.get(key, key)
        return self._by_meridian.get(key, ())

    def by_region(self, region: str) -> tuple[Acupoint, ...]:
        return tuple(p for p in self._points if p.region == region)

    def with_safety(self, kind: str) -> tuple[Acupoint, ...]:
        return tuple(p for p in self._points if p.has_safety(kind))

    def normalise_code(self, text: str) -> str | None:
        """Canonical code for any spelling (``bl 23``, ``UB-23``, ``ex-b2``, ``ashi``), or None if unknown."""
        key = _code_key(text)
        if not key:
            return None
        point = self._by_key.get(key)
        if point is None:
            match = _CODE_RE.match(key)
            if match:
                letters, digits = match.groups()
                meridian = MERIDIAN_ALIASES.get(letters, letters)
                point = self._by_key.get(f"{meridian}{int(digits)}")
        return None if point is None else point.code

    def get(self, code: str) -> Acupoint | None:
        canonical = self.normalise_code(code)
        return None if canonical is None else self._by_key[_code_key(canonical)]

    # ------------------------------------------------------------------------------------------- search

    def search(self, text: str, limit: int = 20) -> list[Acupoint]:
        """Points matching ``text``, best first.

        Ranking: exact code, code prefix, exact pinyin (tone marks, case and spaces ignored), exact English
        name, pinyin prefix, hanzi, all English-name words, pinyin substring, region, indication tag, and
        finally all words found in the location text. Ties keep canonical order.
        """
        query = text.strip()
        if not query or limit <= 0:
            return []
        index = self._index
        best: dict[int, int] = {}

        def hit(tier: int, positions: Iterable[int]) -> None:
            for position in positions:
                if position not in best:
                    best[position] = tier

        query_key = _code_key(query)
        code_query = _CODE_RE.match(query_key)
        if code_query:  # "UB23" -> "BL23", "bl023" -> "BL23"
            letters, digits = code_query.groups()
            query_key = f"{MERIDIAN_ALIASES.get(letters, letters)}{int(digits)}"
        query_fold = fold(query)
        query_words = _words(query)
        query_cjk = "".join(ch for ch in query if _is_cjk(ch))
        if query_key:
            hit(_TIER_EXACT_CODE, index.exact_code.get(query_key, ()))
            if len(query_key) >= 2:
                hit(_TIER_CODE_PREFIX, (p for k, p in index.code_keys if k.startswith(query_key)))
        if query_fold:
            hit(_TIER_PINYIN_EXACT, index.exact_pinyin.get(query_fold, ()))
            hit(_TIER_NAME_EXACT, index.exact_english.get(query_fold, ()))
            if len(query_fold) >= 3:
                hit(_TIER_PINYIN_PREFIX, (p for name, p in index.pinyins if name.startswith(query_fold)))
        if query_cjk:
            hit(_TIER_HANZI_PART, (p for name, p in index.hanzis if query_cjk in name))
        if query_words:
            hit(_TIER_ENGLISH_WORDS, index.english_words.all_words(query_words, min_prefix=3))
        if len(query_fold) >= 4:
            hit(_TIER_PINYIN_PART, (p for name, p in index.pinyins if query_fold in name))
        if query_fold:
            hit(_TIER_REGION, index.regions.get(query_fold, ()))
            hit(_TIER_INDICATION, index.indications.get(query_fold, ()))
        if not code_query and query_words and all(len(q) >= 3 for q in query_words):
            hit(_TIER_LOCATION_WORDS, index.location_words.all_words(query_words, min_prefix=3))
        ranked = sorted(best, key=lambda position: (best[position], position))
        return [self._points[position] for position in ranked[:limit]]


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" or "\uf900" <= ch <= "\ufaff"


def _has_cjk(text: str) -> bool:
    return any(_is_cjk(ch) for ch in text)


# ----------------------------------------------------------------------------------------- loading


def catalogue_path() -> Path:
    return resource("acupoints", "points.json")


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with AcuDesk, read and validated once per process."""
    return read_catalogue(catalogue_path())


def read_catalogue(path: Path) -> Catalogue:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CatalogueError(f"The acupoint catalogue is missing ({path.name}); reinstall AcuDesk.") from error
    except (OSError, ValueError) as error:
        raise CatalogueError(f"The acupoint catalogue {path.name} cannot be read: {error}") from error
    return parse_catalogue(raw)


def parse_catalogue(raw: Any) -> Catalogue:
    """Build a catalogue from the decoded JSON document, validating every point."""
    if not isinstance(raw, dict) or not isinstance(raw.get("points"), list):
        raise CatalogueError("The acupoint catalogue must be an object with a 'points' list.", field="points")
    points: list[Acupoint] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["points"]):
        point = _parse_point(item, index)
        key = _code_key(point.code)
        if key in seen:
            raise CatalogueError(f"Acupoint {point.code}: the code appears more than once.", field="code")
        seen.add(key)
        points.append(point)
    return Catalogue(points)


def _fail(code: str, name: str, problem: str) -> CatalogueError:
    return CatalogueError(f"Acupoint {code}, field '{name}': {problem}", field=name)


def _text(item: Mapping[str, Any], code: str, name: str, *, required: bool = True) -> str:
    value = item.get(name)
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(code, name, "must be a non-empty text")
    return value


def _parse_point(item: Any, index: int) -> Acupoint:
    if not isinstance(item, dict):
        raise CatalogueError(f"Acupoint entry #{index + 1} is not an object.", field="points")
    raw_code = item.get("code")
    if not isinstance(raw_code, str) or not _code_key(raw_code):
        raise CatalogueError(f"Acupoint entry #{index + 1}, field 'code': must be a non-empty text.", field="code")
    code = raw_code
    meridian = _text(item, code, "meridian")
    if meridian not in (*MERIDIANS, EXTRA_MERIDIAN, ASHI_MERIDIAN):
        raise _fail(code, "meridian", f"unknown meridian {meridian!r}")
    number = item.get("number")
    if meridian in MERIDIANS:
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise _fail(code, "number", "must be a positive whole number for a meridian point")
        if code != f"{meridian}{number}":
            raise _fail(code, "code", f"does not match meridian {meridian} and number {number}")
    elif number is not None:
        raise _fail(code, "number", "must be null for extra points and Ashi")
    region = _text(item, code, "region")
    if region not in REGIONS:
        raise _fail(code, "region", f"{region!r} is not one of {', '.join(REGIONS)}")
    indications = item.get("indications", [])
    if not isinstance(indications, list) or not all(isinstance(t, str) and t for t in indications):
        raise _fail(code, "indications", "must be a list of tags")
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _fail(code, "aliases", "must be a list of names")
    bilateral = item.get("bilateral", True)
    if not isinstance(bilateral, bool):
        raise _fail(code, "bilateral", "must be true or false")
    return Acupoint(
        code=code,
        meridian=meridian,
        number=number,
        pinyin=_text(item, code, "pinyin"),
        hanzi=_text(item, code, "hanzi"),
        english=_text(item, code, "english"),
        region=region,
        location=_text(item, code, "location"),
        indications=tuple(indications),
        safety=tuple(_parse_safety(code, s) for s in _list(item, code, "safety")),
        chart=_parse_chart(code, item.get("chart")),
        aliases=tuple(aliases),
        bilateral=bilateral,
    )


def _list(item: Mapping[str, Any], code: str, name: str) -> list[Any]:
    value = item.get(name, [])
    if not isinstance(value, list):
        raise _fail(code, name, "must be a list")
    return value


def _parse_safety(code: str, raw: Any) -> SafetyAttribute:
    if not isinstance(raw, dict):
        raise _fail(code, "safety", "each entry must be an object with kind, detail and source")
    kind = raw.get("kind")
    if kind not in SAFETY_KINDS:
        raise _fail(code, "safety", f"unknown kind {kind!r}; expected one of {', '.join(SAFETY_KINDS)}")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise _fail(code, "safety", f"the {kind} entry has no source")
    detail = raw.get("detail")
    if not isinstance(detail, str) or not detail.strip():
        raise _fail(code, "safety", f"the {kind} entry has no detail")
    return SafetyAttribute(kind=kind, detail=detail, source=source)


def _parse_chart(code: str, raw: Any) -> ChartPosition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail(code, "chart", "must be null or an object with view, x and y")
    view = raw.get("view")
    if view not in VIEWS:
        raise _fail(code, "chart", f"view {view!r} is not one of {', '.join(VIEWS)}")
    coords: list[float] = []
    for axis in ("x", "y"):
        value = raw.get(axis)
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
            raise _fail(code, "chart", f"{axis} must be a number from 0 to 1")
        coords.append(float(value))
    return ChartPosition(view=view, x=coords[0], y=coords[1])


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


@cache
def load_body_chart() -> BodyChart:
    """The silhouettes shipped with AcuDesk (front, back, side), read once per process."""
    path = resource("acupoints", "body_chart.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CatalogueError(f"The body chart {path.name} cannot be read: {error}") from error
    return parse_body_chart(raw)


def parse_body_chart(raw: Any) -> BodyChart:
    if not isinstance(raw, dict) or not isinstance(raw.get("views"), dict):
        raise CatalogueError("The body chart must be an object with a 'views' object.", field="views")
    views: dict[str, ChartView] = {}
    for name in VIEWS:
        data = raw["views"].get(name)
        if not isinstance(data, dict):
            raise CatalogueError(f"The body chart has no {name!r} view.", field="views")
        aspect = data.get("aspect")
        if not isinstance(aspect, int | float) or aspect <= 0:
            raise CatalogueError(f"Body chart view {name}: 'aspect' must be a positive number.", field="aspect")
        outline = _polyline(name, "outline", data.get("outline"))
        if len(outline) < 3:
            raise CatalogueError(f"Body chart view {name}: the outline needs at least 3 points.", field="outline")
        details_raw = data.get("details", [])
        if not isinstance(details_raw, list):
            raise CatalogueError(f"Body chart view {name}: 'details' must be a list.", field="details")
        details = tuple(_polyline(name, "details", d) for d in details_raw)
        label = data.get("label", name.title())
        views[name] = ChartView(name=name, label=str(label), aspect=float(aspect), outline=outline, details=details)
    return BodyChart(views=MappingProxyType(views), mirroring=str(raw.get("mirroring", "")))


def _polyline(view: str, name: str, raw: Any) -> tuple[Point2D, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"Body chart view {view}: {name!r} must be a list of [x, y] pairs.", field=name)
    points: list[Point2D] = []
    for pair in raw:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) and 0.0 <= v <= 1.0 for v in pair)
        ):
            raise CatalogueError(f"Body chart view {view}: {name!r} has a bad point {pair!r}.", field=name)
        points.append((float(pair[0]), float(pair[1])))
    return tuple(points)


def point_in_outline(view: ChartView, x: float, y: float) -> bool:
    """Whether ``(x, y)`` lies inside the view's outline polygon (even-odd rule)."""
    inside = False
    outline = view.outline
    for i, (x1, y1) in enumerate(outline):
        x2, y2 = outline[(i + 1) % len(outline)]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
