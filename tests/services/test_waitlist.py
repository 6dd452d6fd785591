"""The waitlist (issue 14): entries, offers when a visit is cancelled, booking an offer, closing.

On SQLite and PostgreSQL. A cancelled Tuesday 10:00 visit is offered to the waiting patients it suits,
most urgent first; nothing is booked until staff book an offer; a slot taken meanwhile is refused.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from acudesk.domain.errors import ValidationError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.models import Appointment, VisitType
from acudesk.services import appointments, courses, patients, waitlist
from acudesk.services.scheduling import ScheduleConflictError
from acudesk.services.waitlist import WaitlistRequest

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)  # Monday 7 December 2026, 09:00 in London
TUESDAY_TEN = datetime(2026, 12, 15, 10, 0)  # local wall-clock time


def _patient(database, admin, family: str) -> int:
    return patients.register_patient(database, admin, PatientDetails(family, "Test", date(1970, 1, 1))).id


def _follow_up(database) -> int:
    with database.read() as tx:
        return tx.scalar(select(VisitType.id).where(VisitType.code == "follow_up"))


def _book(database, admin, patient_id: int, start: datetime) -> int:
    request = courses.BookingRequest(patient_id, admin.user_id, None, start, "weekly x1", first_visit=False,
                                     preferences="")
    preview = courses.preview_course(database, admin, request, now=NOW)
    return courses.book_course(database, admin, preview.booking(), now=NOW).appointment_ids[0]


def _wait(database, admin, patient_id: int, **changes) -> waitlist.WaitlistItem:
    request = WaitlistRequest(patient_id, _follow_up(database), date(2026, 12, 31), **changes)
    return waitlist.add_to_waitlist(database, admin, request, now=NOW)


@pytest.fixture
def cancelled(database, admin):
    """Tuesday 15 December 10:00 booked for Abbott, then cancelled: the slot is free again."""
    abbott = _patient(database, admin, "Abbott")
    visit = _book(database, admin, abbott, TUESDAY_TEN)
    with database.read() as tx:
        version = tx.get(Appointment, visit).version
    appointments.cancel_appointment(database, admin, visit, "Patient away", expected_version=version, now=NOW)
    return visit


def test_a_cancelled_slot_is_offered_to_the_waiting_patients_it_suits_most_urgent_first(
        database, admin, cancelled) -> None:
    routine = _wait(database, admin, _patient(database, admin, "Baker"), weekdays=frozenset({1}))
    urgent = _wait(database, admin, _patient(database, admin, "Chen"), urgency="urgent")
    _wait(database, admin, _patient(database, admin, "Diaz"), weekdays=frozenset({3}))  # Thursdays only
    _wait(database, admin, _patient(database, admin, "Evans"), earliest=time(17))  # evenings only
    offers = waitlist.offers_after(database, admin, cancelled, TUESDAY_TEN, now=NOW)
    assert [o.entry.id for o in offers] == [urgent.id, routine.id]
    assert offers[0].entry.patient_name == "Test Chen" and offers[0].entry.wish.startswith("any day")
    # Nothing was booked by itself: the slot is still free until staff book an offer.
    with database.read() as tx:
        assert tx.scalars(select(Appointment).where(Appointment.status == "booked")).all() == []


def test_booking_an_offer_books_the_slot_and_closes_the_entry(database, admin, cancelled) -> None:
    chen = _patient(database, admin, "Chen")
    entry = _wait(database, admin, chen, urgency="soon")
    [offer] = waitlist.offers_after(database, admin, cancelled, TUESDAY_TEN, now=NOW)
    visit_id = waitlist.book_offer(database, admin, offer, now=NOW)
    with database.read() as tx:
        visit = tx.get(Appointment, visit_id)
        assert (visit.patient_id, visit.local_start, visit.status) == (chen, TUESDAY_TEN, "booked")
    assert waitlist.list_waitlist(database, admin, now=NOW) == []
    [closed] = waitlist.list_waitlist(database, admin, waiting_only=False, now=NOW)
    assert (closed.id, closed.status) == (entry.id, "booked")
    with pytest.raises(ValidationError, match="no longer waiting"):
        waitlist.book_offer(database, admin, offer, now=NOW)


def test_a_slot_taken_meanwhile_is_refused_and_the_entry_keeps_waiting(database, admin, cancelled) -> None:
    _wait(database, admin, _patient(database, admin, "Chen"))
    [offer] = waitlist.offers_after(database, admin, cancelled, TUESDAY_TEN, now=NOW)
    _book(database, admin, _patient(database, admin, "Fox"), TUESDAY_TEN)  # another desk was quicker
    with pytest.raises(ScheduleConflictError, match="no longer free"):
        waitlist.book_offer(database, admin, offer, now=NOW)
    assert [item.status for item in waitlist.list_waitlist(database, admin, now=NOW)] == ["waiting"]


def test_entries_are_checked_closed_with_a_reason_and_expire_after_their_date(database, admin) -> None:
    pid = _patient(database, admin, "Gray")
    with pytest.raises(ValidationError, match="latest time must come after"):
        _wait(database, admin, pid, earliest=time(18), latest=time(9))
    with pytest.raises(ValidationError, match="urgency"):
        _wait(database, admin, pid, urgency="whenever")
    entry = _wait(database, admin, pid)
    with pytest.raises(ValidationError, match="Say why"):
        waitlist.close_entry(database, admin, entry.id, " ", expected_version=entry.version)
    waitlist.close_entry(database, admin, entry.id, "booked elsewhere", expected_version=entry.version)
    assert waitlist.list_waitlist(database, admin, now=NOW) == []
    later = _wait(database, admin, pid)
    after_its_date = datetime(2027, 1, 2, 9, tzinfo=UTC)
    assert waitlist.list_waitlist(database, admin, now=after_its_date) == []
    statuses = {i.id: i.status for i in waitlist.list_waitlist(database, admin, waiting_only=False,
                                                                now=after_its_date)}
    assert statuses[later.id] == "expired"


def test_a_patient_booked_by_other_means_is_no_longer_waiting(database, admin, cancelled) -> None:
    chen = _patient(database, admin, "Chen")
    entry = _wait(database, admin, chen)
    _book(database, admin, chen, datetime(2026, 12, 17, 11, 0))  # the receptionist found a Thursday meanwhile
    assert waitlist.offers_after(database, admin, cancelled, TUESDAY_TEN, now=NOW) == []
    assert waitlist.list_waitlist(database, admin, now=NOW) == []
    [shown] = waitlist.list_waitlist(database, admin, waiting_only=False, now=NOW)
    assert (shown.id, shown.status) == (entry.id, "booked")
