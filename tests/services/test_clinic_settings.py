"""An administrator sets the clinic up (issue 18): each setting changes what booking and the calendar
see, bad input is refused field by field with nothing stored, booked visits are never stranded
silently, and only administrators may do it. On SQLite and (with ACUDESK_TEST_DATABASE_URL) PostgreSQL.

The test clinic (tests/conftest.py) opens Mon-Fri 09:00-18:00 and Sat 09:00-13:00 in Europe/London,
with Room 1 and Room 2; first visits last 60 minutes, follow-ups 45. All people are invented.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from acudesk.domain.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError, ValidationErrors
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.changes import recording_changes
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, AuditEvent, Closure, Room, VisitType
from acudesk.services import calendar_data, clinic_settings, courses, patients
from acudesk.services.clinic_settings import (
    ClinicDetails,
    ClosureDraft,
    CurrencyInUseError,
    VisitsAffectedError,
    VisitTypeDraft,
)
from acudesk.services.context import PRACTITIONER, RECEPTIONIST, Actor
from acudesk.services.courses import BookingRequest

WEDNESDAY = datetime(2027, 2, 3, 10, 0)  # a Wednesday, well after "today"
ROOM_1 = 1


@pytest.fixture
def nora(database: Database, admin: Actor) -> int:
    details = PatientDetails("Quill", "Nora", date(1979, 5, 14), phone="07700 900321",
                             consent_to_treatment=True, consent_date=date(2026, 1, 5))
    return patients.register_patient(database, admin, details).id


def _settings(database: Database, admin: Actor) -> clinic_settings.ClinicSettings:
    return clinic_settings.clinic_settings(database, admin)


def _book(database: Database, actor: Actor, patient: int, start: datetime, pattern: str) -> tuple[int, ...]:
    request = BookingRequest(patient, actor.user_id, ROOM_1, start, pattern)
    return courses.book_course(database, actor, request).appointment_ids


def _audit_count(database: Database) -> int:
    with database.read() as tx:
        return tx.scalar(select(func.count(AuditEvent.id))) or 0


def _last_event(database: Database) -> AuditEvent:
    with database.read() as tx:
        event = tx.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert event is not None
        tx.expunge(event)
        return event


# -- each setting changes what booking sees --------------------------------------------------------------
def test_a_closure_makes_the_course_skip_the_day(database: Database, admin: Actor, nora: int) -> None:
    clinic_settings.add_closure(database, admin, ClosureDraft(date(2027, 2, 10), date(2027, 2, 10), "Staff training"))
    preview = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1, WEDNESDAY,
                                                                     "weekly x3"))
    second = preview.visits[1]
    assert second.local_start.date() != date(2027, 2, 10)
    assert (second.moved_from, second.reason) == (date(2027, 2, 10), "Staff training")
    week = calendar_data.calendar_range(database, admin, date(2027, 2, 8), date(2027, 2, 14))
    assert week.closed[date(2027, 2, 10)] == "Staff training"


def test_leave_keeps_the_practitioners_visits_off_those_days(database: Database, admin: Actor, nora: int) -> None:
    clinic_settings.add_closure(database, admin, ClosureDraft(date(2027, 2, 10), date(2027, 2, 12), "Conference",
                                                              user_id=admin.user_id))
    assert [(c.who, c.user_id) for c in _settings(database, admin).closures] == [("Dr Test Admin", admin.user_id)]
    preview = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1, WEDNESDAY,
                                                                     "weekly x3"))
    assert not date(2027, 2, 10) <= preview.visits[1].local_start.date() <= date(2027, 2, 12)
    assert preview.visits[1].moved_from == date(2027, 2, 10)


def test_a_retired_room_is_not_offered_and_cannot_be_booked(database: Database, admin: Actor, nora: int) -> None:
    room_2 = next(r for r in _settings(database, admin).rooms if r.name == "Room 2")
    clinic_settings.set_room_in_use(database, admin, room_2.id, False)
    assert [r.name for r in calendar_data.resources(database, admin).rooms] == ["Room 1"]
    with pytest.raises(ValidationError, match="room that is in use") as refused:
        courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, room_2.id, WEDNESDAY, "weekly x2"))
    assert refused.value.field == "room"
    with database.read() as tx:
        assert tx.get(Room, room_2.id) is not None  # retired, never deleted
    clinic_settings.set_room_in_use(database, admin, room_2.id, True)
    assert [r.name for r in calendar_data.resources(database, admin).rooms] == ["Room 1", "Room 2"]


def test_a_room_with_visits_booked_is_not_retired_until_they_move(database: Database, admin: Actor, nora: int) -> None:
    _book(database, admin, nora, WEDNESDAY, "weekly x3")
    with pytest.raises(ValidationError) as refused:
        clinic_settings.set_room_in_use(database, admin, ROOM_1, False)
    assert refused.value.field == "room"
    assert "3 booked visits (Wed 3 Feb 2027 10:00, Wed 10 Feb 2027 10:00, Wed 17 Feb 2027 10:00)" in \
        refused.value.message
    assert "Move them to another room first" in refused.value.message
    assert next(r for r in _settings(database, admin).rooms if r.id == ROOM_1).active


def test_a_new_room_is_offered_and_names_stay_unique(database: Database, admin: Actor) -> None:
    garden = clinic_settings.add_room(database, admin, "  Garden   Room ")
    assert garden.name == "Garden Room"
    assert "Garden Room" in [r.name for r in calendar_data.resources(database, admin).rooms]
    before = _audit_count(database)
    for clash in ("garden room", "Room 1"):
        with pytest.raises(ValidationError, match="already") as refused:
            clinic_settings.add_room(database, admin, clash)
        assert refused.value.field == "room"
    with pytest.raises(ValidationError, match="already"):
        clinic_settings.rename_room(database, admin, garden.id, "ROOM 2", shown_name="Garden Room")
    assert _audit_count(database) == before
    renamed = clinic_settings.rename_room(database, admin, garden.id, "River Room", shown_name="Garden Room")
    assert renamed.name == "River Room"
    event = _last_event(database)
    assert (event.action, event.entity, event.entity_id, event.detail) == ("update", "room", garden.id,
                                                                          {"fields": ["name"]})
    # A second administrator still showing the old name is told, not silently overruled.
    with pytest.raises(ConflictError):
        clinic_settings.rename_room(database, admin, garden.id, "Lake Room", shown_name="Garden Room")


def test_new_hours_refuse_a_booking_outside_them(database: Database, admin: Actor, nora: int) -> None:
    settings = _settings(database, admin)
    hours = {"mon": "09:00-18:00", "tue": "09:00-18:00", "wed": "09:00-13:00, 14:00-18:00",
             "thu": "09:00-18:00", "fri": "09:00-18:00", "sat": "", "sun": ""}
    result = clinic_settings.set_opening_hours(database, admin, hours, stamp=settings.stamp)
    assert not result.affected
    stored = _settings(database, admin).clinic.opening_hours
    assert stored["wed"] == [["09:00", "13:00"], ["14:00", "18:00"]] and "sat" not in stored
    at_lunch = BookingRequest(nora, admin.user_id, ROOM_1, datetime(2027, 2, 3, 13, 0), "weekly x2")
    with pytest.raises(ValidationError, match="outside the opening hours"):
        courses.preview_course(database, admin, at_lunch)
    after_lunch = courses.preview_course(database, admin, BookingRequest(nora, admin.user_id, ROOM_1,
                                                                         datetime(2027, 2, 3, 14, 0), "weekly x2"))
    assert after_lunch.ok
    # Saturday is closed now: the calendar shows no Saturday column's hours.
    week = calendar_data.calendar_range(database, admin, date(2027, 2, 1), date(2027, 2, 7))
    assert not week.opening.get(5) and "Clinic closed" in week.closed[date(2027, 2, 6)]


def test_hours_that_leave_visits_outside_say_how_many_and_move_none(database: Database, admin: Actor,
                                                                   nora: int) -> None:
    booked = _book(database, admin, nora, datetime(2027, 2, 3, 16, 0), "weekly x2")
    settings = _settings(database, admin)
    shorter = {day: "09:00-18:00" for day in ("mon", "tue", "thu", "fri")} | {"wed": "09:00-15:00",
                                                                               "sat": "09:00-13:00"}
    before = _audit_count(database)
    with pytest.raises(VisitsAffectedError) as told:
        clinic_settings.set_opening_hours(database, admin, shorter, stamp=settings.stamp)
    assert told.value.affected.count == 2
    assert "2 booked visits (Wed 3 Feb 2027 16:00, Wed 10 Feb 2027 16:00)" in told.value.message
    assert _settings(database, admin).clinic.opening_hours["wed"] == [["09:00", "18:00"]]  # nothing stored
    assert _audit_count(database) == before

    saved = clinic_settings.set_opening_hours(database, admin, shorter, stamp=settings.stamp, affected_seen=2)
    assert saved.affected.appointment_ids == booked
    with database.read() as tx:
        starts = [tx.get(Appointment, n).local_start for n in booked]  # type: ignore[union-attr]
    assert starts == [datetime(2027, 2, 3, 16, 0), datetime(2027, 2, 10, 16, 0)]  # not moved
    event = _last_event(database)
    assert event.detail == {"fields": ["opening_hours"], "weekdays": ["wed"], "visits_outside": list(booked)}
    # The screen still showing the hours as they were is refused.
    with pytest.raises(ConflictError):
        clinic_settings.set_opening_hours(database, admin, shorter | {"sat": ""}, stamp=settings.stamp)


def test_a_visit_types_length_and_fee_are_what_booking_uses(database: Database, admin: Actor, nora: int) -> None:
    follow_up = next(v for v in _settings(database, admin).visit_types if v.code == "follow_up")
    changed = clinic_settings.update_visit_type(
        database, admin, follow_up.id, VisitTypeDraft(follow_up.name, 30, 5, "55.50"), shown=follow_up)
    assert (changed.duration_minutes, changed.changeover_minutes, changed.fee_minor) == (30, 5, 5550)
    assert _last_event(database).detail == {"fields": ["changeover_minutes", "duration_minutes", "fee_minor"]}
    ids = _book(database, admin, nora, WEDNESDAY, "weekly x3")
    with database.read() as tx:
        lengths = [tx.get(Appointment, n).duration_minutes for n in ids]  # type: ignore[union-attr]
    assert lengths == [60, 30, 30]
    with pytest.raises(ConflictError):  # shown before the change
        clinic_settings.update_visit_type(database, admin, follow_up.id,
                                          VisitTypeDraft(follow_up.name, 40, 5, "55.50"), shown=follow_up)


def test_a_new_fee_does_not_reprice_visits_booked_before_it(database: Database, admin: Actor, nora: int) -> None:
    """Receipts print the fee a visit was booked at (migration 0016), not its type's fee as it is today."""
    from acudesk.services import documents

    before = _book(database, admin, nora, WEDNESDAY, "weekly x2")
    follow_up = next(v for v in _settings(database, admin).visit_types if v.code == "follow_up")
    clinic_settings.update_visit_type(database, admin, follow_up.id,
                                      VisitTypeDraft(follow_up.name, 45, 10, "55.50"), shown=follow_up)
    after = _book(database, admin, nora, datetime(2027, 3, 3, 10, 0), "weekly x2")
    fees = [documents.receipt_data(database, admin, nora, n).charges[0].amount_minor for n in before + after]
    assert fees == [6500, 5000, 6500, 5550]


def test_visit_types_are_added_and_retired_but_course_types_stay(database: Database, admin: Actor) -> None:
    cupping = clinic_settings.add_visit_type(database, admin, VisitTypeDraft("Cupping (30 min)", 30, 10, "35"))
    assert (cupping.code, cupping.fee_minor, cupping.active) == ("cupping_30_min", 3500, True)
    retired = clinic_settings.set_visit_type_in_use(database, admin, cupping.id, False)
    assert not retired.active
    first = next(v for v in _settings(database, admin).visit_types if v.code == "first")
    with pytest.raises(ValidationError, match="change its length or fee instead"):
        clinic_settings.set_visit_type_in_use(database, admin, first.id, False)
    with database.read() as tx:
        assert tx.get(VisitType, first.id).active  # type: ignore[union-attr]


# -- closures over booked visits ------------------------------------------------------------------------
def test_a_closure_over_booked_visits_lists_them_and_saves_once_seen(database: Database, admin: Actor,
                                                                    nora: int) -> None:
    booked = _book(database, admin, nora, WEDNESDAY, "weekly x4")
    draft = ClosureDraft(date(2027, 2, 10), date(2027, 2, 17), "Burst pipe")
    with pytest.raises(VisitsAffectedError) as told:
        clinic_settings.add_closure(database, admin, draft)
    assert told.value.affected.appointment_ids == booked[1:3]
    assert told.value.message.startswith(
        "The closure covers 2 booked visits (Wed 10 Feb 2027 10:00, Wed 17 Feb 2027 10:00).")
    with pytest.raises(VisitsAffectedError):  # a wrong count is not a confirmation
        clinic_settings.add_closure(database, admin, draft, affected_seen=1)
    with database.read() as tx:
        assert tx.scalar(select(func.count(Closure.id))) == 0

    saved = clinic_settings.add_closure(database, admin, draft, affected_seen=2)
    assert saved.closure is not None and saved.affected.count == 2
    event = _last_event(database)
    assert (event.action, event.entity, event.detail["visits_covered"]) == ("create", "closure", list(booked[1:3]))
    assert "Burst pipe" not in str(event.detail)  # free text stays out of the audit trail
    with database.read() as tx:
        statuses = [tx.get(Appointment, n).status for n in booked]  # type: ignore[union-attr]
    assert statuses == ["booked"] * 4  # never cancelled or moved behind the front desk's back

    # Another practitioner's leave covers none of them.
    other = clinic_settings.add_closure(
        database, admin, ClosureDraft(date(2027, 2, 10), date(2027, 2, 10), "Leave", user_id=_practitioner(database)))
    assert not other.affected


def _practitioner(database: Database) -> int:
    from acudesk.services import auth
    from acudesk.services.clinic import default_actor

    user = auth.create_user(database, default_actor(database), "hsato", "Hana Sato", (PRACTITIONER,),
                            "long enough pass")
    return user.id


def test_a_removed_closure_opens_the_day_again_and_is_audited(database: Database, admin: Actor) -> None:
    saved = clinic_settings.add_closure(database, admin, ClosureDraft(date(2027, 2, 10), date(2027, 2, 11), "Snow"))
    assert saved.closure is not None
    clinic_settings.remove_closure(database, admin, saved.closure.id)
    event = _last_event(database)
    assert (event.action, event.entity, event.entity_id, event.detail) == (
        "delete", "closure", saved.closure.id, {"starts_on": "2027-02-10", "ends_on": "2027-02-11", "user_id": None})
    week = calendar_data.calendar_range(database, admin, date(2027, 2, 8), date(2027, 2, 14))
    assert date(2027, 2, 10) not in week.closed
    with pytest.raises(NotFoundError, match="removed already"):
        clinic_settings.remove_closure(database, admin, saved.closure.id)


# -- the clinic's details -------------------------------------------------------------------------------
def test_details_and_currency_are_saved_and_audited_by_field(database: Database, admin: Actor) -> None:
    settings = _settings(database, admin)
    details = ClinicDetails("Riverside Acupuncture", "1 Mill Lane\nYork", "01904 000000", "desk@example.org", "eur")
    stamp = clinic_settings.update_clinic_details(database, admin, details, stamp=settings.stamp)
    after = _settings(database, admin)
    assert (after.clinic.name, after.clinic.currency, after.stamp) == ("Riverside Acupuncture", "EUR", stamp)
    assert _last_event(database).detail == {"fields": ["address", "currency", "email", "name", "phone"]}
    with pytest.raises(ConflictError):
        clinic_settings.update_clinic_details(database, admin, details, stamp=settings.stamp)


def test_a_currency_change_over_recorded_amounts_says_how_many_first(database: Database, admin: Actor,
                                                                     nora: int) -> None:
    """Nothing is converted: with visits priced in GBP, the change to EUR is saved only once seen."""
    _book(database, admin, nora, WEDNESDAY, "weekly x2")
    settings = _settings(database, admin)
    euros = ClinicDetails(settings.clinic.name, "", "", "", "EUR")
    with pytest.raises(CurrencyInUseError) as told:
        clinic_settings.update_clinic_details(database, admin, euros, stamp=settings.stamp)
    assert (told.value.count, told.value.field) == (2, "currency")
    assert told.value.message == ("2 visits and payments are already recorded in GBP. AcuDesk does not convert "
                                  "amounts: their receipts would show the same numbers in EUR.")
    assert _settings(database, admin).clinic.currency == "GBP"
    clinic_settings.update_clinic_details(database, admin, euros, stamp=settings.stamp, priced_seen=2)
    assert _settings(database, admin).clinic.currency == "EUR"
    assert _last_event(database).detail == {"fields": ["currency"], "priced_records": 2}


# -- bad input: field-named, nothing stored ----------------------------------------------------------------
@pytest.mark.parametrize(("fee", "field_message"), [
    ("NaN", "The fee must be an amount"), ("inf", "The fee must be an amount"), ("-5", "cannot be negative"),
    ("12.345", "at most two decimals"), ("1e9", "typing mistake"), ("sixty", "not an amount"),
])
def test_a_bad_fee_is_refused_and_nothing_stored(database: Database, admin: Actor, fee: str,
                                                  field_message: str) -> None:
    before = _settings(database, admin)
    with pytest.raises(ValidationErrors) as refused:
        clinic_settings.add_visit_type(database, admin, VisitTypeDraft("Cupping", 30, 10, fee))
    assert [(e.field, field_message in e.message) for e in refused.value.errors] == [("fee", True)]
    assert _settings(database, admin).visit_types == before.visit_types


def test_bad_lengths_and_names_are_named_together(database: Database, admin: Actor) -> None:
    with pytest.raises(ValidationErrors) as refused:
        clinic_settings.add_visit_type(database, admin, VisitTypeDraft("  ", 0, 10, "NaN"))
    assert [e.field for e in refused.value.errors] == ["name", "duration", "fee"]


@pytest.mark.parametrize(("wednesday", "message"), [
    ("09:00-13:00, 12:30-18:00", "Wednesday: 12:30 falls inside the span before it; the spans overlap."),
    ("18:00-09:00", "Wednesday: '18:00-09:00' ends before it starts."),
    ("9 to 5", "Wednesday: '9 to 5' is not like 09:00-13:00."),
    ("09:00-25:00", "Wednesday: '09:00-25:00' is not a time of day."),
])
def test_bad_hours_name_the_day_and_store_nothing(database: Database, admin: Actor, wednesday: str,
                                                  message: str) -> None:
    settings = _settings(database, admin)
    with pytest.raises(ValidationErrors) as refused:
        clinic_settings.set_opening_hours(database, admin, {"mon": "09:00-18:00", "wed": wednesday},
                                          stamp=settings.stamp)
    assert [(e.field, e.message) for e in refused.value.errors] == [("hours_wed", message)]
    assert _settings(database, admin).clinic.opening_hours == settings.clinic.opening_hours


def test_a_clinic_never_open_is_refused(database: Database, admin: Actor) -> None:
    with pytest.raises(ValidationError, match="at least one day"):
        clinic_settings.set_opening_hours(database, admin, {}, stamp=_settings(database, admin).stamp)


@pytest.mark.parametrize(("currency", "message"), [
    ("XYZ", "'XYZ' is not a currency in use"), ("pounds", "is not a currency in use"),
    ("DEM", "is not a currency in use"),  # the Deutsche Mark: ISO 4217 no longer lists it as in use
    ("JPY", "has 0 decimals and is not supported yet"),
])
def test_an_unknown_or_unsupported_currency_is_refused(database: Database, admin: Actor, currency: str,
                                                       message: str) -> None:
    settings = _settings(database, admin)
    details = ClinicDetails("Riverside Acupuncture", "", "", "not-an-address", currency)
    with pytest.raises(ValidationErrors) as refused:
        clinic_settings.update_clinic_details(database, admin, details, stamp=settings.stamp)
    by_field = {e.field: e.message for e in refused.value.errors}
    assert set(by_field) == {"currency", "email"} and message in by_field["currency"]
    assert _settings(database, admin).clinic == settings.clinic


def test_a_closure_ending_before_it_starts_is_refused(database: Database, admin: Actor) -> None:
    with pytest.raises(ValidationErrors) as refused:
        clinic_settings.add_closure(database, admin, ClosureDraft(date(2027, 2, 10), date(2027, 2, 9), " "))
    assert [e.field for e in refused.value.errors] == ["ends_on", "reason"]
    with pytest.raises(ValidationError, match="active practitioner"):
        clinic_settings.add_closure(database, admin, ClosureDraft(date(2027, 2, 10), date(2027, 2, 10), "Away",
                                                                  user_id=99_999))
    with database.read() as tx:
        assert tx.scalar(select(func.count(Closure.id))) == 0


# -- broadcast and permissions --------------------------------------------------------------------------
def test_each_write_marks_the_clinic_for_the_screens(database: Database, admin: Actor) -> None:
    writes = [
        lambda: clinic_settings.add_room(database, admin, "Garden Room"),
        lambda: clinic_settings.add_closure(database, admin, ClosureDraft(date(2027, 3, 1), date(2027, 3, 1), "Audit")),
        lambda: clinic_settings.set_opening_hours(database, admin, {"mon": "10:00-16:00"},
                                                  stamp=_settings(database, admin).stamp),
        lambda: clinic_settings.remove_closure(database, admin, _settings(database, admin).closures[0].id),
    ]
    for write in writes:
        with recording_changes() as log:
            write()
        assert log.changes.clinic, log.changes.describe()


@pytest.mark.parametrize("role", [RECEPTIONIST, PRACTITIONER])
def test_only_administrators_change_settings(database: Database, admin: Actor, sign_in_as, role: str) -> None:
    someone = sign_in_as(role)
    settings = _settings(database, admin)
    attempts = [
        lambda: clinic_settings.clinic_settings(database, someone),
        lambda: clinic_settings.add_room(database, someone, "Garden Room"),
        lambda: clinic_settings.set_room_in_use(database, someone, ROOM_1, False),
        lambda: clinic_settings.rename_room(database, someone, ROOM_1, "Big Room", shown_name="Room 1"),
        lambda: clinic_settings.set_opening_hours(database, someone, {"mon": "09:00-10:00"}, stamp=settings.stamp),
        lambda: clinic_settings.add_closure(database, someone, ClosureDraft(date(2027, 2, 1), date(2027, 2, 1), "x")),
        lambda: clinic_settings.add_visit_type(database, someone, VisitTypeDraft("Cupping", 30, 10, "35")),
        lambda: clinic_settings.update_clinic_details(
            database, someone, ClinicDetails("Mine now", "", "", "", "GBP"), stamp=settings.stamp),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError):
            attempt()
    assert _settings(database, admin) == settings


def test_affected_visits_are_listed_in_the_apps_date_style_each_day_once() -> None:
    affected = clinic_settings.AffectedVisits(
        (1, 2, 3, 4, 5, 6), (datetime(2027, 2, 3, 9, 0), datetime(2027, 2, 3, 10, 0), datetime(2027, 2, 4, 9, 0)))
    assert affected.describe() == "6 booked visits (Wed 3 Feb 2027 09:00, 10:00, Thu 4 Feb 2027 09:00, …)"
    one = clinic_settings.AffectedVisits((7,), (datetime(2027, 2, 3, 9, 0),))
    assert one.describe() == "1 booked visit (Wed 3 Feb 2027 09:00)"
