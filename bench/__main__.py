"""``make bench`` / ``python -m bench``: AcuDesk at clinic scale against the floor it cannot beat.

    python -m bench                  # 100k patients, 1M appointments, 500k session records
    python -m bench --quick          # a small clinic, few runs: checks the harness in under a minute
    python -m bench --patients 50000 --appointments 200000 --sessions 100000 --runs 50
    python -m bench --db postgresql+psycopg://postgres@127.0.0.1:5432/test   # SQLite, then PostgreSQL

Prints a table with PASS/MISS per target and writes bench/results.json (see docs/performance.md).
With ``--db URL`` every section runs a second time on that PostgreSQL server (the clinics are
built there as databases, bench/engines.py) and a last table puts both engines' numbers side by side.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

from bench import clinical, coldstart, documents, engines, keystroke, search
from bench.build import CACHE_DIR, Clinic, Sizes, cached_clinic
from bench.engines import Target
from bench.report import FLAT_RATIO, TARGET_MEMORY_MB, TARGETS_MS, Row, side_by_side, table, write_results
from bench.stats import Timing

SECTIONS = ("cold", "search", "list", "calendar", "chart", "documents")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=500_000)
    parser.add_argument("--practitioners", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="small clinic (5k patients), few runs")
    parser.add_argument("--runs", type=int, default=30, help="timed runs per query (default 30)")
    parser.add_argument("--cold-runs", type=int, default=9, help="cold starts per kind (default 9)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached clinics")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold-start subprocesses")
    parser.add_argument("--importtime", action="store_true", help="add a python -X importtime breakdown")
    parser.add_argument("--pyinstrument", action="store_true",
                        help="profile one start with pyinstrument (pip install -e '.[bench]') into bench/.cache/")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), metavar="SECTION",
                        help=f"run only these sections ({', '.join(SECTIONS)})")
    parser.add_argument("--db", metavar="URL",
                        help="also run every section on this PostgreSQL server (postgresql+psycopg://user@host/db; "
                             "the role must be able to create databases) and print both engines side by side")
    parser.add_argument("--no-sqlite", action="store_true", help="with --db: measure PostgreSQL only")
    parser.add_argument("--encrypted", action="store_true",
                        help="measure the SQLite rows on SQLCipher-encrypted copies of the clinics (acudesk "
                             "encrypt; no cold start), to compare with a run without it (docs/performance.md)")
    args = parser.parse_args(argv)
    if args.db and not engines.is_postgres(args.db):
        parser.error("--db takes a PostgreSQL URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    if args.no_sqlite and not args.db:
        parser.error("--no-sqlite needs --db URL")
    if args.quick:
        args.patients, args.appointments, args.sessions = 5_000, 50_000, 25_000
        args.runs, args.cold_runs = min(args.runs, 8), min(args.cold_runs, 3)
    return args


def say(text: str) -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    sizes = Sizes(args.patients, args.appointments, args.sessions, args.practitioners,
                  chart_patients=min(20, max(1, args.sessions // 50)))
    servers: list[str | None] = ([] if args.no_sqlite else [None]) + ([args.db] if args.db else [])
    by_engine: dict[str, tuple[list[Row], dict[str, object], dict[str, object]]] = {}
    for server in servers:
        engine = "postgresql" if server else "sqlite"
        if len(servers) > 1:
            say(f"\n=== {engine} ===")
        by_engine[engine] = run_engine(args, sizes, server)
    meta: dict[str, object] = {"sizes": dataclasses.asdict(sizes), "runs": args.runs, "cold_runs": args.cold_runs,
                               "cpus": os.cpu_count(), "seconds": round(time.perf_counter() - started, 1)}
    first, *others = by_engine
    rows, extra, clinic_meta = by_engine[first]
    meta |= clinic_meta
    for engine in others:  # results.json keeps SQLite's layout; another engine's run sits under its name
        extra = {**extra, engine: {"rows": [r.as_json() for r in by_engine[engine][0]], **by_engine[engine][1],
                                   "clinic": by_engine[engine][2]}}
    meta["engines"] = list(by_engine)
    for engine, (engine_rows, _extra, _meta) in by_engine.items():
        say(f"\n{engine}:" if len(by_engine) > 1 else "")
        say(table(engine_rows))
    if len(by_engine) > 1:
        say("\nside by side (ms; p95 is what the target is checked against):")
        say(side_by_side({engine: engine_rows for engine, (engine_rows, _e, _m) in by_engine.items()}))
    say(f"\nresults written to {write_results(rows, meta, extra)} ({meta['seconds']} s)")
    return 0


def run_engine(args: argparse.Namespace, sizes: Sizes, server: str | None
               ) -> tuple[list[Row], dict[str, object], dict[str, object]]:
    """Every section asked for, on SQLite files (``server`` None) or on a PostgreSQL server."""
    big = cached_clinic(sizes, rebuild=args.rebuild, log=say, server=server)
    scales = sorted({n for n in (1_000, 10_000) if n < args.patients} | {args.patients})
    scale_clinics = {n: cached_clinic(Sizes(n, 0, 0, args.practitioners, chart_patients=0), rebuild=args.rebuild,
                                      log=say, server=server).path for n in scales if n != args.patients}
    scale_clinics[args.patients] = big.path
    name = engines.name_of(str(big.path)) if server else Path(big.path).name
    say(f"clinic: {name} ({'cached' if big.cached else f'built in {big.build_seconds:.1f} s'})")
    rows: list[Row] = []
    extra: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="acudesk-bench-", dir=CACHE_DIR) as folder:
        say("copying the clinic to a working copy (the chart services write audit events) ...")
        clinic = dataclasses.replace(big, path=clinical.open_working_copy(big, Path(folder)))
        if args.encrypted and server is None:
            say("encrypting copies of the clinics (sqlcipher_export, as acudesk encrypt) ...")
            args.skip_cold = True  # the cold start's child process opens the clinic without a sign-in
            encrypted = Path(folder) / "encrypted"
            clinic = dataclasses.replace(clinic, path=engines.encrypted_copy(Path(clinic.path), encrypted))
            scale_clinics = {n: clinic.path if n == args.patients else engines.encrypted_copy(Path(path), encrypted)
                             for n, path in scale_clinics.items()}
        try:
            rows = _sections(args, big, clinic, scales, scale_clinics, extra)
        finally:
            clinical.close_working_copy(clinic)
    clinic_meta = {"clinic_file": name, "cached": big.cached, "build_seconds": round(big.build_seconds, 1)}
    return rows, extra, clinic_meta


def _sections(args: argparse.Namespace, big: Clinic, clinic: Clinic, scales: list[int],
              scale_clinics: dict[int, Target], extra: dict[str, object]) -> list[Row]:
    rows: list[Row] = []
    label = f"{args.patients // 1000}k" if args.patients >= 1000 else str(args.patients)

    reader = _open(big.path)
    queries = search.typeahead_queries(reader)
    reader.dispose()
    if "cold" in args.only and not args.skip_cold:
        say(f"cold start: {args.cold_runs} runs each of python, bare Qt window, AcuDesk ...")
        typed = next(q.text for q in queries if q.kind == "name" and len(q.text) > 3)
        cold = coldstart.measure_cold_start(clinic.path, args.cold_runs, typed)
        rows += [
            Row("cold_start", f"cold start to patient list painted ({label})", cold.app, cold.bare,
                TARGETS_MS["cold_start"], note="floor = bare PySide6 window"),
            Row("cold_python", "  python interpreter alone", cold.python),
            Row("first_rows", f"first rows: first search -> rows in model ({label})", cold.first_rows,
                target=TARGETS_MS["first_rows"], note="empty search, every active patient"),
            Row("first_paint", "  rows in model -> first paint of the table", cold.first_paint),
            Row("first_keystroke", "  name typed right after start -> rows painted", cold.first_keystroke,
                target=TARGETS_MS["keystroke"], note=f"'{typed}' typed at once"),
            Row("peak_memory", f"peak memory, app with {label} clinic open", value=max(cold.max_rss_mb),
                target=TARGET_MEMORY_MB, unit="MB", note=f"bare window {max(cold.bare_rss_mb):.0f} MB"),
        ]
        extra["cold_start_phases_ms"] = {k: v.as_json() for k, v in cold.phases.items()}
        if args.importtime:
            extra["importtime"] = coldstart.import_profile(clinic.path)
        if args.pyinstrument:
            profile = coldstart.pyinstrument_profile(clinic.path, CACHE_DIR / "profile-coldstart.txt")
            say(f"pyinstrument profile: {profile or 'pyinstrument is not installed'}")

    by_scale = {}
    extra["search_queries"] = {}
    if "search" in args.only:
        say("type-ahead search at each clinic size ...")
    for n in scales if "search" in args.only else ():
        by_scale[n] = search.measure_search(scale_clinics[n], queries, args.runs)
        extra["search_queries"][n] = {kind: r.queries for kind, r in by_scale[n].items()}
    for kind in ("name", "phone", "dob") if by_scale else ():
        for n in scales:
            result = by_scale[n][kind]
            target = TARGETS_MS["search_100k"] if n == args.patients else None
            rows.append(Row(f"search_{kind}_{n}", f"search {kind} + 80 rows, {n:,} patients", result.service,
                            result.floor, target))
        # Growth on medians: at 1k patients a search takes ~1 ms, where the p95 is scheduler jitter.
        small, large = by_scale[scales[0]][kind].service.median, by_scale[args.patients][kind].service.median
        rows.append(Row(f"search_{kind}_flat", f"  {kind}: median growth {scales[0]:,} -> {args.patients:,}",
                        value=large / small, target=FLAT_RATIO, unit="x"))

    if "list" in args.only:
        say("first rows and keystrokes in the real patient list ...")
        rows += list_rows(clinic.path, queries, args.runs, label)
    if "calendar" in args.only:
        say("calendar ...")
        rows += calendar_rows(clinic, args.runs)
    if "chart" in args.only:
        say("chart ...")
        rows += chart_rows(clinic, args.runs)
    if "documents" in args.only:
        say("documents ...")
        rows += document_rows(clinic, args.runs)
    return rows


def list_rows(path: Target, queries: list[search.Query], runs: int, label: str) -> list[Row]:
    first, first_floor, matches = search.measure_first_rows(path, runs)
    texts = [q.text for q in queries if len(q.text) >= 2]
    keys = keystroke.measure_keystrokes(path, texts, max(2, runs // 10))
    return [
        Row("first_rows_service", f"  first search, service only (warm, {matches:,} ids)", first, first_floor),
        Row("keystroke", f"keystroke to rows painted ({label}), app work", keys.work,
            target=TARGETS_MS["keystroke"], note="search sent -> paint done"),
        Row("keystroke_total", "  from the key press", keys.total, target=TARGETS_MS["keystroke"]),
        Row("first_rows_view", "  fresh list view: first search to rows painted", keys.first_rows),
    ]


def calendar_rows(clinic, runs: int) -> list[Row]:  # type: ignore[no-untyped-def]
    week = clinical.busy_week(clinic, runs)
    rows = [Row("busy_week", "busy week, one practitioner", week.service, week.floor, TARGETS_MS["busy_week"],
                note=_path_note(week.path), detail=week.detail)]
    day = clinical.clinic_day(clinic, runs)
    if day is not None:
        rows.append(Row("clinic_day", "front desk day, all practitioners", day.service, None,
                        TARGETS_MS["clinic_day"], note=_path_note(day.path), detail=day.detail))
    course = clinical.course_preview(clinic, runs)
    if course is not None:
        rows.append(Row("course_preview", "preview a 12-visit course (slot finding)", course.service, course.floor,
                        TARGETS_MS["course_preview"], note=_path_note(course.path), detail=course.detail))
    return rows


def chart_rows(clinic, runs: int) -> list[Row]:  # type: ignore[no-untyped-def]
    return [Row("chart" if measured.path.startswith("services") else "chart_direct",
                f"chart open, 50 sessions ({measured.path.split()[0]})", measured.service, measured.floor,
                TARGETS_MS["chart"], note=measured.path, detail=measured.detail)
            for _key, measured in clinical.chart_open(clinic, runs)]


def document_rows(clinic, runs: int) -> list[Row]:  # type: ignore[no-untyped-def]
    rows = []
    for key, (timing, note) in documents.measure_documents(clinic, max(3, runs // 5)).items():
        name = key.replace("_data", "").replace("_", " ") + " (50 sessions)" * key.startswith("care_summary")
        if key.endswith("_data"):
            rows.append(Row(key, f"  {name}: data only", timing, note=note))
        else:
            rows.append(Row(key, name, timing, target=TARGETS_MS[key], note=note,
                            status_override=None if timing else "n/a"))
    return rows


def _open(path: Path):  # type: ignore[no-untyped-def]
    return engines.open_clinic(path)


def _path_note(path: str) -> str:
    return path.replace("service acudesk.services.", "")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


__all__ = ["main", "Timing"]
