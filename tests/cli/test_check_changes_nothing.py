"""`acudesk check` and `acudesk audit verify` open SQLite files read-only and change nothing.

Every case compares the whole folder before and after: each file's bytes (SHA-256) and mtime, and no
file added (no ``-wal``/``-shm``/``-journal`` left beside what was inspected). docs/security.md,
"Check and verify change nothing".
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from acudesk.cli import main
from acudesk.persistence.backup import backup_sqlite


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
            for path in sorted(folder.iterdir())}


def _run(path: Path, *command: str) -> int:
    return main(["--db", str(path), *command])


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[list[Path]]:
    """Paths made read-only by a test; made writable again afterwards so that pytest can clean up."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _check_and_verify_change_nothing(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    before = _snapshot(path.parent)
    check = _run(path, "check")
    check_out = capsys.readouterr().out
    verify = _run(path, "audit", "verify")
    verify_out = capsys.readouterr().out
    assert _snapshot(path.parent) == before
    assert (check, verify) == (0, 0), (check_out, verify_out)
    return check_out, verify_out


def test_a_healthy_clinic_file_is_healthy_and_unchanged(clinic_file: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    check_out, verify_out = _check_and_verify_change_nothing(clinic_file, capsys)
    assert "AcuDesk database check: OK" in check_out and "Audit trail intact" in verify_out


def test_a_read_only_file_is_healthy_and_unchanged(clinic_file: Path, read_only: list[Path],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    clinic_file.chmod(0o444)
    read_only.append(clinic_file)
    check_out, _ = _check_and_verify_change_nothing(clinic_file, capsys)
    assert "storage integrity: ok" in check_out


def test_a_file_in_a_read_only_folder_is_healthy_and_unchanged(clinic_file: Path, read_only: list[Path],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Read-only media: no -shm can be created, so the file is read as immutable."""
    clinic_file.parent.chmod(0o555)
    read_only.append(clinic_file.parent)
    check_out, _ = _check_and_verify_change_nothing(clinic_file, capsys)
    assert "AcuDesk database check: OK" in check_out


def test_a_backup_is_healthy_and_nothing_is_left_beside_it(clinic_file: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    backup = backup_sqlite(clinic_file, folder / "clinic-backup.sqlite3")
    check_out, _ = _check_and_verify_change_nothing(backup, capsys)
    assert "AcuDesk database check: OK" in check_out


def test_a_zero_byte_file_stays_zero_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    before = _snapshot(tmp_path)
    assert _run(empty, "check") == 1  # no AcuDesk schema: a problem, reported
    assert "schema: none" in capsys.readouterr().out
    assert _run(empty, "audit", "verify") in (1, 2)
    assert _snapshot(tmp_path) == before
    assert empty.stat().st_size == 0


def test_a_foreign_file_keeps_its_rollback_journal_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "recipes.sqlite3"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("CREATE TABLE recipe (name TEXT)")
        connection.commit()
    before = _snapshot(tmp_path)
    assert _run(foreign, "check") == 2
    assert _run(foreign, "audit", "verify") == 2
    assert "not created by AcuDesk" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before
    with closing(sqlite3.connect(f"file:{foreign}?mode=ro", uri=True)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_clinic_in_use_is_read_with_its_wal(clinic_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A running AcuDesk keeps committed data in the -wal file: check reads it (mode=ro, not immutable)."""
    with closing(sqlite3.connect(clinic_file)) as running:
        running.execute("PRAGMA wal_autocheckpoint = 0")
        running.execute("UPDATE clinic SET name = name")  # a committed change that stays in the WAL
        running.commit()
        assert os.path.exists(f"{clinic_file}-wal")
        assert _run(clinic_file, "check") == 0
        assert "AcuDesk database check: OK" in capsys.readouterr().out
