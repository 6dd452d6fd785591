"""The command line: version, bad arguments, check and backup, damaged files. Never a traceback."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from acudesk import __version__
from acudesk.cli import main

CLINIC_NAME = "Riverside Acupuncture (test)"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_unknown_option_is_one_clear_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--frobnicate"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --frobnicate" in err and "Traceback" not in err


def test_check_reports_a_healthy_database(clinic_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(clinic_file), "check"]) == 0
    out = capsys.readouterr().out
    assert "OK" in out and "chain intact" in out


def test_check_refuses_a_file_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bogus = tmp_path / "letter.sqlite3"
    bogus.write_text("Dear Dr Chen")
    assert main(["--db", str(bogus), "check"]) == 2
    assert "not an AcuDesk database" in capsys.readouterr().err
    assert bogus.read_text() == "Dear Dr Chen"


def test_check_reports_a_damaged_database(clinic_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(clinic_file.read_bytes())
    data[4096 : 4096 + 512] = b"\xff" * 512  # overwrite part of the second page
    clinic_file.write_bytes(bytes(data))
    assert main(["--db", str(clinic_file), "check"]) in (1, 2)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err


def test_check_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "none.sqlite3"), "check"]) == 2
    assert "does not exist" in capsys.readouterr().err


ADMIN = ["--user", "admin"]  # backups sign in (tests/cli/test_sign_in_cli.py); the password from the environment


def test_backup_writes_a_verified_copy(
    clinic_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACUDESK_PASSWORD", "correct horse battery")
    destination = tmp_path / "copy.sqlite3"
    assert main([*ADMIN, "--db", str(clinic_file), "backup", str(destination)]) == 0
    with sqlite3.connect(destination) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT name FROM clinic").fetchone()[0] == CLINIC_NAME
    assert main([*ADMIN, "--db", str(clinic_file), "backup", str(destination)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_backup_into_a_missing_folder(
    clinic_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACUDESK_PASSWORD", "correct horse battery")
    assert main([*ADMIN, "--db", str(clinic_file), "backup", str(tmp_path / "nope" / "copy.sqlite3")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_running_as_a_module_prints_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "acudesk", "--db", str(tmp_path / "x" / "y.sqlite3"), "check"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("acudesk:")
