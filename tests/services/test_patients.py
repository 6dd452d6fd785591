"""A receptionist's day with the patient registry, through the service layer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from acudesk.domain.errors import ConflictError, DuplicateError, NotFoundError, ValidationErrors
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import AuditEvent
from acudesk.services import patients
from acudesk.services.context import Actor

ALICE = PatientDetails(
    family_name="Ashworth",
    given_name="Alice",
    date_of_birth=date(1984, 3, 7),
    phone="07700 900123",
    email="alice.ashworth@example.org",
    consent_to_treatment=True,
    consent_date=date(2026, 1, 5),
)


def test_registering_a_patient_stores_clean_details_and_audits(database: Database, admin: Actor) -> None:
    record = patients.register_patient(database, admin, ALICE)
    assert record.details.phone == "+447700900123"
    assert record.version == 1
    again = patients.get_patient(database, admin, record.id)
    assert again.details == record.details
    with database.read() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == record.id)).all()
    assert actions == ["create"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"family_name": "  "}, "family_name"),
        ({"given_name": ""}, "given_name"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"date_of_birth": date.today() + timedelta(days=400)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"phone": "12"}, "phone"),
        ({"email": "alice@"}, "email"),
        ({"consent_date": None}, "consent_date"),
    ],
)
def test_invalid_details_are_refused_with_the_field_named(
    database: Database, admin: Actor, change: dict, field: str
) -> None:
    with pytest.raises(ValidationErrors) as caught:
        patients.register_patient(database, admin, replace(ALICE, **change))
    assert field in {error.field for error in caught.value.errors}
    assert patients.search_patient_ids(database, admin, "") == []


def test_every_problem_is_reported_at_once(database: Database, admin: Actor) -> None:
    bad = replace(ALICE, family_name="", email="nope", phone="abc")
    with pytest.raises(ValidationErrors) as caught:
        patients.register_patient(database, admin, bad)
    assert {e.field for e in caught.value.errors} >= {"family_name", "email", "phone"}


def test_same_name_and_birthday_asks_before_creating_a_duplicate(database: Database, admin: Actor) -> None:
    first = patients.register_patient(database, admin, ALICE)
    with pytest.raises(DuplicateError, match=str(first.id)):
        patients.register_patient(database, admin, replace(ALICE, family_name="ASHWORTH "))
    second = patients.register_patient(database, admin, ALICE, confirm_duplicate=True)
    assert second.id != first.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ash", ["Ashworth"]),
        ("ASH ali", ["Ashworth"]),
        ("mül", ["Müller"]),
        ("mul", ["Müller"]),
        ("ben", ["Ashworth", "Müller"]),  # a given name Ben and a family name? see data below
        ("1984-03-07", ["Ashworth"]),
        ("7/3/1984", ["Ashworth"]),
        ("07700 900", ["Ashworth"]),
        ("+44 7700 900", ["Ashworth"]),
        ("zzz", []),
        ("%", []),
        ("_", []),
    ],
)
def test_type_ahead_search_by_name_birthday_and_phone(
    database: Database, admin: Actor, text: str, expected: list[str]
) -> None:
    patients.register_patient(database, admin, ALICE)
    patients.register_patient(database, admin, replace(ALICE, given_name="Ben", date_of_birth=date(1990, 1, 1),
                                                        phone="", email=""))
    patients.register_patient(
        database, admin,
        PatientDetails(family_name="Müller", given_name="Benedikt", date_of_birth=date(1975, 11, 30)),
    )
    ids = patients.search_patient_ids(database, admin, text)
    rows = patients.patient_rows(database, admin, ids)
    assert sorted({row.family_name for row in rows}) == expected


def test_search_lists_in_name_order_and_rows_come_back_in_the_order_asked(database: Database, admin: Actor) -> None:
    for family in ("Young", "Abbott", "Mason"):
        patients.register_patient(database, admin, replace(ALICE, family_name=family, phone="", email=""))
    ids = patients.search_patient_ids(database, admin, "")
    assert [r.family_name for r in patients.patient_rows(database, admin, ids)] == ["Abbott", "Mason", "Young"]
    assert [r.id for r in patients.patient_rows(database, admin, list(reversed(ids)))] == list(reversed(ids))


def test_archived_patients_are_hidden_unless_asked_for_and_never_deleted(database: Database, admin: Actor) -> None:
    record = patients.register_patient(database, admin, ALICE)
    archived = patients.set_archived(database, admin, record.id, True, expected_version=record.version)
    assert archived.archived and archived.archived_at is not None
    assert patients.search_patient_ids(database, admin, "ash") == []
    assert patients.search_patient_ids(database, admin, "ash", include_archived=True) == [record.id]
    restored = patients.set_archived(database, admin, record.id, False, expected_version=archived.version)
    assert patients.search_patient_ids(database, admin, "ash") == [record.id]
    assert not restored.archived


def test_the_second_of_two_concurrent_edits_gets_a_conflict(database: Database, admin: Actor) -> None:
    record = patients.register_patient(database, admin, ALICE)
    # Two receptionists open the same record (same version) and both save.
    patients.update_patient(database, admin, record.id, replace(record.details, address="1 High St"),
                            expected_version=record.version)
    with pytest.raises(ConflictError, match="Someone else"):
        patients.update_patient(database, admin, record.id, replace(record.details, address="2 Low Rd"),
                                expected_version=record.version)
    assert patients.get_patient(database, admin, record.id).details.address == "1 High St"


def test_an_edit_audits_only_the_changed_field_names(database: Database, admin: Actor) -> None:
    record = patients.register_patient(database, admin, ALICE)
    patients.update_patient(database, admin, record.id, replace(record.details, email="a@example.com"),
                            expected_version=record.version)
    with database.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert event.detail == {"fields": ["email"]}
    assert "example.com" not in str(event.detail)


def test_missing_patient_is_a_clear_error(database: Database, admin: Actor) -> None:
    with pytest.raises(NotFoundError, match="no patient no. 999"):
        patients.get_patient(database, admin, 999)


@pytest.mark.parametrize("text", ["a", "ab", "ben", "a b", "zzz", "mül", "ash ali"])
@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_a_bounded_search_returns_exactly_the_first_matches_in_list_order(
    database: Database, admin: Actor, text: str, limit: int
) -> None:
    names = [("Abbott", "Ben"), ("Ashworth", "Alice"), ("Bennett", "Abe"), ("Müller", "Benedikt"),
             ("Abbott", "Anna"), ("Young", "Abigail"), ("Ashworth", "Alan")]
    for family, given in names:
        patients.register_patient(database, admin, replace(ALICE, family_name=family, given_name=given,
                                                           phone="", email=""), confirm_duplicate=True)
    everything = patients.search_patient_ids(database, admin, text)
    assert patients.search_patient_ids(database, admin, text, limit=limit) == everything[:limit]
