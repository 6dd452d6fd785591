"""The audit viewer's list: names are looked up as the log is read; the events keep ids only."""

from __future__ import annotations

from datetime import date

import pytest

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.services import audit, auth, patients
from acudesk.services.context import RECEPTIONIST, Actor

PASSWORD = "a long enough password"


def test_events_come_with_the_patients_and_the_accounts_names(database: Database, admin: Actor) -> None:
    nora = patients.register_patient(database, admin, PatientDetails("Quill", "Nora", date(1984, 2, 9))).id
    jess = auth.create_user(database, admin, "jbrook", "Jess Brook", (RECEPTIONIST,), PASSWORD).id
    rows = audit.list_events(database, admin)
    registered = next(r for r in rows if r.action == "create" and r.entity == "patient")
    added = next(r for r in rows if r.action == "create" and r.entity == "user")
    assert (registered.patient_id, registered.patient_name, registered.user, registered.acted) == (
        nora, "Nora Quill", "Dr Test Admin", True)
    assert (added.entity_id, added.user_name, added.patient_name) == (jess, "Jess Brook", None)
    assert "Quill" not in str(registered.detail)
    assert [r.patient_id for r in audit.list_events(database, admin, patient_id=nora)] == [nora]
    assert {name for _id, name in audit.people(database, admin)} >= {"Dr Test Admin", "Jess Brook"}


def test_a_failed_sign_in_is_nobodys_act_about_the_account(database: Database, admin: Actor) -> None:
    auth.create_user(database, admin, "jbrook", "Jess Brook", (RECEPTIONIST,), PASSWORD)
    with pytest.raises(auth.AuthenticationError):
        auth.sign_in(database, "jbrook", "not her password")
    [failed] = audit.list_events(database, admin, action="login_failed")
    assert (failed.acted, failed.user, failed.user_name) == (False, "(system)", "Jess Brook")
