"""Child process for the crash and concurrency tests: commits rows in a loop through AcuDesk's engine.

Usage: python commit_loop.py DB_PATH WRITER_NAME [COUNT]
Prints "ok <key>" after each commit returns (an acknowledged commit), flushing every line.
"""

from __future__ import annotations

import sys

from acudesk.persistence.database import Database
from acudesk.persistence.models import Setting


def main() -> int:
    path, writer = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10**9
    database = Database.open(path)
    for n in range(count):
        key = f"{writer}-{n}"
        with database.write() as session:
            session.add(Setting(key=key, value={"n": n, "padding": "x" * 200}))
        sys.stdout.write(f"ok {key}\n")
        sys.stdout.flush()
    database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
