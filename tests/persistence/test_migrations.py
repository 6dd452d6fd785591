"""The migrations build exactly the ORM's schema, and start-up guards against surprises."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from acudesk.domain.errors import DatabaseError
from acudesk.persistence.database import Database
from acudesk.persistence.migrations import KNOWN_REVISIONS, SCHEMA_HEAD, alembic_config, stored_revision
from acudesk.persistence.models import Base
from acudesk.persistence.search_indexes import ACTIVE_SEARCH_INDEXES
from acudesk.persistence.visit_guards import visit_rules
from acudesk.services.maintenance import open_database


def _not_raw_ddl(name, type_, _parent_names) -> bool:
    """The partial search indexes and the schedule's rules are DDL beside the models
    (persistence/search_indexes.py, persistence/visit_guards.py)."""
    raw = set(ACTIVE_SEARCH_INDEXES) | {rule.name for d in ("sqlite", "postgresql") for rule in visit_rules(d)}
    return not (type_ in ("index", "unique_constraint") and name in raw)


def test_the_partial_search_indexes_exist_after_migrating(empty_database: Database) -> None:
    catalogue = ("SELECT name FROM sqlite_master WHERE type = 'index'" if empty_database.is_sqlite
                 else "SELECT indexname FROM pg_indexes WHERE tablename = 'patients'")
    with empty_database.engine.connect() as connection:
        names = set(connection.scalars(text(catalogue)))
    assert set(ACTIVE_SEARCH_INDEXES) <= names


def test_migrating_an_empty_database_gives_exactly_the_orm_schema(empty_database: Database) -> None:
    with empty_database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _not_raw_ddl})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_schema_head_constant_matches_alembic_history(empty_database: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config(empty_database))
    history = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    assert tuple(history) == KNOWN_REVISIONS
    assert script.get_current_head() == SCHEMA_HEAD
    assert stored_revision(empty_database) == SCHEMA_HEAD


def test_a_database_from_a_newer_acudesk_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    open_database(path).dispose()
    database = Database.open(path)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    database.dispose()
    with pytest.raises(DatabaseError, match="newer AcuDesk"):
        open_database(path)
    database = Database.open(path)
    assert stored_revision(database) == "9999"
    database.dispose()


def test_an_older_database_is_backed_up_before_upgrading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import acudesk.persistence.migrations as migrations

    path = tmp_path / "clinic.sqlite3"
    open_database(path).dispose()
    # Pretend this AcuDesk knows one more revision than the file has.
    monkeypatch.setattr(migrations, "KNOWN_REVISIONS", (*KNOWN_REVISIONS, "9998"))
    monkeypatch.setattr(migrations, "SCHEMA_HEAD", "9998")
    monkeypatch.setattr("alembic.command.upgrade", lambda config, revision: None)
    database = Database.open(path)
    backup = migrations.upgrade_to_head(database)
    database.dispose()
    assert backup is not None and backup.is_file()
    assert "before-schema-9998" in backup.name


def test_a_file_that_is_not_a_database_gets_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are not the records you are looking for")
    with pytest.raises(DatabaseError, match="not an AcuDesk database"):
        open_database(path)
    assert path.read_text().startswith("these are not")


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    database = open_database(tmp_path / "pragmas.sqlite3")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    database.dispose()


def _at_0006_with_visits(database: Database, visits: list[tuple[int, str, int | None]]) -> list[int]:
    """The test clinic, downgraded to 0006, holding ``visits`` (patient number, UTC start, room id)
    of one practitioner, written with plain SQL as an older AcuDesk could have."""
    from datetime import date

    from alembic import command

    from acudesk.domain.patients import PatientDetails
    from acudesk.services import patients
    from acudesk.services.clinic import create_clinic, default_actor
    from tests.conftest import TEST_SETUP

    create_clinic(database, TEST_SETUP)
    admin = default_actor(database)
    ids = [patients.register_patient(database, admin, PatientDetails(f"Vale{n}", "Io", date(1990, 1, 1))).id
           for n in range(3)]
    config = alembic_config(database)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    with database.engine.begin() as connection:
        first_type = connection.scalar(text("SELECT id FROM visit_types WHERE code = 'first'"))
        for patient, start, room in visits:
            connection.execute(text(
                "INSERT INTO appointments (patient_id, practitioner_id, room_id, visit_type_id, local_start, "
                "start_utc, duration_minutes, status, move_reason, cancel_reason, late_cancellation, version, "
                "created_at, updated_at) VALUES (:patient, :practitioner, :room, :type, :start, :start, 45, "
                "'booked', '', '', false, 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00')"
            ), {"patient": ids[patient], "practitioner": admin.user_id, "room": room, "type": first_type,
                "start": start})
    return ids


def test_a_database_with_clashing_visits_is_not_upgraded_and_is_told_which(empty_database: Database) -> None:
    """Before migration 0007 two workstations on PostgreSQL could book one slot; the upgrade names them."""
    from acudesk.persistence.migrations import upgrade_to_head

    _at_0006_with_visits(empty_database, [(0, "2026-12-07 10:00:00", None), (1, "2026-12-07 10:00:00", None)])
    with pytest.raises(DatabaseError, match=r"visit \d+ \(practitioner already busy, 2026-12-07 10:00"):
        upgrade_to_head(empty_database)
    assert stored_revision(empty_database) == "0006"


def test_older_visits_whose_changeover_runs_into_the_next_keep_their_room(empty_database: Database) -> None:
    """Back-to-back visits in one room were allowed before 0007 counted the changeover in the database."""
    from acudesk.persistence.migrations import upgrade_to_head

    _at_0006_with_visits(empty_database, [(0, "2026-12-07 10:00:00", 1), (1, "2026-12-07 11:45:00", 1),
                                          (2, "2026-12-07 12:30:00", 1)])
    with empty_database.engine.begin() as connection:
        connection.execute(text("UPDATE visit_types SET changeover_minutes = 15"))
    upgrade_to_head(empty_database)
    with empty_database.engine.connect() as connection:
        changeovers = list(connection.scalars(text("SELECT changeover_minutes FROM appointments ORDER BY start_utc")))
    assert changeovers == [15, 0, 15]


def test_visits_booked_before_0016_keep_their_types_fee(empty_database: Database) -> None:
    """Migration 0016 stores each visit's fee; the visits already booked take their type's fee of the day."""
    from acudesk.persistence.migrations import upgrade_to_head

    _at_0006_with_visits(empty_database, [(0, "2026-12-07 10:00:00", 1)])
    upgrade_to_head(empty_database)
    with empty_database.engine.connect() as connection:
        fees = list(connection.scalars(text("SELECT fee_minor FROM appointments")))
    assert fees == [6500]  # the first visit's fee (services/clinic.DEFAULT_VISIT_TYPES)
