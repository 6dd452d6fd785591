"""Cold start: a fresh process to the patient list painted with rows, next to a bare Qt window.

Each run spawns a new interpreter (nothing imported, nothing cached in-process; the operating
system's file cache is warm, as it is on a receptionist's PC after the first start of the day) and
stops the clock when the child prints its line. The three kinds are interleaved run by run so a
noisy neighbour hurts them alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.stats import Timing

CHILD = Path(__file__).resolve().parent / "coldstart_child.py"
PHASES = ("app_module_imported", "window_module_imported", "window_init_start", "first_search_sent",
          "window_init_end", "rows_in_model", "rows_painted")


@dataclass
class ColdStart:
    app: Timing = field(default_factory=Timing)
    bare: Timing = field(default_factory=Timing)
    python: Timing = field(default_factory=Timing)
    first_rows: Timing = field(default_factory=Timing)  # first search sent -> rows in the model
    first_paint: Timing = field(default_factory=Timing)  # rows in the model -> painted
    first_keystroke: Timing = field(default_factory=Timing)  # text typed right after start -> its rows painted
    phases: dict[str, Timing] = field(default_factory=dict)
    max_rss_mb: list[float] = field(default_factory=list)
    bare_rss_mb: list[float] = field(default_factory=list)


def _environment(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    for name in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        env[name] = str(home / name.lower())
    env.pop("ACUDESK_DATABASE_URL", None)
    # An installed AcuDesk has byte-code caches; without them every start recompiles acudesk/ from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def spawn(args: list[str], env: dict[str, str], *, timeout: float = 120) -> tuple[float, float, dict[str, Any]]:
    """Run the child; (spawn instant, instant its line arrived, its report)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    arrived = time.monotonic()
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
    if not line:
        raise RuntimeError(f"cold-start child {args[0]} printed nothing: {err[-2000:]}")
    return started, arrived, json.loads(line)


def measure_cold_start(db: Path | str, runs: int, query: str) -> ColdStart:
    """``query`` is typed into the search box as soon as the list has painted (the first keystroke)."""
    result = ColdStart()
    with tempfile.TemporaryDirectory(prefix="acudesk-bench-") as home:
        env = _environment(Path(home))
        spawn(["app", str(db), query], env)  # first start writes byte-code caches and the log folder
        spawn(["bare"], env)
        for _ in range(runs):
            started, arrived, _report = spawn(["python"], env)
            result.python.samples_ms.append((arrived - started) * 1000)
            started, arrived, report = spawn(["bare"], env)
            result.bare.samples_ms.append((arrived - started) * 1000)
            result.bare_rss_mb.append(report["max_rss_mb"])
            started, _arrived, report = spawn(["app", str(db), query], env)
            phases = report["phases"]
            result.app.samples_ms.append((phases["rows_painted"] - started) * 1000)
            result.max_rss_mb.append(report["max_rss_mb"])
            result.first_rows.samples_ms.append((phases["rows_in_model"] - phases["first_search_sent"]) * 1000)
            result.first_paint.samples_ms.append((phases["rows_painted"] - phases["rows_in_model"]) * 1000)
            result.first_keystroke.samples_ms.append((phases["typed_rows_painted"] - phases["typed"]) * 1000)
            for name in PHASES:
                result.phases.setdefault(name, Timing()).samples_ms.append((phases[name] - started) * 1000)
            ready = (report["t_main"] - started) * 1000
            result.phases.setdefault("interpreter_ready", Timing()).samples_ms.append(ready)
    return result


def import_profile(db: Path | str, *, threshold_ms: float = 8.0) -> list[dict[str, Any]]:
    """``python -X importtime`` of one app start: every import costing ``threshold_ms`` or more
    (cumulative), in import order, with its nesting depth."""
    with tempfile.TemporaryDirectory(prefix="acudesk-bench-") as home:
        env = _environment(Path(home))
        subprocess.run([sys.executable, str(CHILD), "app", str(db)], capture_output=True, env=env, timeout=120)
        process = subprocess.run([sys.executable, "-X", "importtime", str(CHILD), "app", str(db), "a"],
                                 capture_output=True, text=True, env=env, timeout=120)
    rows = []
    for line in process.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, raw_name = line[len("import time:"):].split("|")
        depth = (len(raw_name) - len(raw_name.lstrip()) - 1) // 2
        if int(cumulative_us) / 1000 >= threshold_ms:
            rows.append({"module": raw_name.strip(), "depth": depth, "self_ms": int(self_us) / 1000,
                         "cumulative_ms": int(cumulative_us) / 1000})
    return rows


def pyinstrument_profile(db: Path | str, out: Path) -> Path | None:
    """One app start under pyinstrument (the ``bench`` extra), as text in ``out``; None if not installed."""
    import importlib.util

    if importlib.util.find_spec("pyinstrument") is None:
        return None
    with tempfile.TemporaryDirectory(prefix="acudesk-bench-") as home:
        env = _environment(Path(home))
        subprocess.run([sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(out), str(CHILD), "app",
                        str(db), "a"], capture_output=True, env=env, timeout=300)
    return out if out.exists() else None
