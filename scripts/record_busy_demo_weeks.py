"""Record the demo clinic's bookings of a busy month, so tests can book a course among them.

Usage: .venv/bin/python scripts/record_busy_demo_weeks.py [OUT.json]

Builds the demo clinic (300 patients, the demo's seed) as it was on Thursday 3 December 2026, the day
issue 14 was found, and writes every active booking from Monday 7 December 2026 to Sunday 3 January
2027: wall-clock start, length, changeover, practitioner (username), room (name) and an anonymous
patient number. tests/services/test_busy_demo_weeks.py loads the file into a test clinic.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 12, 3)
FIRST, LAST = date(2026, 12, 7), date(2027, 1, 3)
OUT = ROOT / "tests" / "data" / "scheduling" / "demo_busy_weeks.json"


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CONFIG_HOME"] = folder  # the demo's clinic key stays in the throwaway folder
        os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        from acudesk.persistence.models import Appointment, Room, User
        from acudesk.services.demo import build_demo_clinic
        from acudesk.services.maintenance import open_database
        from acudesk.services.scheduling import ACTIVE_STATUSES

        database = open_database(Path(folder) / "demo.sqlite3")
        build_demo_clinic(database, today=TODAY)
        with database.read() as tx:
            people = {r.id: r.username for r in tx.execute(select(User.id, User.username))}
            rooms = {r.id: r.name for r in tx.execute(select(Room.id, Room.name))}
            rows = tx.scalars(
                select(Appointment)
                .where(Appointment.local_start >= datetime.combine(FIRST, time(0)),
                       Appointment.local_start < datetime.combine(LAST + timedelta(days=1), time(0)),
                       Appointment.status.in_(ACTIVE_STATUSES))
                .order_by(Appointment.local_start, Appointment.id)
            ).all()
            patients: dict[int, int] = {}
            bookings = [
                {
                    "local_start": row.local_start.isoformat(timespec="minutes"),
                    "minutes": row.duration_minutes, "changeover": row.changeover_minutes,
                    "practitioner": people[row.practitioner_id], "room": rooms.get(row.room_id),
                    "patient": patients.setdefault(row.patient_id, len(patients) + 1),
                }
                for row in rows
            ]
        database.dispose()
    record = {"demo_today": TODAY.isoformat(), "first": FIRST.isoformat(), "last": LAST.isoformat(),
              "practitioners": sorted({b["practitioner"] for b in bookings}),
              "rooms": sorted({b["room"] for b in bookings if b["room"]}), "bookings": bookings}
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"{len(bookings)} bookings of {FIRST} to {LAST} written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
