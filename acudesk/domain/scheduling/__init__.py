"""Course-of-treatment scheduling: patterns, dated visits, closed days, clashes, edits and tapering.

Pure domain code: no Qt, no database. Persistence passes existing bookings in as plain data and
saves what :func:`schedule_course` returns only when :func:`validate_course` finds no conflict.
"""

from acudesk.domain.scheduling.calendar_rules import (
    ClinicCalendar,
    Closure,
    Leave,
    OpeningHours,
    parse_open_days,
    public_holidays,
)
from acudesk.domain.scheduling.clock import localize, zone
from acudesk.domain.scheduling.conflicts import (
    Appointment,
    Availability,
    BookingsAvailability,
    Conflict,
    validate_series,
)
from acudesk.domain.scheduling.course import (
    Course,
    CourseRequest,
    ScheduledVisit,
    plan_visits,
    schedule_course,
    validate_course,
)
from acudesk.domain.scheduling.edits import move_following, move_visit, replan_after
from acudesk.domain.scheduling.pattern import (
    MAX_VISITS,
    CoursePattern,
    Interval,
    Phase,
    format_pattern,
    parse_pattern,
)
from acudesk.domain.scheduling.tapering import (
    CourseState,
    NrsReading,
    Proposal,
    TaperRules,
    load_taper_rules,
    propose_relapse,
    propose_taper,
)
from acudesk.domain.scheduling.visit_types import VisitType, default_visit_types, load_visit_types

__all__ = [
    "MAX_VISITS",
    "Appointment",
    "Availability",
    "BookingsAvailability",
    "ClinicCalendar",
    "Closure",
    "Conflict",
    "Course",
    "CoursePattern",
    "CourseRequest",
    "CourseState",
    "Interval",
    "Leave",
    "NrsReading",
    "OpeningHours",
    "Phase",
    "Proposal",
    "ScheduledVisit",
    "TaperRules",
    "VisitType",
    "default_visit_types",
    "format_pattern",
    "load_taper_rules",
    "load_visit_types",
    "localize",
    "move_following",
    "move_visit",
    "parse_open_days",
    "parse_pattern",
    "plan_visits",
    "propose_relapse",
    "propose_taper",
    "public_holidays",
    "replan_after",
    "schedule_course",
    "validate_course",
    "validate_series",
    "zone",
]
