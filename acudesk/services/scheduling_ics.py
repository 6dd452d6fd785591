"""A patient's upcoming visits as an iCalendar (.ics) file they can add to their own calendar.

Events carry the clinic's time zone (``TZID`` plus a ``VTIMEZONE``), so phones show the right time on
either side of a daylight-saving change. The file holds no clinical content: the summary is
"Acupuncture appointment" and the clinic's name, the location is the clinic's address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event
from sqlalchemy import select

from acudesk import __version__
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Patient, User
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, require
from acudesk.services.scheduling import clinic_row, zone_of

SUMMARY = "Acupuncture appointment"


def course_calendar(database: Database, actor: Actor, patient_id: int, *, now: datetime | None = None,
                    plan_id: int | None = None) -> tuple[bytes, int]:
    """The .ics bytes of the patient's booked visits from ``now`` on, and how many events it holds."""
    require(actor, Permission.VIEW_SCHEDULE)
    now = now or datetime.now(UTC)
    with database.read() as tx:
        if tx.get(Patient, patient_id) is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        clinic = clinic_row(tx)
        tz = zone_of(clinic)
        statement = (
            select(Appointment.id, Appointment.local_start, Appointment.duration_minutes, User.display_name)
            .join(User, User.id == Appointment.practitioner_id)
            .where(Appointment.patient_id == patient_id, Appointment.status == "booked",
                   Appointment.start_utc >= now)
            .order_by(Appointment.start_utc)
        )
        if plan_id is not None:
            statement = statement.where(Appointment.plan_id == plan_id)
        rows = list(tx.execute(statement))
        calendar = Calendar()
        calendar.add("prodid", f"-//AcuDesk//AcuDesk {__version__}//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", f"{clinic.name} appointments")
        contact = ", ".join(part for part in (clinic.phone, clinic.email) if part)
        for appointment_id, local_start, minutes, practitioner in rows:
            start = local_start.replace(tzinfo=tz)
            event = Event()
            event.add("uid", f"appointment-{appointment_id}@acudesk")
            event.add("dtstamp", now)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=minutes))
            event.add("summary", f"{SUMMARY} – {clinic.name}")
            event.add("location", clinic.address.replace("\n", ", "))
            description = f"With {practitioner}."
            if contact:
                description += f" To change or cancel, contact the clinic: {contact}."
            event.add("description", description)
            calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical(), len(rows)


def export_course_ics(
    database: Database, actor: Actor, patient_id: int, path: Path | str, *, now: datetime | None = None,
    plan_id: int | None = None,
) -> int:
    """Write the patient's upcoming visits to ``path``; returns the number of events. Audited."""
    data, count = course_calendar(database, actor, patient_id, now=now, plan_id=plan_id)
    if count == 0:
        raise ValidationError("This patient has no upcoming booked visits to export.", field="patient")
    target = Path(path)
    target.write_bytes(data)
    with database.write() as tx:
        audit.record(tx, actor, "export-ics", "appointment", None, patient_id=patient_id,
                     detail={"events": count, "plan_id": plan_id})
    return count
