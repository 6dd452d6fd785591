"""The acupoint catalogue: WHO counts, required data, safety attributes, chart positions and search."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from acudesk.domain.acupoint_files import (
    catalogue_path,
    load_body_chart,
    load_catalogue,
    parse_body_chart,
    parse_catalogue,
)
from acudesk.domain.acupoints import (
    INDICATION_TAGS,
    MERIDIANS,
    REGIONS,
    SAFETY_KINDS,
    VIEWS,
    Acupoint,
    Catalogue,
    CatalogueError,
    point_in_outline,
)
from acudesk.paths import resource

WHO_COUNTS = {
    "LU": 11, "LI": 20, "ST": 45, "SP": 21, "HT": 9, "SI": 19, "BL": 67, "KI": 27, "PC": 9, "TE": 23,
    "GB": 44, "LR": 14, "GV": 28, "CV": 24,
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def raw_document() -> dict[str, Any]:
    return json.loads(catalogue_path().read_text(encoding="utf-8"))


def rng(meridian: str, first: int, last: int) -> list[str]:
    return [f"{meridian}{n}" for n in range(first, last + 1)]


# ------------------------------------------------------------------------------------------ counts


@pytest.mark.parametrize(("meridian", "count"), sorted(WHO_COUNTS.items()))
def test_each_meridian_has_the_who_number_of_points(catalogue: Catalogue, meridian: str, count: int) -> None:
    points = catalogue.by_meridian(meridian)
    assert len(points) == count
    assert [p.number for p in points] == list(range(1, count + 1))
    assert [p.code for p in points] == [f"{meridian}{n}" for n in range(1, count + 1)]


def test_there_are_361_standard_points(catalogue: Catalogue) -> None:
    assert sum(WHO_COUNTS.values()) == 361
    assert len(catalogue.standard_points) == 361
    assert tuple(WHO_COUNTS) == MERIDIANS


def test_codes_are_unique_and_in_canonical_order(catalogue: Catalogue) -> None:
    codes = [p.code for p in catalogue.points]
    assert len(codes) == len(set(codes))
    standard = [p.meridian for p in catalogue.points if p.is_standard]
    assert standard == sorted(standard, key=MERIDIANS.index)
    assert catalogue.points[-1].code == "Ashi"


@pytest.mark.parametrize(
    ("code", "pinyin", "hanzi"),
    [
        ("EX-B2", "Jiájǐ", "夹脊"),
        ("EX-B7", "Yāoyǎn", "腰眼"),
        ("EX-B8", "Shíqīzhuī", "十七椎"),
        ("EX-UE7", "Yāotòngdiǎn", "腰痛点"),
        ("EX-HN15", "Jǐngbǎiláo", "颈百劳"),
        ("EX-HN3", "Yìntáng", "印堂"),
        ("EX-HN5", "Tàiyáng", "太阳"),
        ("EX-B1", "Dìngchuǎn", "定喘"),
    ],
)
def test_extra_points_for_back_and_neck_pain_are_present(
    catalogue: Catalogue, code: str, pinyin: str, hanzi: str
) -> None:
    point = catalogue.get(code)
    assert point is not None
    assert (point.code, point.meridian, point.number, point.pinyin, point.hanzi) == (code, "EX", None, pinyin, hanzi)


def test_ashi_has_no_fixed_location(catalogue: Catalogue) -> None:
    ashi = catalogue.get("ashi")
    assert ashi is not None
    assert (ashi.code, ashi.meridian, ashi.number, ashi.hanzi, ashi.english, ashi.region, ashi.chart) == (
        "Ashi", "ASHI", None, "阿是", "Tender points", "any", None,
    )


@pytest.mark.parametrize(
    ("code", "pinyin", "hanzi", "english", "region"),
    [
        ("BL23", "Shènshū", "肾俞", "Kidney Shu", "lumbar"),
        ("BL25", "Dàchángshū", "大肠俞", "Large Intestine Shu", "lumbar"),
        ("BL40", "Wěizhōng", "委中", "Bend Middle", "knee"),
        ("BL54", "Zhìbiān", "秩边", "Order's Edge", "buttock"),
        ("BL60", "Kūnlún", "昆仑", "Kunlun Mountains", "ankle"),
        ("GB20", "Fēngchí", "风池", "Wind Pool", "neck"),
        ("GB21", "Jiānjǐng", "肩井", "Shoulder Well", "shoulder"),
        ("GB30", "Huántiào", "环跳", "Jumping Round", "buttock"),
        ("GV3", "Yāoyángguān", "腰阳关", "Lumbar Yang Pass", "lumbar"),
        ("GV4", "Mìngmén", "命门", "Gate of Life", "lumbar"),
        ("LI4", "Hégǔ", "合谷", "Union Valley", "hand"),
        ("SI3", "Hòuxī", "后溪", "Back Stream", "hand"),
        ("KI3", "Tàixī", "太溪", "Great Ravine", "ankle"),
        ("SP6", "Sānyīnjiāo", "三阴交", "Three Yin Intersection", "leg"),
        ("LR3", "Tàichōng", "太冲", "Great Rushing", "foot"),
        ("ST36", "Zúsānlǐ", "足三里", "Leg Three Li", "leg"),
    ],
)
def test_key_points_have_the_expected_names(
    catalogue: Catalogue, code: str, pinyin: str, hanzi: str, english: str, region: str
) -> None:
    point = catalogue.get(code)
    assert point is not None
    assert (point.pinyin, point.hanzi, point.english, point.region) == (pinyin, hanzi, english, region)


# ------------------------------------------------------------------------------------------ every point


def test_every_point_has_names_and_a_location(catalogue: Catalogue) -> None:
    for point in catalogue.points:
        for name in ("pinyin", "hanzi", "english", "location"):
            assert getattr(point, name).strip(), f"{point.code} has no {name}"
        assert point.location.endswith("."), point.code


def test_every_region_is_in_the_shared_vocabulary(catalogue: Catalogue) -> None:
    assert {p.region for p in catalogue.points} <= set(REGIONS)


def test_indications_use_known_tags(catalogue: Catalogue) -> None:
    for point in catalogue.points:
        assert set(point.indications) <= set(INDICATION_TAGS), point.code


def test_chart_positions_are_valid_and_inside_the_silhouette(catalogue: Catalogue) -> None:
    chart = load_body_chart()
    for point in catalogue.points:
        if point.chart is None:
            assert point.code == "Ashi"
            continue
        assert point.chart.view in VIEWS
        assert 0.0 <= point.chart.x <= 1.0 and 0.0 <= point.chart.y <= 1.0
        assert point_in_outline(chart.view(point.chart.view), point.chart.x, point.chart.y), point.code
        if point.chart.view in ("front", "back"):
            if point.bilateral:
                assert point.chart.x >= 0.5, f"{point.code} should be on the right half of the image"
            else:
                assert point.chart.x == 0.5, f"{point.code} is a midline point"


@pytest.mark.parametrize(
    ("code", "view", "x_range", "y_range"),
    [
        ("BL23", "back", (0.53, 0.56), (0.36, 0.40)),  # beside L2, inner bladder line
        ("BL52", "back", (0.57, 0.61), (0.36, 0.40)),  # outer bladder line, same level
        ("GV3", "back", (0.5, 0.5), (0.41, 0.44)),
        ("GB20", "back", (0.52, 0.58), (0.12, 0.15)),  # nape
        ("LI4", "back", (0.78, 0.83), (0.5, 0.55)),  # back of the hand
        ("BL40", "back", (0.58, 0.64), (0.70, 0.75)),  # behind the knee
    ],
)
def test_back_and_neck_points_sit_where_a_clinician_expects(
    catalogue: Catalogue, code: str, view: str, x_range: tuple[float, float], y_range: tuple[float, float]
) -> None:
    point = catalogue.get(code)
    assert point is not None and point.chart is not None
    assert point.chart.view == view
    assert x_range[0] <= point.chart.x <= x_range[1]
    assert y_range[0] <= point.chart.y <= y_range[1]


def test_body_chart_has_three_views() -> None:
    chart = load_body_chart()
    assert set(chart.views) == set(VIEWS)
    for view in chart.views.values():
        assert view.aspect > 0 and len(view.outline) >= 10
        assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in view.outline)
    assert chart.mirroring


# ------------------------------------------------------------------------------------------ safety


def test_every_safety_attribute_has_a_known_kind_and_a_source(catalogue: Catalogue) -> None:
    for point in catalogue.points:
        for attribute in point.safety:
            assert attribute.kind in SAFETY_KINDS, point.code
            assert attribute.source.strip(), point.code
            assert attribute.detail.strip(), point.code


SAFETY_CASES = (
    [(code, "pregnancy_forbidden") for code in ["LI4", "SP6", "BL60", "BL67", *rng("BL", 31, 34)]]
    + [(code, "pregnancy_caution") for code in ["LR3", "GB21", *rng("CV", 2, 14)]]
    + [(code, "pneumothorax_risk") for code in ["LU1", "GB21", "SI14", "SI15", "ST12",
                                                 *rng("BL", 11, 21), *rng("BL", 41, 51)]]
    + [(code, "organ_depth_kidney") for code in ["BL22", "BL23", "BL51", "BL52"]]
    + [("LR3", "fainting_caution"), ("ST9", "major_vessel"), ("LU9", "major_vessel")]
)


@pytest.mark.parametrize(("code", "kind"), SAFETY_CASES)
def test_listed_points_carry_their_safety_attribute(catalogue: Catalogue, code: str, kind: str) -> None:
    point = catalogue.get(code)
    assert point is not None
    assert point.has_safety(kind), f"{code} should carry {kind}"


def test_a_pregnant_patients_plan_with_sp6_is_flagged(catalogue: Catalogue) -> None:
    plan = ["BL23", "SP6", "KI3"]
    flagged = [code for code in plan if catalogue.get(code).has_safety("pregnancy_forbidden")]  # type: ignore[union-attr]
    assert flagged == ["SP6"]


def test_points_with_safety_attributes_have_full_sentence_locations(catalogue: Catalogue) -> None:
    named = {"BL23", "BL25", "BL40", "BL52", "BL54", "BL57", "BL60", "BL10", "GB30", "GB34", "GB21", "GB20",
             "GV4", "GV3", "LI4", "SI3", "SI6", "SI14", "SI15", "TE5", "KI3", "SP6", "LR3", "ST36", "EX-B2",
             "EX-UE7", "Ashi"}
    for point in catalogue.points:
        if point.safety or point.code in named:
            first = point.location.split(". ")[0]
            assert len(first.split()) >= 6 and point.location[0].isupper(), point.code
            assert any(verb in f" {first} " for verb in (" lies ", " is ", " are ", " have ")), point.code


# ------------------------------------------------------------------------------------------ lookup


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bl23", "BL23"), ("BL-23", "BL23"), ("BL 23", "BL23"), ("bl023", "BL23"), ("UB23", "BL23"),
        ("ex-b2", "EX-B2"), ("EXB2", "EX-B2"), ("EX B2", "EX-B2"), ("ashi", "Ashi"), ("gv3", "GV3"),
        ("cv4", "CV4"), ("sj5", "TE5"), ("lv3", "LR3"), ("du20", "GV20"), ("ex-hn15", "EX-HN15"),
    ],
)
def test_get_accepts_any_spelling(catalogue: Catalogue, text: str, code: str) -> None:
    assert catalogue.normalise_code(text) == code
    point = catalogue.get(text)
    assert point is not None and point.code == code


@pytest.mark.parametrize("text", ["", "BL68", "LU0", "XX1", "EX-B99", "hello"])
def test_unknown_codes_give_none(catalogue: Catalogue, text: str) -> None:
    assert catalogue.normalise_code(text) is None
    assert catalogue.get(text) is None


# ------------------------------------------------------------------------------------------ search


@pytest.mark.parametrize(
    "text", ["bl23", "BL-23", "BL 23", "shenshu", "Shènshū", "SHEN SHU", "肾俞", "kidney shu", "Kidney Shu"]
)
def test_search_finds_bl23_first(catalogue: Catalogue, text: str) -> None:
    results = catalogue.search(text)
    assert results and results[0].code == "BL23"


def test_exact_code_ranks_before_code_prefix(catalogue: Catalogue) -> None:
    codes = [p.code for p in catalogue.search("BL2", limit=11)]
    assert codes == ["BL2", *rng("BL", 20, 29)]


def test_search_by_region(catalogue: Catalogue) -> None:
    results = catalogue.search("lumbar", limit=100)
    codes = {p.code for p in results}
    assert {"BL23", "BL25", "BL52", "GV3", "GV4", "EX-B7"} <= codes
    region_hits = [p for p in results if p.region == "lumbar"]
    assert len(region_hits) >= 10


def test_search_by_indication(catalogue: Catalogue) -> None:
    codes = {p.code for p in catalogue.search("sciatica", limit=100)}
    assert {"GB30", "BL40", "BL54", "BL57", "GB34"} <= codes
    assert {p.code for p in catalogue.search("low back pain", limit=200)} >= {"BL23", "GV3", "EX-UE7"}


@pytest.mark.parametrize(
    ("text", "code"),
    [("Huantiao", "GB30"), ("环跳", "GB30"), ("wind pool", "GB20"), ("fengchi", "GB20"), ("Bailao", "EX-HN15"),
     ("百劳", "EX-HN15"), ("Huatuojiaji", "EX-B2"), ("hegu", "LI4"), ("fuai", "SP16"), ("kunlun", "BL60")],
)
def test_search_by_names(catalogue: Catalogue, text: str, code: str) -> None:
    assert catalogue.search(text)[0].code == code


def test_search_respects_limit_and_empty_queries(catalogue: Catalogue) -> None:
    assert len(catalogue.search("BL", limit=5)) == 5
    assert catalogue.search("   ") == []
    assert catalogue.search("no such point anywhere") == []


def test_load_catalogue_is_cached() -> None:
    assert load_catalogue() is load_catalogue()


def test_points_serialise_to_plain_data(catalogue: Catalogue) -> None:
    point = catalogue.get("BL23")
    assert isinstance(point, Acupoint)
    data = point.to_dict()
    assert data["code"] == "BL23" and data["chart"]["view"] == "back"
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data


# ------------------------------------------------------------------------------------------ validation


def find(points: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(p for p in points if p["code"] == code)


def broken(mutate: Any) -> dict[str, Any]:
    document = copy.deepcopy(raw_document())
    mutate(document["points"])
    return document


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda pts: find(pts, "BL23").update(region="lower_back"), "BL23"),
        (lambda pts: pts[0].update(pinyin=""), "pinyin"),
        (lambda pts: pts[0].update(chart={"view": "top", "x": 0.5, "y": 0.5}), "chart"),
        (lambda pts: pts[0].update(chart={"view": "front", "x": 1.5, "y": 0.5}), "chart"),
        (lambda pts: pts[0]["safety"][0].update(source=""), "source"),
        (lambda pts: pts[0]["safety"][0].update(kind="dangerous"), "dangerous"),
        (lambda pts: pts[1].update(code="LU1", number=1), "more than once"),
        (lambda pts: pts[0].update(number=2), "LU1"),
        (lambda pts: pts[0].pop("location"), "location"),
    ],
)
def test_malformed_catalogue_names_the_point_and_field(mutate: Any, message: str) -> None:
    with pytest.raises(CatalogueError) as error:
        parse_catalogue(broken(mutate))
    assert message in error.value.message


def test_malformed_body_chart_is_rejected() -> None:
    raw = json.loads(resource("acupoints", "body_chart.json").read_text(encoding="utf-8"))
    del raw["views"]["side"]
    with pytest.raises(CatalogueError, match="side"):
        parse_body_chart(raw)
