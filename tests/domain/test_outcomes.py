from __future__ import annotations

import pytest

from acudesk.domain import outcomes
from acudesk.domain.errors import ValidationError


@pytest.mark.parametrize("value", [0, 5, 10, 7.0])
def test_nrs_accepts_whole_numbers_0_to_10(value: object) -> None:
    assert outcomes.nrs(value) == int(value)  # type: ignore[call-overload]


@pytest.mark.parametrize("value", [-1, 11, 3.5, "5", None, True])
def test_nrs_rejects_invalid(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.nrs(value)
    assert info.value.field == "nrs"


@pytest.mark.parametrize(
    ("sections", "percent", "band"),
    [
        ([2, 2, 2, 2, 2, 2, 1, 1, 1, 1], 32.0, "moderate disability"),  # 16/50
        ([2, 2, 2, 2, 2, 2, 1, 1, 2, None], 35.6, "moderate disability"),  # 16/45
        ([0] * 10, 0.0, "minimal disability"),
        ([1] * 10, 20.0, "minimal disability"),
        ([5] * 10, 100.0, "bed-bound"),
        ([3] * 10, 60.0, "severe disability"),
        ([4] * 10, 80.0, "crippled"),
        ([3, 3, 3, 3, 3, 3, 3, 3, 3, 4], 62.0, "crippled"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 2], 22.0, "moderate disability"),
    ],
)
def test_odi_worked_examples(sections: list[int | None], percent: float, band: str) -> None:
    score = outcomes.odi(sections)
    assert score.percent == percent
    assert score.band == band


def test_odi_reports_raw_and_answered() -> None:
    score = outcomes.odi([2, 2, 2, 2, 2, 2, 1, 1, 2, None])
    assert (score.raw, score.answered, score.skipped) == (16, 9, 1)
    assert "35.6" in str(score)


def test_odi_band_between_integer_bands_takes_higher_band() -> None:
    assert outcomes.odi_band(20.4) == "moderate disability"


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ([1] * 9, "odi"),
        ([1] * 11, "odi"),
        ([1, 1, 1, 1, 1, 1, 1, 1, None, None], "odi"),  # two skipped: refused (documented choice)
        ([None] * 10, "odi"),
        ([1, 1, 6, 1, 1, 1, 1, 1, 1, 1], "odi.section_3"),
        ([1, 1, 1, -1, 1, 1, 1, 1, 1, 1], "odi.section_4"),
        ([1, 1, 1, 1, "2", 1, 1, 1, 1, 1], "odi.section_5"),
        ([1, 1, 1, 1, 1, True, 1, 1, 1, 1], "odi.section_6"),
        ("1111111111", "odi"),
    ],
)
def test_odi_invalid(sections: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.odi(sections)  # type: ignore[arg-type]
    assert info.value.field == field
    assert info.value.message


@pytest.mark.parametrize(("yes", "score"), [(0, 0), (5, 5), (24, 24)])
def test_rmdq_counts_yes(yes: int, score: int) -> None:
    assert outcomes.rmdq([True] * yes + [False] * (24 - yes)) == score


@pytest.mark.parametrize(("items", "field"), [([True] * 23, "rmdq"), ([True] * 23 + [None], "rmdq.item_24")])
def test_rmdq_invalid(items: list[object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.rmdq(items)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(("ratings", "mean"), [([3, 4, 5], 4.0), ([0, 10, 5, 5, 1], 4.2), ([2, 2, 3], 2.33)])
def test_psfs_mean(ratings: list[int], mean: float) -> None:
    assert outcomes.psfs(ratings) == mean


@pytest.mark.parametrize(
    ("ratings", "field"),
    [([3, 4], "psfs"), ([1] * 6, "psfs"), ([3, 11, 5], "psfs.activity_2"), ([3, 4, 4.5], "psfs.activity_3")],
)
def test_psfs_invalid(ratings: list[object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.psfs(ratings)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("items", "item9", "total", "distress", "risk"),
    [
        ([False] * 8, "not at all", 0, 0, "low"),
        ([True, True, True, False, False, False, False, False], "extremely", 4, 1, "medium"),
        ([True, True, True, False, False, False, False, False], "moderately", 3, 0, "low"),
        ([False, False, False, False, True, True, True, False], "very much", 4, 4, "high"),
        ([False, False, False, False, True, True, True, False], "slightly", 3, 3, "low"),
        ([True, True, False, False, True, True, True, False], "slightly", 5, 3, "medium"),
        ([True] * 8, "Very much", 9, 5, "high"),
    ],
)
def test_start_back(items: list[bool], item9: str, total: int, distress: int, risk: str) -> None:
    score = outcomes.start_back(items, item9)
    assert (score.total, score.distress, score.risk) == (total, distress, risk)


@pytest.mark.parametrize(
    ("items", "item9", "field"),
    [([True] * 7, "slightly", "start_back"), ([True] * 7 + [1], "slightly", "start_back.item_8"),
     ([True] * 8, "a lot", "start_back.item_9")],
)
def test_start_back_invalid(items: list[object], item9: str, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.start_back(items, item9)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("measure", "baseline", "current", "meaningful", "worsened", "criterion"),
    [
        ("nrs", 8, 6, True, False, "2 points"),
        ("nrs", 8, 7, False, False, ""),
        ("nrs", 3, 2, True, False, "30 %"),  # 1 point but 33 %
        ("nrs", 10, 7, True, False, "both"),  # 3 points and 30 %: either suffices
        ("nrs", 4, 7, False, True, "both"),
        ("nrs", 0, 0, False, False, ""),
        ("odi", 40, 30, True, False, "10 points"),
        ("odi", 40, 31, False, False, ""),
        ("rmdq", 12, 7, True, False, "5 points"),
        ("rmdq", 12, 8, False, False, ""),
        ("psfs", 3, 5, True, False, "2 points"),
        ("psfs", 3, 4.5, False, False, ""),
        ("psfs", 5, 3, False, True, "2 points"),
        ("psfs_item", 3, 5, False, False, ""),
        ("psfs_item", 3, 6, True, False, "3 points"),
    ],
)
def test_meaningful_change(
    measure: str, baseline: float, current: float, meaningful: bool, worsened: bool, criterion: str
) -> None:
    result = outcomes.meaningful_change(measure, baseline, current)
    assert result.meaningful is meaningful
    assert result.worsened is worsened
    assert result.criterion == criterion
    assert "point" in result.threshold
    assert result.source


def test_meaningful_change_threshold_is_stated_and_configurable() -> None:
    assert outcomes.meaningful_change("nrs", 5, 5).threshold == (
        "at least 2 points or at least 30 % better than the baseline (either is enough)")
    config = dict(outcomes.load_outcome_config())
    config["meaningful_change"] = {
        "odi": {"id": "X", "points": 5, "higher_is_better": False, "source": "test"},
    }
    assert outcomes.meaningful_change("odi", 40, 35, config=config).meaningful
    assert not outcomes.meaningful_change("odi", 40, 35).meaningful


def test_meaningful_change_unknown_measure() -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.meaningful_change("vas", 1, 2)
    assert info.value.field == "measure"


def test_licensed_item_texts_are_not_in_the_data() -> None:
    text = (outcomes.resource("rules", "outcomes.toml")).read_text(encoding="utf-8").lower()
    # phrases from the ODI / STarT Back forms must not be shipped
    for phrase in ("pain intensity", "personal care", "my back has been spread", "dressed slowly"):
        assert phrase not in text


# --- NDI (Neck Disability Index, Vernon & Mior 1991): points out of 50 --------------------------------


@pytest.mark.parametrize(
    ("sections", "points", "percent", "band"),
    [
        ([2, 2, 2, 2, 2, 2, 1, 1, 1, 1], 16.0, 32.0, "moderate disability"),  # 16/50
        ([2, 2, 2, 2, 2, 2, 1, 1, 2, None], 17.8, 35.6, "moderate disability"),  # 16 x 10/9: the mean stands in
        ([0] * 10, 0.0, 0.0, "no disability"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 4.0, 8.0, "no disability"),  # 0-4 none
        ([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 5.0, 10.0, "mild disability"),  # 5-14 mild
        ([0, 0, 0, 0, 0, 0, 0, 0, 4, None], 4.4, 8.9, "mild disability"),  # between bands: the higher one
        ([2, 2, 2, 2, 2, 1, 1, 1, 1, 1], 15.0, 30.0, "moderate disability"),  # 15-24 moderate
        ([3, 3, 3, 3, 3, 2, 2, 2, 2, 2], 25.0, 50.0, "severe disability"),  # 25-34 severe
        ([4, 4, 4, 4, 4, 3, 3, 3, 3, 3], 35.0, 70.0, "complete disability"),  # 35-50 complete
        ([5] * 10, 50.0, 100.0, "complete disability"),
    ],
)
def test_ndi_worked_examples(sections: list[int | None], points: float, percent: float, band: str) -> None:
    score = outcomes.ndi(sections)
    assert (score.points, score.percent, score.band) == (points, percent, band)


def test_ndi_reports_raw_answered_and_skipped() -> None:
    score = outcomes.ndi([2, 2, 2, 2, 2, 2, 1, 1, 2, None])
    assert (score.raw, score.answered, score.skipped) == (16, 9, 1)
    assert str(score) == "NDI 17.8/50 (35.6 %, moderate disability)"


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ([1] * 9, "ndi"),
        ([1] * 11, "ndi"),
        ([1, 1, 1, 1, 1, 1, 1, 1, None, None], "ndi"),  # two skipped: refused (documented choice, as the ODI)
        ("1111111111", "ndi"),
        ([1, 1, 6, 1, 1, 1, 1, 1, 1, 1], "ndi.section_3"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, -1], "ndi.section_10"),
        ([1, 1, 1, 1, 1.5, 1, 1, 1, 1, 1], "ndi.section_5"),
        ([1, 1, 1, 1, 1, 1, float("nan"), 1, 1, 1], "ndi.section_7"),
    ],
)
def test_ndi_invalid(sections: object, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        outcomes.ndi(sections)  # type: ignore[arg-type]
    assert info.value.field == field
    assert "NDI" in info.value.message


@pytest.mark.parametrize(
    ("baseline", "current", "meaningful", "worsened", "criterion"),
    [
        (20, 15, True, False, "5 points"),  # MIC-NDI: 5 of 50 points (Vernon)
        (20, 16, False, False, ""),
        (20, 25, False, True, "5 points"),
        (17.8, 12.8, True, False, "5 points"),
    ],
)
def test_ndi_meaningful_change(baseline: float, current: float, meaningful: bool, worsened: bool,
                               criterion: str) -> None:
    result = outcomes.meaningful_change("ndi", baseline, current)
    assert (result.meaningful, result.worsened, result.criterion) == (meaningful, worsened, criterion)
    assert result.rule == "MIC-NDI" and "Vernon" in result.source
    assert result.threshold == "at least 5 points better than the baseline"


def test_ndi_licence_and_sources_are_recorded_in_the_data() -> None:
    cfg = outcomes.load_outcome_config()
    assert "Vernon" in cfg["ndi"]["source"] and "1991" in cfg["ndi"]["source"]
    licence = cfg["ndi"]["licence"]
    assert "Free clinical use" in licence and "does not reproduce the item wording" in licence
    assert "ndi" in outcomes.MEASURES
