"""Several workstations doing the same thing at the same moment, as real processes on one database.

Run on SQLite and, when ACUDESK_TEST_DATABASE_URL is set, on PostgreSQL. Each round every worker
tries the same thing at the same instant: exactly one wins, the others get the message a person
would (the slot was just taken, this patient is already registered), and the database holds
exactly one of each afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Appointment, Patient
from acudesk.services import patients
from acudesk.services.audit import verify_chain
from acudesk.services.context import Actor

CHILD = Path(__file__).parent / "children" / "race.py"
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4
ROUNDS = 8


def _race(database: Database, admin: Actor, mode: str) -> list[list[str]]:
    """Start the workers, let them race ROUNDS times; each worker's output lines."""
    for worker in range(WORKERS):
        details = PatientDetails("Racer", f"Worker{worker}", date(1960, 1, 1 + worker))
        patients.register_patient(database, admin, details)
    url = database.engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    children = [
        subprocess.Popen([sys.executable, str(CHILD), url, mode, str(n), str(ROUNDS)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for n in range(WORKERS)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready", child.communicate()[1]
    go = time.time() + 0.5
    for child in children:  # every worker hears "go" before any round starts
        assert child.stdin is not None
        child.stdin.write(f"go {go}\n")
        child.stdin.flush()
    outputs = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert "Traceback" not in err, err
        outputs.append(out.split("\n"))
    return [[line for line in out if line] for out in outputs]


def _winners(outputs: list[list[str]]) -> Counter[int]:
    return Counter(int(line.split()[1]) for out in outputs for line in out if line.startswith("won"))


def _losses(outputs: list[list[str]]) -> Counter[str]:
    return Counter(line.split()[2] for out in outputs for line in out if line.startswith("lost"))


def test_workstations_booking_the_same_slot_give_exactly_one_booking(database: Database, admin: Actor) -> None:
    outputs = _race(database, admin, "book")
    assert _winners(outputs) == Counter({r: 1 for r in range(ROUNDS)}), outputs
    assert _losses(outputs) == Counter({"conflict": ROUNDS * (WORKERS - 1)}), outputs
    with database.read() as tx:
        booked = tx.scalar(select(func.count()).select_from(Appointment).where(Appointment.status == "booked"))
        assert booked == ROUNDS
        assert verify_chain(tx).ok


def test_workstations_registering_the_same_patient_make_one_record(database: Database, admin: Actor) -> None:
    outputs = _race(database, admin, "register")
    assert _winners(outputs) == Counter({r: 1 for r in range(ROUNDS)}), outputs
    assert _losses(outputs) == Counter({"duplicate": ROUNDS * (WORKERS - 1)}), outputs
    with database.read() as tx:
        racers = tx.scalars(select(Patient.family_name).where(Patient.given_name == "Same"))
        assert Counter(racers) == Counter({f"Racer{r}": 1 for r in range(ROUNDS)})
        assert verify_chain(tx).ok


def test_plain_sql_racing_past_the_services_still_cannot_double_book(database: Database, admin: Actor) -> None:
    """No service check and no writer lock: the database's own rules pick one winner per slot. On
    PostgreSQL two inserts can each wait for the other's exclusion check; the server then rolls one
    back as a deadlock, which is a loss too (AcuDesk's own writers queue and never meet this)."""
    outputs = _race(database, admin, "insert")
    assert _winners(outputs) == Counter({r: 1 for r in range(ROUNDS)}), outputs
    assert set(_losses(outputs)) <= {"appointments_practitioner_no_overlap", "deadlock"}, outputs
    assert "appointments_practitioner_no_overlap" in _losses(outputs), outputs
    with database.read() as tx:
        assert tx.scalar(select(func.count()).select_from(Appointment)) == ROUNDS

