"""Child process for the race tests: one workstation doing the same thing as the others at the same moment.

Usage: python race.py DB_URL MODE WORKER ROUNDS
MODE is "book" (book a visit through the services, practitioner and time shared by every worker),
"register" (register the same patient as every other worker) or "insert" (insert a clashing
appointment row with plain SQL, no service check and no writer lock: only the database's rules).
Prints "ready" once signed in, then waits for a line "go <unix time>" on stdin; round r starts at
that time plus r * SPACING seconds. Prints "won r" or "lost r <kind>" for each round.
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from acudesk.domain.errors import ConflictError, DuplicateError
from acudesk.domain.patients import PatientDetails
from acudesk.persistence.database import Database
from acudesk.persistence.models import Patient, User
from acudesk.persistence.visit_guards import broken_rule
from acudesk.services import auth, patients
from acudesk.services.courses import BookingRequest, book_course, preview_course
from acudesk.services.scheduling import ScheduleConflictError

SPACING = 0.4
FIRST_DAY = datetime(2027, 2, 1, 10, 0)  # a Monday, no holiday in England


def _start(round_number: int) -> datetime:
    return FIRST_DAY + timedelta(days=round_number // 4 * 7 + round_number % 4, hours=round_number % 3)


def main() -> int:
    url, mode, worker, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    database = Database.open(url)
    actor = auth.sign_in(database, "admin", "correct horse battery")
    with database.read() as tx:
        mine = tx.scalars(select(Patient.id).where(Patient.given_name == f"Worker{worker}")).one()
        practitioner = tx.scalars(select(User.id).order_by(User.id)).first()
    # Like a receptionist, each worker first previews its visits (all free at that moment), then
    # books exactly what it was shown, at the same instant as the others.
    shown = {r: preview_course(database, actor, BookingRequest(mine, practitioner, None, _start(r), "weekly x1"))
             for r in range(rounds)} if mode == "book" else {}
    print("ready", flush=True)
    go = float(sys.stdin.readline().split()[1])
    for r in range(rounds):
        time.sleep(max(0.0, go + r * SPACING - time.time()))
        start = _start(r)
        try:
            if mode == "book":
                assert shown[r].ok and shown[r].visits[0].local_start == start
                book_course(database, actor, shown[r].booking())
            elif mode == "register":
                patients.register_patient(database, actor, PatientDetails(f"Racer{r}", "Same", date(1970, 1, 1)))
            else:
                with database.engine.begin() as connection:
                    connection.execute(text(
                        "INSERT INTO appointments (patient_id, practitioner_id, local_start, start_utc, "
                        "duration_minutes, changeover_minutes, status, move_reason, cancel_reason, "
                        "late_cancellation, version, created_at, updated_at) VALUES (:patient, :practitioner, "
                        ":start, :start, 45, 0, 'booked', '', '', false, 1, :start, :start)"
                    ), {"patient": mine, "practitioner": practitioner, "start": start})
            print(f"won {r}", flush=True)
        except ScheduleConflictError:
            print(f"lost {r} conflict", flush=True)
        except DuplicateError:
            print(f"lost {r} duplicate", flush=True)
        except ConflictError:
            print(f"lost {r} stale", flush=True)
        except IntegrityError as error:
            print(f"lost {r} {broken_rule(error)}", flush=True)
        except OperationalError as error:
            # Plain SQL only: two inserts waiting on each other's exclusion check; PostgreSQL rolls one back.
            if "deadlock detected" not in str(error):
                raise
            print(f"lost {r} deadlock", flush=True)
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
