"""No crash loses an acknowledged commit, and two AcuDesk processes can write the same file.

A child process commits in a loop through AcuDesk's own engine set-up (WAL, synchronous=FULL,
BEGIN IMMEDIATE) and prints each key after its commit returns. The parent kills it with SIGKILL
at random moments, many times over the same file; afterwards every acknowledged key must be
present and ``integrity_check`` must pass.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from acudesk.services.maintenance import open_database

CHILD = Path(__file__).with_name("children") / "commit_loop.py"
KILLS = int(os.environ.get("ACUDESK_CRASH_KILLS", "50"))
ROOT = Path(__file__).resolve().parents[2]


def _child(path: Path, writer: str, count: int | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, str(CHILD), str(path), writer] + ([str(count)] if count else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _keys(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT key FROM settings WHERE key <> 'clinic_id'")}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_at_random_moments_never_loses_an_acknowledged_commit(tmp_path: Path) -> None:
    path = tmp_path / "crash.sqlite3"
    open_database(path).dispose()
    rng = random.Random(7)
    acknowledged: set[str] = set()
    killed_mid_run = 0
    for round_number in range(KILLS):
        child = _child(path, f"r{round_number}")
        assert child.stdout is not None
        deadline = time.monotonic() + rng.uniform(0.35, 0.9)  # start-up is ~0.3 s; then it commits
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            acknowledged.add(line.split()[1])
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=30)
        # Lines already written before the kill were acknowledged too.
        acknowledged.update(line.split()[1] for line in rest.splitlines() if line.startswith("ok "))
        killed_mid_run += child.returncode == -signal.SIGKILL
    present = _keys(path)
    missing = acknowledged - present
    assert not missing, f"{len(missing)} acknowledged commits lost"
    assert killed_mid_run >= KILLS * 0.9
    assert len(acknowledged) > KILLS  # the children really were committing when killed
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    print(f"\ncrash test: {KILLS} kills, {len(acknowledged)} acknowledged commits, all present")


def test_two_processes_write_the_same_file_without_locking_errors(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    open_database(path).dispose()
    children = [_child(path, name, 150) for name in ("desk", "room")]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert "locked" not in err
    assert len(_keys(path)) == 300
