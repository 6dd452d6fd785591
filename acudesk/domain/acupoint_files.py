"""The acupoint data files shipped in ``resources/acupoints``: reading and validating ``points.json``
(a malformed file raises :class:`~acudesk.domain.acupoints.CatalogueError` naming the point and the
field) and ``body_chart.json`` (the silhouettes), each once per process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from acudesk.domain.acupoints import (
    ASHI_MERIDIAN,
    EXTRA_MERIDIAN,
    MERIDIANS,
    REGIONS,
    SAFETY_KINDS,
    VIEWS,
    Acupoint,
    BodyChart,
    Catalogue,
    CatalogueError,
    ChartPosition,
    ChartView,
    Point2D,
    SafetyAttribute,
)
from acudesk.domain.point_codes import code_key
from acudesk.paths import resource


def _read_json(path: Path, what: str) -> Any:
    """The decoded JSON document at ``path``; ``what`` names it in the error ("The body chart")."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise CatalogueError(f"{what} is missing ({path.name}); reinstall AcuDesk.") from error
    except (OSError, ValueError) as error:
        raise CatalogueError(f"{what} {path.name} cannot be read: {error}") from error


# ----------------------------------------------------------------------------------------- points.json


def catalogue_path() -> Path:
    return resource("acupoints", "points.json")


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with AcuDesk, read and validated once per process."""
    return read_catalogue(catalogue_path())


def read_catalogue(path: Path) -> Catalogue:
    return parse_catalogue(_read_json(path, "The acupoint catalogue"))


def parse_catalogue(raw: Any) -> Catalogue:
    """Build a catalogue from the decoded JSON document, validating every point."""
    if not isinstance(raw, dict) or not isinstance(raw.get("points"), list):
        raise CatalogueError("The acupoint catalogue must be an object with a 'points' list.", field="points")
    points: list[Acupoint] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["points"]):
        point = _parse_point(item, index)
        key = code_key(point.code)
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
    if not isinstance(raw_code, str) or not code_key(raw_code):
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


# ----------------------------------------------------------------------------------------- body_chart.json


@cache
def load_body_chart() -> BodyChart:
    """The silhouettes shipped with AcuDesk (front, back, side), read once per process."""
    return parse_body_chart(_read_json(resource("acupoints", "body_chart.json"), "The body chart"))


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
