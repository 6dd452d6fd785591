"""A receptionist books courses of treatment in a real clinic database (GB-ENG, Europe/London).

The test clinic opens Mon-Fri 09:00-18:00 and Sat 09:00-13:00; first visits last 60 min, follow-ups
45 min, each with 10 min room changeover. All patients are invented.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event, func, select

from acudesk.domain.errors import ConflictError, PermissionDeniedError, ValidationError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, AuditEvent, Closure, TreatmentPlan
from acudesk.services import appointments, calendar_data, courses, patients, replanning, scheduling_ics, sign_ins
from acudesk.services.clinic import add_user
from acudesk.services.context import RECEPTIONIST, Actor
from acudesk.services.courses import BookingRequest
from acudesk.services.scheduling import ScheduleConflictError

PATTERN = "weekly x4, fortnightly x2, monthly x3"
ROOM_1, ROOM_2 = 1, 2


def _patient(database: Database, actor: Actor, family: str, given: str) -> int:
    details = PatientDetails(family, given, date(1979, 5, 14), phone="07700 900321",
                             consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(database, actor, details).id


@pytest.fixture
def nora(database: Database, admin: Actor) -> int:
    return _patient(database, admin, "Quill", "Nora")


@pytest.fixture
def tomas(database: Database, admin: Actor) -> int:
    return _patient(database, admin, "Brennan", "Tomas")


def _count(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count(Appointment.id))) or 0


def _book(database: Database, actor: Actor, patient: int, start: datetime, pattern: str = PATTERN,
          room: int = ROOM_1, plan_id: int | None = None) -> list[calendar_data.CalendarEntry]:
    booked = courses.book_course(database, actor, BookingRequest(patient, actor.user_id, room, start, pattern, plan_id))
    with database.read() as session:
        return calendar_data.entries_for_ids(session, booked.appointment_ids)


# -- booking a course ------------------------------------------------------------------------------
def test_christmas_2027_substitute_days_and_month_ends_move_visits(database: Database, admin: Actor, nora: int) -> None:
    preview = courses.preview_course(database, admin,
                                     BookingRequest(nora, admin.user_id, ROOM_1, datetime(2027, 12, 13, 10), PATTERN))
    assert preview.ok
    days = [(v.local_start.date(), v.moved_from, v.reason) for v in preview.visits]
    assert days == [
        (date(2027, 12, 13), None, None),
        (date(2027, 12, 20), None, None),
        # Christmas Day falls on a Saturday: Mon 27 and Tue 28 Dec are the substitute holidays.
        # Nothing within a day of Mon 27 Dec: the visit drifts two days and says so (slot finding).
        (date(2027, 12, 29), date(2027, 12, 27), "Christmas Day (observed)"),
        # New Year's Day 2028 is a Saturday too: Monday 3 Jan is its substitute.
        (date(2028, 1, 4), date(2028, 1, 3), "New Year's Day (observed)"),
        (date(2028, 1, 17), None, None),
        (date(2028, 1, 31), None, None),
        (date(2028, 2, 29), None, None),  # 31 Jan + 1 month, clamped to the leap day
        (date(2028, 3, 31), None, None),  # anchored on 31 Jan: back to the 31st
        # Monthly visits may move up to 7 days: Saturday morning is nearer than Tuesday (Mon 1 May is a holiday).
        (date(2028, 4, 29), date(2028, 4, 30), "Clinic closed on Sunday"),
    ]
    assert [v.number for v in preview.drifted] == [3]
    assert preview.visits[2].explanation == (
        "Mon 27 Dec 2027 is a holiday (Christmas Day (observed)); nothing free within ±1 day → Wed 29 Dec 2027 10:00, "
        "2 days later than the rhythm"
    )
    assert preview.visits[2].options == ("Thu 30 Dec 2027 10:00, Room 1", "Fri 24 Dec 2027 10:00, Room 1",
                                         "Fri 31 Dec 2027 10:00, Room 1")
    assert [v.visit_type for v in preview.visits[:2]] == [
        "First visit (consultation, examination and treatment)", "Follow-up treatment"
    ]
    assert _count(database) == 0  # a preview saves nothing

    booked = courses.book_course(database, admin, preview.booking())
    assert len(booked.appointment_ids) == 9
    with database.read() as session:
        third = session.get(Appointment, booked.appointment_ids[2])
        assert third is not None
        assert third.local_start == datetime(2027, 12, 29, 10)
        assert third.planned_local_start == datetime(2027, 12, 27, 10)
        assert (third.moved_from, third.move_reason) == (date(2027, 12, 27), "Christmas Day (observed)")
        assert third.course_visit_number == 3
        assert [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.entity == "appointment"))] == [
            "book"
        ] * 9


def test_wall_clock_time_is_kept_across_the_clocks_going_forward(database: Database, admin: Actor, nora: int) -> None:
    entries = _book(database, admin, nora, datetime(2027, 3, 16, 10), "weekly x3")
    assert [e.local_start.time() for e in entries] == [time(10)] * 3
    # 16 and 23 March are GMT; 30 March is BST (clocks went forward on Sunday 28 March 2027).
    assert [e.start_utc.hour for e in entries] == [10, 10, 9]


def test_a_clinic_closure_and_practitioner_leave_move_visits(database: Database, admin: Actor, nora: int) -> None:
    with database.write() as session:
        session.add(Closure(starts_on=date(2027, 2, 8), ends_on=date(2027, 2, 9), reason="Refurbishment"))
        session.add(Closure(starts_on=date(2027, 2, 15), ends_on=date(2027, 2, 19), reason="Leave",
                            user_id=admin.user_id))
    preview = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1,
                                                                     datetime(2027, 2, 1, 10), "weekly x3"))
    assert [(v.local_start.date(), v.reason) for v in preview.visits] == [
        (date(2027, 2, 1), None),
        (date(2027, 2, 10), "Refurbishment"),
        (date(2027, 2, 20), "Practitioner on leave"),  # Saturday morning: open until 13:00
    ]


def test_existing_bookings_move_visits_to_the_nearest_free_time_or_room(
    database: Database, admin: Actor, nora: int, tomas: int
) -> None:
    _book(database, admin, tomas, datetime(2027, 5, 11, 10), "weekly x1", room=ROOM_2)
    preview = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1,
                                                                     datetime(2027, 5, 4, 10), "weekly x2"))
    second = preview.visits[1]
    # Tomas's first visit holds the practitioner 10:00-11:00: the same day at 09:15 is nearest.
    assert (second.local_start, second.moved_from, second.reason) == (datetime(2027, 5, 11, 9, 15), None, None)
    assert second.explanation == "Tue 11 May 2027 10:00 taken (practitioner busy) → 09:15"
    assert second.moved and preview.ok and not preview.drifted
    # Another practitioner may use the same time, but not the same room (10 min changeover): the other room.
    with database.write() as session:
        colleague = sign_ins.issue(session, database,
                                   add_user(session, "ookafor", "Olu Okafor", ("practitioner",), password=None))
    preview = courses.preview_course(database, admin, BookingRequest(nora, colleague.user_id, ROOM_2,
                                                                     datetime(2027, 5, 11, 11, 5), "weekly x1"))
    first = preview.visits[0]
    assert (first.local_start, first.room_id) == (datetime(2027, 5, 11, 11, 5), ROOM_1)
    assert first.explanation == "Tue 11 May 2027 11:05 taken (room busy) → 11:05, Room 1"


def test_one_conflicting_visit_means_nothing_is_booked(
    database: Database, admin: Actor, nora: int, tomas: int
) -> None:
    preview = courses.preview_course(database, admin,
                                     BookingRequest(nora, admin.user_id, ROOM_1, datetime(2027, 6, 1, 10), PATTERN))
    assert preview.ok
    # While the receptionist looks at the preview, a colleague books the slot of visit 5.
    fifth = preview.visits[4].local_start
    _book(database, admin, tomas, fifth, "weekly x1", room=ROOM_2)
    before = _count(database)
    with pytest.raises(ScheduleConflictError) as caught:
        courses.book_course(database, admin, preview.booking())
    assert len(caught.value.conflicts) == 1
    assert caught.value.conflicts[0].startswith("visit 5: the practitioner is already seeing")
    assert _count(database) == before


def test_a_slot_freed_since_the_preview_still_books_the_visits_shown(
    database: Database, admin: Actor, nora: int, tomas: int
) -> None:
    taken = _book(database, admin, tomas, datetime(2027, 5, 11, 10), "weekly x1", room=ROOM_2)[0]
    preview = courses.preview_course(database, admin,
                                     BookingRequest(nora, admin.user_id, ROOM_1, datetime(2027, 5, 4, 10), "weekly x2"))
    assert preview.visits[1].local_start == datetime(2027, 5, 11, 9, 15)  # moved off Tomas's visit
    # The visit is cancelled while the receptionist looks: the course is booked exactly as shown.
    appointments.cancel_appointment(database, admin, taken.id, "Away", expected_version=taken.version,
                                    now=datetime(2027, 1, 4, tzinfo=UTC))
    booked = courses.book_course(database, admin, preview.booking())
    assert booked.preview.visits == preview.visits
    with database.read() as session:
        second = session.get(Appointment, booked.appointment_ids[1])
        assert second is not None
        assert (second.local_start, second.moved_from) == (datetime(2027, 5, 11, 9, 15), None)
        assert second.move_reason == "Tue 11 May 2027 10:00 taken (practitioner busy) → 09:15"


def test_a_time_outside_opening_hours_is_refused_with_the_hours_named(
    database: Database, admin: Actor, nora: int
) -> None:
    with pytest.raises(ValidationError, match="17:30-18:30 is outside the opening hours on Mondays"):
        courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1,
                                                               datetime(2027, 6, 7, 17, 30), "weekly x2"))
    # 16:00 fits on Thursday 8 April, but a month later is Saturday 8 May, when the clinic closes at 13:00:
    # the finder keeps the day and takes the nearest time that fits.
    start = datetime(2027, 4, 8, 16)
    preview = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1, start, "monthly x2"))
    assert preview.ok
    second = preview.visits[1]
    assert second.local_start == datetime(2027, 5, 8, 12, 15)
    assert second.explanation == "16:00 is outside the opening hours on Sat 8 May 2027 → 12:15"
    # A visit shown at a time the clinic is closed is refused, whatever the finder would do now.
    shown = preview.booking()
    outside = replace(second, local_start=datetime(2027, 5, 8, 16), local_end=datetime(2027, 5, 8, 16, 45))
    with pytest.raises(ScheduleConflictError, match="16:00-16:45 is outside opening hours"):
        courses.book_course(database, admin, replace(shown, previewed=(shown.previewed[0], outside)))
    assert _count(database) == 0


def test_series_are_capped_at_52_visits_and_bad_patterns_name_the_part(
    database: Database, admin: Actor, nora: int
) -> None:
    with pytest.raises(ValidationError, match="52"):
        courses.preview_course(database, admin,
                               BookingRequest(nora, admin.user_id, ROOM_1, datetime(2027, 1, 4, 10), "weekly x53"))
    with pytest.raises(ValidationError, match="wekly"):
        courses.preview_course(database, admin,
                               BookingRequest(nora, admin.user_id, ROOM_1, datetime(2027, 1, 4, 10), "wekly x4"))


def test_booking_for_a_plan_stores_the_pattern(database: Database, admin: Actor, nora: int) -> None:
    plan_id = _plan(database, admin, nora, "", baseline=7)
    assert courses.bookable_plan_id(database, admin, nora) == plan_id
    _book(database, admin, nora, datetime(2027, 1, 4, 10), "weekly x2, monthly x1", plan_id=plan_id)
    with database.read() as session:
        plan = session.get(TreatmentPlan, plan_id)
        assert plan is not None
        assert plan.course_pattern == "weekly x2, monthly x1"
        assert [(p.interval_unit, p.interval_count, p.visits) for p in plan.phases] == [("week", 1, 2), ("month", 1, 1)]
    assert courses.bookable_plan_id(database, admin, nora) is None
    with pytest.raises(ValidationError, match="already has visits"):
        _book(database, admin, nora, datetime(2027, 6, 7, 10), "weekly x2", plan_id=plan_id)


def test_the_front_desk_can_book_but_an_administrator_alone_cannot(database: Database, nora: int) -> None:
    with database.write() as session:
        desk = sign_ins.issue(session, database,
                              add_user(session, "jbrook", "Jess Brook", (RECEPTIONIST,), password=None))
        office = sign_ins.issue(session, database,
                                add_user(session, "office", "Office", ("administrator",), password=None))
    practitioner = 1  # the test clinic's first user is administrator and practitioner
    courses.book_course(database, desk,
                        BookingRequest(nora, practitioner, ROOM_1, datetime(2027, 1, 4, 10), "weekly x1"))
    with pytest.raises(PermissionDeniedError):
        courses.book_course(database, office,
                            BookingRequest(nora, practitioner, ROOM_1, datetime(2027, 1, 11, 10), "weekly x1"))


# -- editing visits ---------------------------------------------------------------------------------
def _audit(database: Database, appointment_id: int) -> list[tuple[str, dict]]:
    with database.read() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.detail).where(AuditEvent.entity == "appointment",
                                                              AuditEvent.entity_id == appointment_id)
            .order_by(AuditEvent.id)
        )
        return [(a, d) for a, d in rows]


def test_moving_one_visit_keeps_its_history(database: Database, admin: Actor, nora: int) -> None:
    entries = _book(database, admin, nora, datetime(2027, 4, 5, 10), "weekly x3")
    second = entries[1]
    moved = appointments.move_appointment(database, admin, second.id, datetime(2027, 4, 13, 15),
                                          expected_version=second.version, reason="Patient asked")
    assert (moved.local_start, moved.moved_from, moved.move_reason) == (
        datetime(2027, 4, 13, 15), date(2027, 4, 12), "Patient asked"
    )
    assert moved.version == second.version + 1
    action, detail = _audit(database, second.id)[-1]
    assert action == "move"
    assert detail["old_local_start"] == "2027-04-12T10:00:00"
    assert detail["local_start"] == "2027-04-13T15:00:00"
    assert "Quill" not in str(detail) and "Nora" not in str(detail)
    # The stale version the receptionist still holds cannot overwrite the move.
    with pytest.raises(ConflictError):
        appointments.move_appointment(database, admin, second.id, datetime(2027, 4, 14, 10),
                                      expected_version=second.version)
    # A clash or a closed day is refused with the reason, and nothing changes.
    with pytest.raises(ScheduleConflictError, match="Clinic closed on Sunday"):
        appointments.move_appointment(database, admin, second.id, datetime(2027, 4, 18, 10),
                                      expected_version=moved.version)
    with pytest.raises(ScheduleConflictError, match="patient already has"):
        appointments.move_appointment(database, admin, second.id, datetime(2027, 4, 19, 12),
                                      expected_version=moved.version)


def test_moving_this_and_following_visits_keeps_the_rhythm(database: Database, admin: Actor, nora: int) -> None:
    entries = _book(database, admin, nora, datetime(2027, 12, 6, 10), "weekly x4")
    assert [e.local_start.date() for e in entries] == [
        date(2027, 12, 6), date(2027, 12, 13), date(2027, 12, 20), date(2027, 12, 29)
    ]
    # Visit 2 and the rest move one day later, to Tuesdays at 14:00; Boxing Day (observed) is Tue 28 Dec.
    moved = appointments.move_following(database, admin, entries[1].id, datetime(2027, 12, 14, 14),
                                        expected_version=entries[1].version)
    assert [(e.local_start, e.moved_from, e.move_reason) for e in moved] == [
        (datetime(2027, 12, 14, 14), None, ""),
        (datetime(2027, 12, 21, 14), None, ""),
        (datetime(2027, 12, 29, 14), date(2027, 12, 28), "Boxing Day (observed)"),
    ]
    unchanged = appointments.appointment_now(database, admin, entries[0].id)
    assert unchanged.local_start == datetime(2027, 12, 6, 10)


def test_cancel_late_cancel_no_show_check_in_and_complete(
    database: Database, admin: Actor, nora: int, tomas: int
) -> None:
    entries = _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x4")
    first, second, third, fourth = entries
    day_before = datetime(2027, 3, 7, 10, tzinfo=UTC)  # 48 h before visit 2
    cancelled = appointments.cancel_appointment(database, admin, second.id, "Away for work",
                                                expected_version=second.version, now=day_before)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.late_cancellation) == (
        "cancelled", "Away for work", False
    )
    late = appointments.cancel_appointment(database, admin, third.id, "Unwell",
                                           expected_version=third.version, now=datetime(2027, 3, 14, 18, tzinfo=UTC))
    assert late.late_cancellation  # 16 h before the visit: less than LATE_CANCELLATION_NOTICE
    assert appointments.LATE_CANCELLATION_NOTICE == timedelta(hours=24)
    assert _audit(database, third.id)[-1][1]["late_cancellation"] is True
    with pytest.raises(ValidationError, match="reason"):
        appointments.cancel_appointment(database, admin, fourth.id, "  ", expected_version=fourth.version)
    # A cancelled slot is free again for someone else.
    again = courses.preview_course(database, admin,
                                   BookingRequest(tomas, admin.user_id, ROOM_1, datetime(2027, 3, 8, 10), "weekly x1"))
    assert again.visits[0].local_start == datetime(2027, 3, 8, 10)

    with pytest.raises(ValidationError, match="only after its start"):
        appointments.mark_no_show(database, admin, fourth.id, expected_version=fourth.version,
                                  now=datetime(2027, 3, 22, 9, tzinfo=UTC))
    no_show = appointments.mark_no_show(database, admin, fourth.id, expected_version=fourth.version,
                                        now=datetime(2027, 3, 22, 10, 20, tzinfo=UTC))
    assert no_show.status == "no_show"

    arrived = appointments.check_in(database, admin, first.id, expected_version=first.version,
                                    now=datetime(2027, 3, 1, 9, 55, tzinfo=UTC))
    assert arrived.status == "arrived"
    with pytest.raises(ValidationError, match="checked in, so it cannot be cancelled"):
        appointments.cancel_appointment(database, admin, first.id, "x", expected_version=arrived.version)
    done = appointments.complete_appointment(database, admin, first.id, expected_version=arrived.version)
    assert done.status == "completed"
    assert [a for a, _d in _audit(database, first.id)] == ["book", "check-in", "complete"]
    assert _audit(database, first.id)[-1][1] == {
        "local_start": "2027-03-01T10:00:00", "old_status": "arrived", "status": "completed"
    }


def test_a_check_in_made_by_mistake_is_undone_and_audited(database: Database, admin: Actor, nora: int) -> None:
    """Issue 18: the wrong one of two patients booked at 10:00 was checked in; the desk takes it back."""
    first = _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x1")[0]
    arrived = appointments.check_in(database, admin, first.id, expected_version=first.version,
                                    now=datetime(2027, 3, 1, 9, 55, tzinfo=UTC))
    booked = appointments.undo_check_in(database, admin, first.id, expected_version=arrived.version)
    assert booked.status == "booked"
    with database.read() as tx:
        from acudesk.persistence.models import Appointment

        assert tx.get(Appointment, first.id).arrived_at is None
    assert [a for a, _d in _audit(database, first.id)] == ["book", "check-in", "undo-check-in"]
    assert _audit(database, first.id)[-1][1]["old_status"] == "arrived"
    with pytest.raises(ValidationError, match="booked, so it cannot be set back to booked"):
        appointments.undo_check_in(database, admin, first.id, expected_version=booked.version)
    with pytest.raises(ConflictError):
        appointments.undo_check_in(database, admin, first.id, expected_version=arrived.version)  # stale


def test_a_check_in_stays_once_a_session_record_was_started(database: Database, admin: Actor, nora: int) -> None:
    from acudesk.persistence.models import SessionRecord

    first = _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x1")[0]
    arrived = appointments.check_in(database, admin, first.id, expected_version=first.version,
                                    now=datetime(2027, 3, 1, 9, 55, tzinfo=UTC))
    with database.write() as tx:
        tx.add(SessionRecord(patient_id=nora, appointment_id=first.id, practitioner_id=admin.user_id,
                             session_at=datetime(2027, 3, 1, 10, tzinfo=UTC), status="draft"))
    with pytest.raises(ValidationError, match="session record was started"):
        appointments.undo_check_in(database, admin, first.id, expected_version=arrived.version)
    assert appointments.appointment_now(database, admin, first.id).status == "arrived"


# -- tapering and relapse ---------------------------------------------------------------------------
def _plan(database: Database, actor: Actor, patient: int, pattern: str, baseline: int) -> int:
    with database.write() as session:
        plan = TreatmentPlan(patient_id=patient, practitioner_id=actor.user_id, complaint="Low back pain",
                             course_pattern=pattern, status="active", baseline_nrs=baseline)
        session.add(plan)
        session.flush()
        return plan.id


def _held(database: Database, actor: Actor, entries: list[calendar_data.CalendarEntry], scores: list[int]) -> None:
    """Complete the first visits and record each session's pain score before treatment."""
    from acudesk.persistence.models import SessionRecord

    for entry, score in zip(entries, scores, strict=False):
        appointments.complete_appointment(database, actor, entry.id, expected_version=entry.version)
        with database.write() as session:
            session.add(SessionRecord(patient_id=entry.patient_id, appointment_id=entry.id, plan_id=entry.plan_id,
                                      practitioner_id=actor.user_id, session_at=entry.start_utc,
                                      nrs_before=score, status="signed"))


def test_two_improved_sessions_propose_tapering_and_accepting_replans(
    database: Database, admin: Actor, nora: int, tomas: int
) -> None:
    plan_id = _plan(database, admin, nora, "", baseline=8)
    entries = _book(database, admin, nora, datetime(2027, 3, 1, 10), PATTERN, plan_id=plan_id)
    _held(database, admin, entries[:2], [8, 7])
    assert replanning.taper_proposal(database, admin, plan_id) is None  # 1 point better: not meaningful
    _held(database, admin, entries[2:3], [5])
    assert replanning.taper_proposal(database, admin, plan_id) is None  # one improved session is not enough
    _held(database, admin, entries[3:4], [5])
    assert replanning.taper_proposal(database, admin, plan_id) is None  # visit 4 ends the weekly phase anyway

    plan_id = _plan(database, admin, tomas, "", baseline=8)
    entries = _book(database, admin, tomas, datetime(2027, 6, 7, 11), "weekly x6, fortnightly x2, monthly x2",
                    plan_id=plan_id)
    _held(database, admin, entries[:3], [8, 6, 5])
    proposal = replanning.taper_proposal(database, admin, plan_id)
    assert proposal is not None and proposal.kind == "taper"
    assert proposal.after_visit == 3
    assert proposal.pattern == "fortnightly x2, monthly x2"
    assert proposal.course_pattern == "weekly x3, fortnightly x2, monthly x2"
    assert "30 %" in proposal.reason and "Ostelo" in proposal.reason
    assert [v.number for v in proposal.cancelled] == [4, 5, 6, 7, 8, 9, 10]
    assert [(v.number, v.local_start) for v in proposal.visits] == [
        (4, datetime(2027, 7, 5, 11)), (5, datetime(2027, 7, 19, 11)),
        (6, datetime(2027, 8, 19, 11)), (7, datetime(2027, 9, 20, 11)),  # 19 Sep is a Sunday
    ]
    assert _count_status(database, "booked") == 5 + 7  # nothing rebooked by the proposal alone

    result = replanning.accept_proposal(database, admin, proposal)
    assert len(result.cancelled_ids) == 7 and len(result.booked_ids) == 4
    with database.read() as session:
        plan = session.get(TreatmentPlan, plan_id)
        assert plan is not None and plan.course_pattern == "weekly x3, fortnightly x2, monthly x2"
        cancelled = select(Appointment.cancel_reason).where(Appointment.id.in_(result.cancelled_ids))
        reasons = set(session.scalars(cancelled))
    assert reasons == {"Re-planned: taper, fortnightly x2, monthly x2 from visit 4"}
    # The same proposal cannot be applied twice.
    with pytest.raises(ConflictError):
        replanning.accept_proposal(database, admin, proposal)


def _count_status(database: Database, status: str) -> int:
    with database.read() as session:
        return session.scalar(select(func.count(Appointment.id)).where(Appointment.status == status)) or 0


def test_pain_back_near_baseline_after_tapering_proposes_a_new_set(
    database: Database, admin: Actor, nora: int
) -> None:
    plan_id = _plan(database, admin, nora, "", baseline=8)
    entries = _book(database, admin, nora, datetime(2027, 1, 4, 10), "weekly x2, fortnightly x2, monthly x2",
                    plan_id=plan_id)
    _held(database, admin, entries[:4], [8, 6, 5, 8])
    proposal = replanning.taper_proposal(database, admin, plan_id)
    assert proposal is not None and proposal.kind == "relapse"
    assert proposal.after_visit == 4
    assert proposal.pattern == PATTERN
    assert len(proposal.visits) == 9 and proposal.visits[0].number == 5
    assert proposal.visits[0].local_start.date() == entries[3].local_start.date() + timedelta(days=7)
    result = replanning.accept_proposal(database, admin, proposal)
    assert len(result.booked_ids) == 9 and len(result.cancelled_ids) == 2
    assert result.course_pattern == "weekly x2, fortnightly x2, " + PATTERN


def test_a_receptionist_cannot_read_pain_scores_through_proposals(database: Database, nora: int) -> None:
    with database.write() as session:
        desk = sign_ins.issue(session, database,
                              add_user(session, "jbrook", "Jess Brook", (RECEPTIONIST,), password=None))
    with pytest.raises(PermissionDeniedError):
        replanning.taper_proposal(database, desk, 1)


# -- views and export -------------------------------------------------------------------------------
def test_week_view_is_one_query_and_today_flags_late_arrivals(
    database: Database, admin: Actor, nora: int, tomas: int
) -> None:
    _book(database, admin, nora, datetime(2027, 3, 1, 10), "weekly x4")
    _book(database, admin, tomas, datetime(2027, 3, 1, 14), "weekly x4", room=ROOM_2)
    statements: list[str] = []
    engine = database.engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        week = calendar_data.appointments_between(database, admin, date(2027, 3, 1), date(2027, 3, 14))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    appointment_queries = [s for s in statements if "FROM appointments" in s]
    assert len(appointment_queries) == 1
    assert [(e.patient_name, e.local_start) for e in week[:2]] == [
        ("Nora Quill", datetime(2027, 3, 1, 10)), ("Tomas Brennan", datetime(2027, 3, 1, 14))
    ]
    assert {e.room_name for e in week} == {"Room 1", "Room 2"}
    assert len(calendar_data.appointments_between(database, admin, date(2027, 3, 1), date(2027, 3, 7),
                                                  room_id=ROOM_2)) == 1

    quarter_past = datetime(2027, 3, 1, 10, 15, tzinfo=UTC)
    today = calendar_data.todays_list(database, admin, day=date(2027, 3, 1), now=quarter_past)
    assert [(t.entry.patient_name, t.late) for t in today] == [("Nora Quill", True), ("Tomas Brennan", False)]


def test_calendar_range_names_closed_days(database: Database, admin: Actor) -> None:
    view = calendar_data.calendar_range(database, admin, date(2027, 12, 20), date(2027, 12, 26), admin.user_id)
    assert view.closed == {
        date(2027, 12, 25): "Christmas Day", date(2027, 12, 26): "Boxing Day"
    }
    assert calendar_data.resources(database, admin).rooms[0].name == "Room 1"


def test_ics_export_has_clinic_zone_times_and_no_clinical_content(
    database: Database, admin: Actor, nora: int, tmp_path
) -> None:
    _book(database, admin, nora, datetime(2027, 3, 23, 10), "weekly x2")
    path = tmp_path / "visits.ics"
    assert scheduling_ics.export_course_ics(database, admin, nora, path) == 2
    calendar = Calendar.from_ical(path.read_bytes())
    events = calendar.walk("VEVENT")
    assert [e.decoded("dtstart").replace(tzinfo=None) for e in events] == [
        datetime(2027, 3, 23, 10), datetime(2027, 3, 30, 10)
    ]
    assert events[1].decoded("dtstart").utcoffset() == timedelta(hours=1)  # BST
    text = path.read_text()
    assert "DTSTART;TZID=Europe/London:20270330T100000" in text
    assert "BEGIN:VTIMEZONE" in text
    assert str(events[0]["summary"]) == "Acupuncture appointment – Riverside Acupuncture (test)"
    for private in ("Quill", "Nora", "back", "NRS"):
        assert private not in text
    with database.read() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "export-ics")) == "export-ics"
