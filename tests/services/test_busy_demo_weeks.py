"""Issue 14's Dec-7 case: a course asked for on Mon 7 Dec 2026 at 14:00, "weekly x4", in the demo
clinic's busy weeks, books one visit in each of the first four weeks, or explains each that cannot.

The bookings are the demo clinic's own, recorded as it was on Thu 3 Dec 2026 (the day the issue was
found) by ``scripts/record_busy_demo_weeks.py`` into ``tests/data/scheduling/demo_busy_weeks.json``:
three practitioners sharing two rooms, about fifteen visits a day. Before slot finding the preview put
the four visits on Wed 6 to Mon 11 *January*, on consecutive days, and said "no conflicts".
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Patient, Room
from acudesk.services import courses, slots
from acudesk.services.clinic import add_user
from acudesk.services.context import PRACTITIONER, Actor
from acudesk.services.courses import BookingRequest

RECORD = Path(__file__).resolve().parents[1] / "data" / "scheduling" / "demo_busy_weeks.json"
LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)  # the demo's day: nothing of the course is in the past


@pytest.fixture
def busy_weeks(database: Database, admin: Actor) -> dict[str, int]:
    """The test clinic with the demo's recorded bookings: practitioner ids by demo username."""
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    with database.write() as tx:
        people = {"mchen": admin.user_id}
        for username, name in (("ookafor", "Olu Okafor"), ("hsato", "Hana Sato")):
            people[username] = add_user(tx, username, name, (PRACTITIONER,), password=None).id
        rooms = dict(zip(record["rooms"], tx.scalars(select(Room.id).order_by(Room.id)), strict=True))
        patients: dict[int, int] = {}
        for number in sorted({b["patient"] for b in record["bookings"]}):
            patient = Patient(family_name=f"Busy{number}", given_name="Demo", date_of_birth=date(1980, 1, 1),
                              family_key=f"busy{number}", given_key="demo")
            tx.add(patient)
            tx.flush()
            patients[number] = patient.id
        for booking in record["bookings"]:
            local = datetime.fromisoformat(booking["local_start"])
            tx.add(Appointment(
                patient_id=patients[booking["patient"]], practitioner_id=people[booking["practitioner"]],
                room_id=rooms.get(booking["room"]), local_start=local,
                start_utc=local.replace(tzinfo=LONDON).astimezone(UTC), duration_minutes=booking["minutes"],
                changeover_minutes=booking["changeover"], status="booked", planned_local_start=local,
            ))
    return people


def _nora(database: Database) -> int:
    with database.write() as tx:
        patient = Patient(family_name="Quill", given_name="Nora", date_of_birth=date(1979, 5, 14),
                          family_key="quill", given_key="nora", consent_to_treatment=True)
        tx.add(patient)
        tx.flush()
        return patient.id


@pytest.mark.parametrize("practitioner", ["mchen", "ookafor", "hsato"])
def test_a_weekly_course_from_mon_7_dec_keeps_one_visit_in_each_of_its_four_weeks(
    database: Database, admin: Actor, busy_weeks: dict[str, int], practitioner: str
) -> None:
    nora = _nora(database)
    request = BookingRequest(nora, busy_weeks[practitioner], 1, datetime(2026, 12, 7, 14), "weekly x4")
    preview = courses.preview_course(database, admin, request, now=NOW)
    assert preview.ok, preview.conflicts
    days = [v.local_start.date() for v in preview.visits]
    for week, visit in enumerate(preview.visits):
        monday = MONDAY + timedelta(weeks=week)
        in_its_week = monday <= visit.local_start.date() <= monday + timedelta(days=6)
        assert in_its_week or (visit.drifted and visit.explanation), (week + 1, visit)
        if visit.local_start != datetime.combine(monday, visit.planned.time()) or visit.room_id != 1:
            assert visit.explanation, visit  # every change from what was asked is said in words
        assert visit.drifted == (abs((visit.local_start.date() - visit.planned.date()).days) > 1)
    assert all((b - a).days >= 4 for a, b in zip(days, days[1:], strict=False))  # never consecutive days
    assert days[-1] <= date(2027, 1, 3)  # not a month late

    booked = courses.book_course(database, admin, preview.booking(), now=NOW)
    assert len(booked.appointment_ids) == 4


def test_the_dec_7_course_with_mei_chen_in_words(database: Database, admin: Actor, busy_weeks: dict[str, int]) -> None:
    """What the receptionist reads in the preview for the issue's own request (Dr Mei Chen, Garden Room)."""
    nora = _nora(database)
    preview = courses.preview_course(database, admin, BookingRequest(
        nora, busy_weeks["mchen"], 1, datetime(2026, 12, 7, 14), "weekly x4"), now=NOW)
    lines = [f"{v.local_start:%a %d %b %H:%M} {v.room}: {v.explanation or 'as asked'}" for v in preview.visits]
    assert lines == [
        "Mon 07 Dec 17:00 Room 1: Mon 7 Dec 2026 14:00 taken (room busy) → 17:00",
        "Mon 14 Dec 17:00 Room 1: Mon 14 Dec 2026 14:00 taken (practitioner busy) → 17:00",
        "Mon 21 Dec 17:00 Room 1: Mon 21 Dec 2026 14:00 taken (room busy) → 17:00",
        "Tue 29 Dec 17:00 Room 1: Mon 28 Dec 2026 is a holiday (Boxing Day (observed)) → Tue 29 Dec 2026 17:00",
    ], lines
    assert not preview.drifted


def test_first_free_slots_in_the_busy_weeks_suit_the_patient_first(
    database: Database, admin: Actor, busy_weeks: dict[str, int]
) -> None:
    nora = _nora(database)
    slots.set_booking_preferences(database, admin, nora, "Tuesdays after 15:00")
    found = slots.first_free_slots(database, admin, slots.SlotQuery(
        busy_weeks["hsato"], datetime(2026, 12, 7, 9), patient_id=nora, limit=3))
    assert [s.local_start.strftime("%a") for s in found] == ["Tue"] * 3
    assert all(s.local_start.hour >= 15 and s.suits_preferences for s in found)
    assert found[0].note == "suits the patient: Tuesdays after 15:00"
    assert found == sorted(found, key=lambda s: s.local_start)
