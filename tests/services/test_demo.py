"""The demo clinic builds, is deterministic, passes every check, and its signed records verify."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from acudesk.domain import scheduling as engine
from acudesk.persistence.models import Appointment, Intake, Patient, SessionRecord, User
from acudesk.services import scheduling
from acudesk.services.demo import build_demo_clinic
from acudesk.services.maintenance import check_database, open_database
from acudesk.services.sessions import seal

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's own config folder: the demo's clinic key (made at set-up) lives there for all its tests."""
    return tmp_path_factory.mktemp("demo-config")


@pytest.fixture(autouse=True)
def _demo_clinic_key(demo_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(demo_config))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_config: Path):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(demo_config))
        database = open_database(path)
        actor = build_demo_clinic(database, patients=40, today=TODAY)
    yield database, path, actor
    database.dispose()


def test_the_demo_clinic_has_staff_patients_and_history(demo) -> None:
    database, _path, actor = demo
    assert actor.display_name == "Dr Mei Chen"
    with database.read() as session:
        assert session.scalar(select(func.count(User.id))) == 4
        assert session.scalar(select(func.count(Patient.id))) == 40
        assert session.scalar(select(func.count(Intake.id))) > 20
        assert session.scalar(select(func.count(SessionRecord.id)).where(SessionRecord.status == "signed")) > 20
        assert session.scalar(select(func.count(Appointment.id)).where(Appointment.status == "booked")) > 5


def test_the_demo_passes_the_integrity_schema_and_audit_checks(demo) -> None:
    _database, path, _actor = demo
    assert check_database(Path(path)).ok


def test_signed_demo_sessions_verify_against_their_digest(demo) -> None:
    database, _path, _actor = demo
    with database.read() as session:
        records = session.scalars(select(SessionRecord).where(SessionRecord.status == "signed")).all()
        assert records and all(seal(r) == r.content_digest for r in records)


def test_the_demo_is_deterministic(tmp_path: Path, demo) -> None:
    other = open_database(tmp_path / "again.sqlite3")
    build_demo_clinic(other, patients=40, today=TODAY)
    database = demo[0]

    def names(db) -> list[tuple[str, str, date]]:
        with db.read() as session:
            return list(session.execute(select(Patient.family_name, Patient.given_name, Patient.date_of_birth)
                                        .order_by(Patient.id)))

    assert names(other) == names(database)
    other.dispose()


def test_the_demo_books_through_the_clinic_calendar(tmp_path: Path) -> None:
    """Issue 13: built on 3 Dec 2026 the demo booked 16 visits each on Christmas Day, Mon 28 Dec (Boxing
    Day observed) and New Year's Day. Every demo visit now meets the calendar a receptionist's booking
    meets: opening hours, public holidays, closures and leave, judged by the same domain check."""
    database = open_database(tmp_path / "calendar.sqlite3")
    build_demo_clinic(database, patients=120, today=date(2026, 12, 3))
    with database.read() as session:
        clinic = scheduling.clinic_row(session)
        zone = scheduling.zone_of(clinic)
        visits = session.scalars(select(Appointment)).all()
        calendar = scheduling.build_calendar(
            session, clinic, min(v.local_start.date() for v in visits), max(v.local_start.date() for v in visits)
        )
    days = {v.local_start.date() for v in visits}
    assert not days & {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
    assert {date(2026, 12, 24), date(2026, 12, 29)} <= days  # the days around them are still booked
    problems = [
        conflict.message
        for v in visits
        for conflict in engine.validate_series(
            [engine.Appointment(v.local_start.replace(tzinfo=zone), timedelta(minutes=v.duration_minutes),
                                timedelta(minutes=v.changeover_minutes), practitioner_id=v.practitioner_id)],
            [], calendar, zone,
        )
    ]
    assert problems == []
    database.dispose()
