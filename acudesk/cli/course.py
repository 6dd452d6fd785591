"""``acudesk course preview``: show the visits a course pattern would book, without any database."""

from __future__ import annotations

import argparse
import json
from datetime import datetime

from acudesk.domain import dates
from acudesk.domain.errors import ValidationError
from acudesk.domain.scheduling import (
    ClinicCalendar,
    Course,
    CourseRequest,
    OpeningHours,
    ScheduledVisit,
    parse_open_days,
    parse_pattern,
    public_holidays,
    schedule_course,
    zone,
)

DEFAULT_TZ = "Europe/London"


def register(subparsers: argparse._SubParsersAction) -> None:
    course = subparsers.add_parser("course", help="plan courses of treatment")
    actions = course.add_subparsers(dest="course_command", metavar="ACTION")
    preview = actions.add_parser("preview", help="print the visits a pattern would book (saves nothing)")
    preview.add_argument("--start", required=True, help="first visit, local time: 2027-02-10T10:00")
    preview.add_argument("--pattern", required=True, help='e.g. "weekly x4, fortnightly x2, monthly x3"')
    preview.add_argument("--tz", default=DEFAULT_TZ, help=f"clinic time zone (default {DEFAULT_TZ})")
    preview.add_argument("--holidays", metavar="COUNTRY[-SUBDIV]", help="public holidays, e.g. GB-ENG")
    preview.add_argument("--open-days", metavar="DAYS", help="e.g. Mon-Sat, Mon,Wed,Fri or Mon-Fri,Sun")
    preview.add_argument("--format", choices=("text", "json"), default="text")
    preview.set_defaults(handler=preview_command)


def _start(text: str) -> datetime:
    message = f"start '{text}' is not a date and time like 2027-02-10T10:00"
    if "T" not in text.strip().upper() and " " not in text.strip():
        raise ValidationError(message, field="start")
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(message, field="start") from None


def build_course(args: argparse.Namespace) -> Course:
    tz = zone(args.tz)
    request = CourseRequest(_start(args.start), parse_pattern(args.pattern), tz)
    hours = OpeningHours.whole_days(parse_open_days(args.open_days)) if args.open_days else None
    calendar = ClinicCalendar(
        hours=hours or OpeningHours.every_day(),
        public_holidays=public_holidays(args.holidays) if args.holidays else {},
    )
    return schedule_course(request, calendar)


def _note(visit: ScheduledVisit) -> str | None:
    notes = [n for n in (visit.reason, visit.time_note) if n]
    return "; ".join(notes) or None


def _text_line(visit: ScheduledVisit) -> str:
    offset = visit.start.strftime("%z")  # the UTC offset and zone name are the point of a preview across a clock change
    line = f"{visit.index + 1:>2}  {dates.day_and_time(visit.start)} {offset[:3]}:{offset[3:]} {visit.start.tzname()}"
    if visit.moved_from is not None:
        line += f"  moved from {dates.day(visit.moved_from, weekday=True)}: {visit.reason}"
    if visit.time_note:
        line += f"  ({visit.time_note})"
    return line


def preview_command(args: argparse.Namespace) -> int:
    course = build_course(args)
    if args.format == "json":
        rows = [
            {
                "start": v.start.isoformat(),
                "moved_from": v.moved_from.isoformat() if v.moved_from else None,
                "reason": _note(v),
            }
            for v in course.visits
        ]
        print(json.dumps(rows, indent=2))
    else:
        print(f"Course: {course.pattern} ({len(course.visits)} visits, {args.tz})")
        for visit in course.visits:
            print(_text_line(visit))
    return 0
