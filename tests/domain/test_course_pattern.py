"""Course patterns as a receptionist types them: 'weekly x4, fortnightly x2, monthly x3'."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling import (
    MAX_VISITS,
    CoursePattern,
    Interval,
    Phase,
    format_pattern,
    parse_pattern,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("weekly x4, fortnightly x2, monthly x3", "weekly x4, fortnightly x2, monthly x3"),
        ("every 3 weeks x2", "every 3 weeks x2"),
        ("every 2 months x2", "every 2 months x2"),
        ("  WEEKLY   X4 ,Fortnightly×2 ,  monthly ×  3 ", "weekly x4, fortnightly x2, monthly x3"),
        ("every week x1", "weekly x1"),
        ("every 1 week x2", "weekly x2"),
        ("every other week x3", "fortnightly x3"),
        ("every 2 weeks x3", "fortnightly x3"),
        ("every 1 month x2", "monthly x2"),
        ("every other month x2", "every 2 months x2"),
        ("weekly x 10", "weekly x10"),
    ],
)
def test_patterns_are_read_case_and_space_insensitively(text: str, canonical: str) -> None:
    assert format_pattern(parse_pattern(text)) == canonical


def test_parsed_pattern_has_phases_and_total() -> None:
    pattern = parse_pattern("weekly x4, fortnightly x2, monthly x3")
    assert pattern.phases == (
        Phase(Interval(1, "week"), 4),
        Phase(Interval(2, "week"), 2),
        Phase(Interval(1, "month"), 3),
    )
    assert pattern.total == 9
    assert [pattern.phase_of(i) for i in range(9)] == [0, 0, 0, 0, 1, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("wekly x4", "unknown interval 'wekly' in part 1 \"wekly x4\""),
        ("weekly x4, fortnighly x2", "unknown interval 'fortnighly' in part 2 \"fortnighly x2\""),
        ("weekly x0", 'visit count must be at least 1 in part 1 "weekly x0"'),
        ("weekly x-1", "visit count '-1' is not a whole number in part 1"),
        ("weekly xfour", "visit count 'four' is not a whole number"),
        ("weekly", "missing visit count (like 'x4') in part 1 \"weekly\""),
        ("weekly x4,,monthly x2", 'part 2 "" is empty'),
        ("weekly x4,", 'part 2 "" is empty'),
        ("every 0 weeks x2", "interval must be 1 to 52 weeks in part 1"),
        ("every 13 months x2", "interval must be 1 to 12 months in part 1"),
        ("", "the course pattern is empty"),
        ("   ", "the course pattern is empty"),
        ("weekly x53", "at most 52 visits; this one would have 53"),
        ("weekly x30, monthly x30", "at most 52 visits; this one would have 60"),
    ],
)
def test_bad_patterns_say_which_part_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_pattern(text)
    assert message in caught.value.message
    assert caught.value.field == "pattern"


def test_exactly_52_visits_is_allowed() -> None:
    assert parse_pattern("weekly x26, fortnightly x26").total == MAX_VISITS


intervals = st.one_of(
    st.builds(Interval, st.integers(1, 52), st.just("week")),
    st.builds(Interval, st.integers(1, 12), st.just("month")),
)
patterns = st.lists(st.builds(Phase, intervals, st.integers(1, 9)), min_size=1, max_size=5).map(
    lambda phases: CoursePattern(tuple(phases))
)


@given(patterns)
def test_format_parse_round_trip(pattern: CoursePattern) -> None:
    text = format_pattern(pattern)
    assert format_pattern(parse_pattern(text)) == text
    assert parse_pattern(text) == pattern


@given(patterns, st.sampled_from([" ", "  ", "\t"]), st.sampled_from(["x", "X", "×"]))
def test_spacing_case_and_times_sign_do_not_matter(pattern: CoursePattern, space: str, times: str) -> None:
    text = format_pattern(pattern).upper().replace("X", f"{space}{times}{space}").replace(",", f"{space},")
    assert parse_pattern(text) == pattern
