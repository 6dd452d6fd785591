"""Edits to a planned series, as pure functions returning a new :class:`Course`.

* :func:`move_visit` - one visit to a time a person chose (not re-resolved: validate before saving);
* :func:`move_following` - this and following visits by the same delta, closed days re-resolved;
* :func:`replan_after` - replace the visits after one visit by a new pattern (tapering, relapse).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling.calendar_rules import ClinicCalendar
from acudesk.domain.scheduling.clock import localize, to_wall
from acudesk.domain.scheduling.conflicts import Availability
from acudesk.domain.scheduling.course import Course, place_visits, plan_visits
from acudesk.domain.scheduling.pattern import CoursePattern, Phase, check_total

HAND_MOVE = "Moved by hand"


def _check_index(course: Course, index: int) -> None:
    if not 0 <= index < len(course.visits):
        raise ValidationError(f"there is no visit {index + 1} in this course", field="visit")


def _check_after_previous(course: Course, index: int, new: datetime) -> None:
    if index > 0:
        previous = course.visits[index - 1].day
        if new.date() <= previous:
            raise ValidationError(
                f"visit {index + 1} must stay after visit {index} ({dates.day(previous, weekday=True)})", field="start"
            )


def move_visit(course: Course, index: int, new_start: datetime, reason: str = HAND_MOVE) -> Course:
    """Move one visit; the others keep their dates. It must stay between its neighbours' days."""
    _check_index(course, index)
    new = to_wall(new_start, course.request.tz)
    _check_after_previous(course, index, new)
    if index + 1 < len(course.visits):
        following = course.visits[index + 1].day
        if new.date() >= following:
            raise ValidationError(
                f"visit {index + 1} must stay before visit {index + 2} ({dates.day(following, weekday=True)}); "
                "move this and following visits instead",
                field="start",
            )
    visit = course.visits[index]
    start, note = localize(new.date(), new.time(), course.request.tz)
    moved_from = visit.planned.date() if new.date() != visit.planned.date() else None
    moved = replace(
        visit, start=start, moved_from=moved_from, reason=reason if moved_from else None, time_note=note
    )
    return replace(course, visits=course.visits[:index] + (moved,) + course.visits[index + 1 :])


def move_following(
    course: Course,
    index: int,
    new_start: datetime,
    calendar: ClinicCalendar | None = None,
    availability: Availability | None = None,
) -> Course:
    """Shift visit ``index`` and every later one by the same wall-clock delta, then re-place them."""
    _check_index(course, index)
    new = to_wall(new_start, course.request.tz)
    _check_after_previous(course, index, new)
    delta = new - course.visits[index].planned
    planned = [(v.planned + delta, v.phase) for v in course.visits[index:]]
    after = course.visits[index - 1].day if index > 0 else None
    placed = place_visits(
        course.request, planned, calendar or ClinicCalendar(), availability, first_index=index, after=after
    )
    return replace(course, visits=course.visits[:index] + tuple(placed))


def replan_after(
    course: Course,
    index: int,
    pattern: CoursePattern,
    calendar: ClinicCalendar | None = None,
    availability: Availability | None = None,
) -> Course:
    """Keep visits up to ``index``; replace the rest by ``pattern``, starting one interval after it."""
    _check_index(course, index)
    kept = course.visits[: index + 1]
    check_total(len(kept) + pattern.total)
    last = kept[-1]
    kept_phases = [
        Phase(phase.interval, sum(1 for v in kept if v.phase == number))
        for number, phase in enumerate(course.pattern.phases[: last.phase + 1])
    ]
    planned = [
        (when, phase + len(kept_phases))
        for when, phase in plan_visits(last.planned, pattern, include_anchor=False)
    ]
    placed = place_visits(
        course.request,
        planned,
        calendar or ClinicCalendar(),
        availability,
        first_index=index + 1,
        after=last.day,
    )
    new_pattern = CoursePattern(tuple(kept_phases) + pattern.phases)
    return replace(course, pattern=new_pattern, visits=kept + tuple(placed))
