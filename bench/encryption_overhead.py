"""What encryption at rest costs: the bench's SQLite work on a plain and an encrypted copy of one clinic,
sample by sample in turn, so that whatever else the machine runs falls on both alike.

    .venv/bin/python -m bench.encryption_overhead            # the quick clinic (5k patients), 30 rounds
    .venv/bin/python -m bench.encryption_overhead --patients 100000 --appointments 1000000 --sessions 500000

``python -m bench --encrypted`` runs every SQLite row of the benchmark on encrypted copies instead (one
run, to set beside a run without it); this module gives the ratio of the two with the noise halved.
docs/performance.md, "Encryption at rest".
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from acudesk.domain.patients import PatientDetails
from acudesk.services import calendar_data, intakes, patients, plans, sessions
from acudesk.services.clinic import default_actor
from bench import clinical, engines, search
from bench.build import CACHE_DIR, Sizes, cached_clinic


def _workloads(database: Any, clinic: Any, queries: list[search.Query]) -> dict[str, Callable[[], object]]:
    actor = default_actor(database)
    chart_patient = clinic.chart_patient_ids[0]
    practitioner = clinic.practitioner_ids[0]
    monday = date(2026, 11, 23)
    counter = iter(range(10**9))
    searches = [search.one_search(database, actor, q.text) for q in queries]
    return {
        "type-ahead search, every query of the bench": lambda: [run() for run in searches],
        "first rows (empty search, 1,001 ids + 80 rows)": search.one_search(database, actor, ""),
        "busy week, one practitioner": lambda: calendar_data.appointments_between(
            database, actor, monday, monday + timedelta(days=6), practitioner),
        "chart open, 50 sessions (services; writes audit events)": lambda: (
            intakes.list_intakes(database, actor, chart_patient), plans.list_plans(database, actor, chart_patient),
            sessions.list_sessions(database, actor, chart_patient)),
        "register a patient (one write, synchronous=FULL)": lambda: patients.register_patient(
            database, actor, PatientDetails(f"Overhead{next(counter)}", "Bench", date(1980, 1, 1))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.encryption_overhead")
    parser.add_argument("--patients", type=int, default=5_000)
    parser.add_argument("--appointments", type=int, default=50_000)
    parser.add_argument("--sessions", type=int, default=25_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sizes = Sizes(args.patients, args.appointments, args.sessions, 20, chart_patients=min(20, args.sessions // 50))
    clinic = cached_clinic(sizes)
    with tempfile.TemporaryDirectory(prefix="acudesk-bench-", dir=CACHE_DIR) as folder:
        plain = clinical.open_working_copy(clinic, Path(folder))
        encrypted = engines.encrypted_copy(Path(plain), Path(folder) / "encrypted")
        databases = {"plain": engines.open_clinic(plain), "encrypted": engines.open_clinic(encrypted)}
        try:
            queries = search.typeahead_queries(databases["plain"])
            work = {kind: _workloads(database, clinic, queries) for kind, database in databases.items()}
            print(f"{'median ms over ' + str(args.rounds) + ' rounds':<58}{'plain':>9}{'encrypted':>11}{'ratio':>8}")
            for name in work["plain"]:
                samples: dict[str, list[float]] = {"plain": [], "encrypted": []}
                for round_ in range(args.rounds + 2):  # two warm-up rounds
                    order = ("plain", "encrypted") if round_ % 2 else ("encrypted", "plain")
                    for kind in order:
                        started = time.perf_counter()
                        work[kind][name]()
                        if round_ >= 2:
                            samples[kind].append((time.perf_counter() - started) * 1000)
                plain_ms, encrypted_ms = (statistics.median(samples[kind]) for kind in ("plain", "encrypted"))
                print(f"{name:<58}{plain_ms:>9.2f}{encrypted_ms:>11.2f}{encrypted_ms / plain_ms:>7.2f}x")
        finally:
            for database in databases.values():
                database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
