"""Pain drawings: the shipped regions tile the body outlines, and area, spread and comparison read right."""

from __future__ import annotations

import math

import pytest

from acudesk.domain.acupoint_files import load_body_chart
from acudesk.domain.acupoints import point_in_outline
from acudesk.domain.errors import ValidationError, ValidationErrors
from acudesk.domain.pain_drawing import (
    PainMark,
    area_percent,
    compare,
    load_atlas,
    measures,
    region_anchor,
    spread_of,
    validate_marks,
)


def _grid(view_name: str, step: float = 0.005):
    view = load_body_chart().view(view_name)
    n = int(1 / step)
    for i in range(n):
        for j in range(n):
            x, y = (i + 0.5) * step, (j + 0.5) * step
            if point_in_outline(view, x, y):
                yield x, y


@pytest.mark.parametrize("view_name", ["front", "back", "side"])
def test_regions_tile_each_outline_without_overlap(view_name):
    atlas = load_atlas()
    regions = atlas.on_view(view_name)
    hits = {r.id: 0 for r in regions}
    inside = uncovered = 0
    for x, y in _grid(view_name):
        inside += 1
        holding = [r.id for r in regions if r.contains(x, y)]
        assert len(holding) <= 1, f"{holding} overlap at {x:.3f}, {y:.3f}"
        if holding:
            hits[holding[0]] += 1
        else:
            uncovered += 1
    assert uncovered / inside < 0.005, f"{uncovered} of {inside} body points belong to no region"
    assert all(count > 20 for count in hits.values()), {k: v for k, v in hits.items() if v <= 20}


def test_front_and_back_weights_add_up_to_the_whole_body_and_side_regions_count_once():
    atlas = load_atlas()
    assert math.isclose(sum(r.weight for r in atlas.regions.values() if r.view != "side"), 100.0)
    side_regions = atlas.on_view("side")
    assert side_regions and all(r.weight == 0 and r.counts_as for r in side_regions)
    # The outside of the right thigh (side view) is the front of the right thigh's skin, not extra skin.
    both = [PainMark("front.thigh.right", "ache", 5), PainMark("side.thigh", "ache", 5)]
    assert area_percent(both) == area_percent(both[:1]) == atlas.region("front.thigh.right").weight


def test_each_region_has_an_anchor_on_the_body_inside_itself():
    atlas, chart = load_atlas(), load_body_chart()
    for region in atlas.regions.values():
        x, y = region_anchor(region.id)
        assert point_in_outline(chart.view(region.view), x, y), region.id
        assert atlas.region_at(region.view, x, y) == region


def test_sides_follow_the_mirroring_convention_of_the_body_chart():
    atlas = load_atlas()
    # Front view: the image's right half is the patient's LEFT; back view: the patient's RIGHT.
    assert atlas.region_at("front", 0.62, 0.60).id == "front.thigh.left"
    assert atlas.region_at("back", 0.62, 0.60).id == "back.thigh.right"
    assert atlas.region_at("back", 0.38, 0.42).id == "back.low_back.left"
    assert atlas.region_at("side", 0.5, 0.85).id == "side.lower_leg"


def test_sciatica_down_the_right_leg_reads_below_the_right_knee():
    marks = validate_marks([
        {"region": "back.low_back.right", "kind": "ache", "intensity": 6},
        {"region": "back.buttock.right", "kind": "ache", "intensity": 5},
        {"region": "back.lower_leg.right", "kind": "burning", "intensity": 7},
    ])
    spread = spread_of(marks)
    assert spread.words() == ["below the right knee", "low back"]
    assert not spread.both_legs
    found = measures(marks)
    assert found.area == 1.5 + 2.5 + 3.0 and found.worst == 7 and found.regions == 3
    assert found.line() == "7 % of the body; worst 7/10; below the right knee; low back"


def test_buttock_only_is_not_leg_pain_and_both_sides_is_said():
    marks = validate_marks([PainMark("back.buttock.left", "ache", 3), PainMark("back.buttock.right", "ache", 3)])
    spread = spread_of(marks)
    assert not spread.both_legs
    assert spread.words() == ["right buttock or hip only", "left buttock or hip only", "both sides"]


def test_pain_spreading_into_both_legs_below_the_knee_raises_the_cauda_equina_check():
    before = validate_marks([PainMark("back.low_back.right", "ache", 5), PainMark("back.thigh.right", "ache", 4)])
    after = validate_marks([PainMark("back.low_back.right", "ache", 6), PainMark("back.lower_leg.right", "sharp", 7),
                            PainMark("back.thigh.left", "pins_and_needles", 4)])
    result = compare(before, after)
    assert [n.rule for n in result.notes] == ["both_legs", "now_below_knee", "new_numbness"]
    assert "RF-CES-06" in result.notes[0].text and "bladder, bowel and saddle" in result.notes[0].text
    assert result.changes == ("right leg pain spread: right thigh → below the right knee",
                              "left leg pain spread: no left leg pain → left thigh")
    assert result.line() == ("Pain area: 5.5 % → 8.5 %; spread: into the right thigh; low back → "
                             "both legs; below the right knee; into the left thigh; low back; both sides")


def test_both_legs_is_noted_even_when_it_is_not_new():
    both = [PainMark("front.thigh.right", "ache", 3), PainMark("front.thigh.left", "ache", 3)]
    assert [n.rule for n in compare(both, both).notes] == ["both_legs"]
    assert [n.rule for n in compare(None, both).notes] == ["both_legs"]


def test_pain_retreating_toward_the_spine_is_described_without_a_warning():
    before = [PainMark("back.low_back.left", "ache", 6), PainMark("back.lower_leg.left", "ache", 6)]
    after = [PainMark("back.low_back.left", "ache", 3), PainMark("back.buttock.left", "ache", 2)]
    result = compare(before, after)
    assert [n.rule for n in result.notes] == ["retreated"]
    assert result.line() == ("Pain area: 4.5 % → 4 %; spread: below the left knee; low back → "
                             "left buttock or hip only; low back")


def test_neck_pain_spreading_into_the_hand_notes_the_nerve_root_check():
    before = [PainMark("back.neck", "ache", 5)]
    after = [PainMark("back.neck", "ache", 5), PainMark("front.hand.left", "pins_and_needles", 4)]
    result = compare(before, after)
    assert [n.rule for n in result.notes] == ["now_below_elbow", "new_numbness"]
    assert spread_of(after).words() == ["into the left hand", "neck"]


def test_first_drawing_has_no_before():
    result = compare(None, [PainMark("back.neck", "ache", 5)])
    assert result.before is None and result.notes == () and result.line() == "Pain area: 1 %; spread: neck"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1, 11, 5.5, True, "7", None])
def test_intensity_must_be_a_whole_number_from_0_to_10(bad):
    with pytest.raises(ValidationError) as caught:
        validate_marks([{"region": "back.neck", "kind": "ache", "intensity": bad}])
    assert caught.value.field == "intensity" and "the back of the neck" in caught.value.message


def test_whole_floats_are_accepted_as_integers():
    assert validate_marks([{"region": "back.neck", "kind": "ache", "intensity": 7.0}]) == (
        PainMark("back.neck", "ache", 7),)


def test_unknown_regions_and_kinds_and_duplicates_are_all_reported():
    with pytest.raises(ValidationErrors) as caught:
        validate_marks([
            {"region": "back.tail", "kind": "ache", "intensity": 2},
            {"region": "back.neck", "kind": "throbbing", "intensity": 2},
            {"region": "back.neck", "kind": "ache", "intensity": 2},
            {"region": "back.neck", "kind": "ache", "intensity": 3},
        ])
    fields = [e.field for e in caught.value.errors]
    assert fields == ["region", "kind", "marks"]
    assert "marked ache twice" in caught.value.errors[2].message


def test_the_same_region_may_carry_two_kinds():
    marks = validate_marks([PainMark("front.hand.left", "numbness", 0), PainMark("front.hand.left", "ache", 4)])
    assert len(marks) == 2 and measures(marks).regions == 1
