"""Tapering is proposed on meaningful NRS improvement; a new set is proposed when pain returns."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling import (
    CourseRequest,
    CourseState,
    NrsReading,
    TaperRules,
    load_taper_rules,
    parse_pattern,
    propose_relapse,
    propose_taper,
    replan_after,
    schedule_course,
)
from acudesk.domain.scheduling.tapering import improved

PLAN = parse_pattern("weekly x6, fortnightly x2, monthly x3")
RULES = TaperRules()


def readings(*scores: int | None) -> list[NrsReading]:
    return [NrsReading(i, s) for i, s in enumerate(scores) if s is not None]


@pytest.mark.parametrize(
    ("baseline", "score", "expected"),
    [
        (7, 5, True),  # 2 points
        (7, 6, False),  # 1 point, 14 %
        (3, 2, True),  # 1 point but 33 %
        (10, 8, True),  # 2 points (20 %)
        (4, 3, False),  # 1 point, 25 %
        (0, 0, False),
        (5, 6, False),  # worse
    ],
)
def test_meaningful_improvement_is_two_points_or_thirty_percent(
    baseline: int, score: int, expected: bool
) -> None:
    assert improved(baseline, score, RULES) is expected


def test_bundled_rules_match_the_reference() -> None:
    rules = load_taper_rules()
    assert (rules.min_points, rules.min_percent, rules.consecutive) == (2, 30, 2)
    assert str(rules.relapse_pattern).startswith("weekly")
    assert "Ostelo 2008" in rules.citation


def test_two_consecutive_improved_sessions_propose_the_next_phase() -> None:
    proposal = propose_taper(CourseState(PLAN), readings(7, 6, 5, 4), RULES)
    assert proposal is not None
    assert proposal.kind == "taper"
    assert proposal.after_visit == 3
    assert str(proposal.pattern) == "fortnightly x2, monthly x3"
    assert "2 points or at least 30 %" in proposal.reason and "baseline of 7" in proposal.reason
    assert "Ostelo 2008" in proposal.reason
    assert "from visit 5" in proposal.reason


@pytest.mark.parametrize(
    ("state", "history", "why"),
    [
        (CourseState(PLAN), readings(7, 6, 5), "only one session improved by 2 points"),
        (CourseState(PLAN), readings(7, 4, 6, 4), "improvement not on consecutive sessions"),
        (CourseState(PLAN), readings(7, 5, None, 4), "a session without a score breaks the run"),
        (CourseState(PLAN), readings(7), "baseline only"),
        (CourseState(PLAN), [], "no scores"),
        (CourseState(PLAN), readings(7, 7, 7, 7, 4, 4), "visit 6 ends the weekly phase anyway"),
        (CourseState(PLAN), readings(7, 7, 7, 7, 7, 4, 4), "straddles weekly and fortnightly phases"),
        (CourseState(PLAN, last_held_visit=4), readings(7, 6, 5, 4), "latest session has no score yet"),
        (CourseState(parse_pattern("monthly x5")), readings(7, 3, 2), "already in the last phase"),
    ],
)
def test_no_taper_proposal(state: CourseState, history: list[NrsReading], why: str) -> None:
    assert propose_taper(state, history, RULES) is None, why


def test_each_later_taper_needs_its_own_two_sessions() -> None:
    tapered = parse_pattern("weekly x3, fortnightly x3, monthly x3")
    history = readings(7, 4, 4, 4, 4)  # visits 4-5 are the first two fortnightly sessions
    proposal = propose_taper(CourseState(tapered), history, RULES)
    assert proposal is not None and proposal.after_visit == 4 and str(proposal.pattern) == "monthly x3"
    assert propose_taper(CourseState(tapered), readings(7, 4, 4, 4), RULES) is None


def test_an_explicit_baseline_overrides_the_first_reading() -> None:
    assert propose_taper(CourseState(PLAN, baseline=9), readings(7, 7, 7), RULES) is not None


def test_scores_outside_zero_to_ten_are_rejected() -> None:
    with pytest.raises(ValidationError, match="NRS score 11 at visit 2 is not 0-10"):
        propose_taper(CourseState(PLAN), readings(7, 11), RULES)


def test_applying_a_taper_proposal_replans_the_remaining_visits() -> None:
    tz = ZoneInfo("Europe/London")
    course = schedule_course(CourseRequest(datetime(2027, 2, 10, 10), PLAN, tz))
    proposal = propose_taper(CourseState(course.pattern), readings(7, 6, 5, 4), RULES)
    assert proposal is not None
    tapered = replan_after(course, proposal.after_visit, proposal.pattern)
    assert str(tapered.pattern) == "weekly x4, fortnightly x2, monthly x3"
    assert [v.start.date().isoformat() for v in tapered.visits][3:6] == [
        "2027-03-03",
        "2027-03-17",
        "2027-03-31",
    ]
    assert len(tapered.visits) == 9


TAPERED = parse_pattern("weekly x4, fortnightly x2, monthly x3")


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (readings(7, 6, 5, 4, 4, 6), True),  # fortnightly visit 6: back to 6, only 1 point from 7
        (readings(7, 6, 5, 4, 4, 4, 7), True),  # monthly visit 7: back at baseline
        (readings(7, 6, 5, 4, 4, 8), True),  # worse than baseline
        (readings(7, 6, 5, 4, 4, 5), False),  # still 2 points better
        (readings(7, 6, 5, 7), False),  # still in the weekly phase: not tapered yet
        (readings(7, 6, 5, 4, 4, None), False),
    ],
)
def test_relapse_after_tapering_proposes_a_new_weekly_set(history: list[NrsReading], expected: bool) -> None:
    proposal = propose_relapse(CourseState(TAPERED), history, RULES)
    assert (proposal is not None) is expected
    if proposal is not None:
        assert proposal.kind == "relapse"
        assert proposal.after_visit == history[-1].visit_index
        assert str(proposal.pattern) == "weekly x4, fortnightly x2, monthly x3"
        assert "no longer at least 2 points or at least 30 % better than the baseline of 7" in proposal.reason


def test_relapse_can_require_more_than_one_session() -> None:
    rules = TaperRules(relapse_consecutive=2)
    assert propose_relapse(CourseState(TAPERED), readings(7, 6, 5, 4, 4, 6), rules) is None
    assert propose_relapse(CourseState(TAPERED), readings(7, 6, 5, 4, 6, 6), rules) is not None
