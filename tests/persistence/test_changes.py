"""Every committed write reports what it changed; reads and rolled-back writes report nothing."""

from __future__ import annotations

from datetime import date

import pytest

from acudesk.domain.errors import ValidationErrors
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.changes import Changes, recording_changes
from acudesk.persistence.database import Database
from acudesk.services import patients
from acudesk.services.context import Actor


def test_registering_a_patient_reports_the_registry_and_the_patient(database: Database, admin: Actor) -> None:
    with recording_changes() as log:
        record = patients.register_patient(database, admin, PatientDetails("Quill", "Odette", date(1979, 3, 4)))
    assert log.changes.patients and log.changes.audit
    assert not log.changes.schedule and not log.changes.clinical
    assert log.changes.patient_ids == frozenset({record.id})
    assert log.changes.concerns_patient(record.id) and not log.changes.concerns_patient(record.id + 1)


def test_reads_and_refused_writes_change_nothing(database: Database, admin: Actor) -> None:
    patients.register_patient(database, admin, PatientDetails("Quill", "Odette", date(1979, 3, 4)))
    with recording_changes() as log:
        patients.search_patients(database, admin, "quill")
        with pytest.raises(ValidationErrors):
            patients.register_patient(database, admin, PatientDetails("", "", date(1979, 3, 4)))
    assert not log.changes


def test_writes_outside_a_recording_block_are_not_collected(database: Database, admin: Actor) -> None:
    patients.register_patient(database, admin, PatientDetails("Quill", "Odette", date(1979, 3, 4)))
    with recording_changes() as log:
        pass
    assert log.changes == Changes()


def test_changes_merge_and_everything_touches_every_area() -> None:
    merged = Changes(frozenset({"patients"}), frozenset({1})) | Changes(frozenset({"appointments"}), frozenset({2}))
    assert merged.patients and merged.schedule and merged.patient_ids == frozenset({1, 2})
    everything = Changes.all()
    assert everything and everything.clinical and everything.staff and everything.concerns_patient(99)
