"""The type-ahead search returns exactly what a plain reading of the rules gives, in list order.

The service builds index-shaped SQL (merged index walks for names: two on SQLite, three limited
ones on PostgreSQL, split at the family-name range; initials expressions for given names; phones in
number order); this checks it against a reference written the obvious way in Python, over a register
full of shared prefixes and range edges, on every backend.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from acudesk.domain.patients import PatientDetails, fold
from acudesk.persistence.database import Database
from acudesk.services import patients
from acudesk.services.context import Actor

FAMILIES = ["Ab", "Abbott", "Ma", "Mab", "Mason", "Mäder", "Bam", "Bamber", "Amos", "Mb"]
GIVENS = ["Ab", "Abe", "Mabel", "Mo", "Bea", "Am", "Amelia", "Ma", "Ann", "Mark", "Abb", "Mb"]


@pytest.fixture
def register(database: Database, admin: Actor) -> list[tuple[int, str, str, str, bool]]:
    """60 patients drawn from names that share prefixes; every fifth archived. Returns
    (id, family_key, given_key, phone_key, archived) for the reference."""
    rng = random.Random(7)
    people = []
    for number in range(60):
        details = PatientDetails(
            family_name=rng.choice(FAMILIES), given_name=rng.choice(GIVENS),
            date_of_birth=date(1950 + number % 40, 1 + number % 12, 1 + number % 28),
            phone=f"07700 900{rng.randrange(1000):03d}",
        )
        record = patients.register_patient(database, admin, details, confirm_duplicate=True)
        if number % 5 == 0:
            record = patients.set_archived(database, admin, record.id, True, expected_version=record.version)
        people.append((record.id, fold(details.family_name), fold(details.given_name),
                       record.details.phone.removeprefix("+44"), record.archived))
    return people


def reference_names(people, text: str, include_archived: bool) -> list[int]:
    words = fold(text).split()
    hits = [p for p in people if (include_archived or not p[4])
            and all(p[1].startswith(w) or p[2].startswith(w) for w in words)]
    return [p[0] for p in sorted(hits, key=lambda p: (p[1], p[2], p[0]))]


def reference_phone(people, digits: str, tail: str = "") -> list[int]:
    hits = [p for p in people if not p[4] and (p[3].startswith(digits) or (tail and p[3].endswith(tail)))]
    return [p[0] for p in sorted(hits, key=lambda p: (p[3], p[1], p[2], p[0]))]


NAME_QUERIES = ["", "a", "m", "b", "z", "ab", "ma", "mä", "am", "mab", "abb", "mason", "ma ab", "a m", "m a",
                "ab ab", "mo mab", "bea am", "amelia mason", "MA", "  m  ",
                # edges of the family-name range (a family key equal to the prefix, or to the next
                # prefix: "mb" after "ma"), given names longer than their initials, repeated words
                "mb", "abe", "amel", "mar", "mabel", "bea", "ann", "bamb", "m m", "ab a", "amo ma", "mab mb"]


@pytest.mark.parametrize("include_archived", [False, True])
def test_name_search_matches_the_reference_in_list_order(
    database: Database, admin: Actor, register, include_archived: bool
) -> None:
    for text in NAME_QUERIES:
        expected = reference_names(register, text, include_archived)
        found = patients.search_patient_ids(database, admin, text, include_archived=include_archived)
        assert found == expected, text
        for limit in (1, 3, 10, 25):
            assert patients.search_patient_ids(database, admin, text, include_archived=include_archived,
                                               limit=limit) == expected[:limit], (text, limit)


def test_phone_search_lists_in_number_order(database: Database, admin: Actor, register) -> None:
    for typed, digits in [("07700 9", "77009"), ("07700 900 1", "77009001"), ("+44 7700 900", "7700900"),
                          ("0770", "770")]:
        expected = reference_phone(register, digits)
        assert expected, typed
        assert patients.search_patient_ids(database, admin, typed) == expected, typed


def test_the_last_digits_of_a_number_find_it_too(database: Database, admin: Actor, register) -> None:
    """Issue 18: callers quote the end of their number ("it ends 123"); digits typed without a leading 0
    or + match a number's start or its end, in number order, with or without a limit."""
    active = [person for person in register if not person[4]]
    for person in active[:5]:
        tail = person[3][-3:]
        expected = reference_phone(register, tail, tail)
        assert person[0] in expected
        assert patients.search_patient_ids(database, admin, tail) == expected, tail
        assert patients.search_patient_ids(database, admin, tail, limit=2) == expected[:2], tail
    assert patients.search_patient_ids(database, admin, "07" + active[0][3][-3:]) == []  # a start, not an end


def test_search_patients_returns_the_ids_and_the_first_rows_in_one_answer(
    database: Database, admin: Actor, register
) -> None:
    answer = patients.search_patients(database, admin, "ma", limit=20, first_rows=5)
    assert answer.ids == reference_names(register, "ma", False)[:20]
    assert [row.id for row in answer.rows] == answer.ids[:5]
    assert patients.search_patients(database, admin, "zzz", first_rows=5) == patients.PatientSearch([], [])


def test_one_and_two_letter_searches_walk_the_list_order_indexes(database: Database, admin: Actor) -> None:
    """On SQLite the plan must merge two ordered index walks: no sort of every match."""
    if not database.is_sqlite:
        pytest.skip("query plans are SQLite's")
    from acudesk.domain.patient_search import parse_query

    for text, index in [("m", "ix_patients_active_given1"), ("ma", "ix_patients_active_given2")]:
        statement, params = patients._search_statement(parse_query(text), False, 1001, dialect="sqlite")
        compiled = statement.compile(database.engine)
        values = compiled.construct_params(params)
        with database.engine.connect() as connection:
            plan = [row[3] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + str(compiled), tuple(values[k] for k in compiled.positiontup or ()))]
        assert any("MERGE" in step for step in plan), plan
        assert any("ix_patients_active_family" in step for step in plan), plan
        assert any(index in step for step in plan), plan
        assert not any("TEMP B-TREE" in step for step in plan), plan


def test_an_archived_patient_leaves_the_default_search_at_once(database: Database, admin: Actor) -> None:
    details = PatientDetails(family_name="Mason", given_name="Ann", date_of_birth=date(1980, 1, 1))
    record = patients.register_patient(database, admin, details)
    other = patients.register_patient(database, admin, replace(details, given_name="Mark"))
    patients.set_archived(database, admin, record.id, True, expected_version=record.version)
    assert patients.search_patient_ids(database, admin, "m") == [other.id]
    assert patients.search_patient_ids(database, admin, "a") == []
    assert patients.search_patient_ids(database, admin, "a", include_archived=True) == [record.id]


def test_dates_and_phones_are_read_by_the_clinics_country(database: Database, admin: Actor) -> None:
    """A name search skips the query for the clinic's country; a date or a phone number still reads it."""
    from sqlalchemy import update

    from acudesk.persistence.models import Clinic

    born_7_march = patients.register_patient(database, admin, PatientDetails(
        family_name="Mason", given_name="Ann", date_of_birth=date(1984, 3, 7)))
    born_3_july = patients.register_patient(database, admin, PatientDetails(
        family_name="Mason", given_name="Mark", date_of_birth=date(1984, 7, 3)))
    assert patients.search_patient_ids(database, admin, "3/7/1984") == [born_3_july.id]
    with database.write() as tx:
        tx.execute(update(Clinic).values(country="US"))
    assert patients.search_patient_ids(database, admin, "3/7/1984") == [born_7_march.id]
    assert patients.search_patient_ids(database, admin, "mason") == [born_7_march.id, born_3_july.id]


def test_every_search_is_planned_for_its_values(database: Database, admin: Actor, register) -> None:
    """On PostgreSQL no search statement may become a prepared statement, whose generic plan can be ten
    times slower for some names (docs/performance.md, "PostgreSQL"): psycopg prepares a statement on
    its fifth run and forgets the count at each rollback, which ends every read transaction."""
    if database.is_sqlite:
        pytest.skip("prepared statements are PostgreSQL's")
    from sqlalchemy import text

    for _ in range(8):
        for typed in ("m", "ma", "mason", "ma ab", "07700 9", ""):
            patients.search_patients(database, admin, typed, limit=1001, first_rows=80)
    with database.read() as tx:
        prepared = tx.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
    assert not [sql for sql in prepared if "patients" in sql], prepared


@pytest.mark.parametrize(("family", "given"), [
    ("王", "小明"), ("김", "민준"), ("山田", "花子"), ("العلي", "محمد"), ("כהן", "נועה"), ("Παπαδόπουλος", "Νίκος"),
    ("van der Berg", "Anna Maria"), ("O'Neill-Ó Briain", "Siobhán"), ("Müller", "Jörg"),
])
def test_the_search_text_for_a_patient_finds_them(database: Database, admin: Actor, family: str, given: str) -> None:
    """A visit's "Open patient" types ``search_text_for`` the patient when the list hides them; the
    name as written for people ("王小明", a right-to-left name between direction marks) finds nobody."""
    from acudesk.domain.patient_search import search_text_for
    from acudesk.domain.patients import full_name

    wanted = patients.register_patient(database, admin, PatientDetails(family, given, date(1980, 1, 2))).id
    patients.register_patient(database, admin, PatientDetails("Quill", "Nora", date(1979, 5, 14)))
    assert patients.search_patient_ids(database, admin, search_text_for(family, given)) == [wanted]
    if family in ("王", "العلي"):
        assert wanted not in patients.search_patient_ids(database, admin, full_name(given, family))
