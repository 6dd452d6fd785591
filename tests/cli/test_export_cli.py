"""``acudesk export``: a clinic prints documents from the command line; mistakes exit 2 with one line.

Every export signs in: ``--user admin`` (the test clinic's administrator and practitioner), the password
from ACUDESK_PASSWORD (tests/cli/test_sign_in_cli.py covers the other ways and the refusals)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

from course_data import build_course

from acudesk.cli import main
from acudesk.services.maintenance import open_database

ADMIN = ["--user", "admin"]


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACUDESK_PASSWORD", "correct horse battery")


@pytest.fixture
def clinic_with_course(clinic_file: Path) -> tuple[Path, int, str]:
    database = open_database(clinic_file)
    course = build_course(database, sessions=3)
    database.dispose()
    return clinic_file, course.patient_id, course.future_visits[0].date().isoformat()


@pytest.mark.parametrize("kind", ["handout", "summary", "receipt"])
def test_patient_documents(kind: str, clinic_with_course, tmp_path: Path, capsys) -> None:
    db, patient, _day = clinic_with_course
    out = tmp_path / f"{kind}.pdf"
    assert main([*ADMIN, "export", kind, "--patient", str(patient), "--out", str(out), "--db", str(db)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert f"Wrote {out}" in capsys.readouterr().out


def test_general_handout_and_day_list(clinic_with_course, tmp_path: Path) -> None:
    db, _patient, day = clinic_with_course
    assert main([*ADMIN, "--db", str(db), "export", "handout", "--out", str(tmp_path / "h.pdf")]) == 0
    assert main([*ADMIN, "export", "daylist", "--date", day, "--out", str(tmp_path / "d.pdf"), "--db", str(db)]) == 0
    assert (tmp_path / "d.pdf").stat().st_size > 1000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["summary", "--patient", "999"], "There is no patient no. 999."),
        (["referral", "--patient", "{patient}"], "does not call for medical referral"),
        (["summary"], "needs --patient"),
        (["daylist"], "needs --date"),
        (["handout", "--appointment", "3"], "receipts only"),
    ],
)
def test_mistakes_exit_2_with_a_clear_message(args, message, clinic_with_course, tmp_path, capsys) -> None:
    db, patient, _day = clinic_with_course
    argv = [*ADMIN, "export", *[a.format(patient=patient) for a in args], "--out", str(tmp_path / "x.pdf"),
            "--db", str(db)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("acudesk: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists()


def test_bad_output_paths_and_ids(clinic_with_course, tmp_path: Path, capsys) -> None:
    db, patient, _day = clinic_with_course
    assert main([*ADMIN, "export", "handout", "--out", str(tmp_path / "nope" / "h.pdf"), "--db", str(db)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([*ADMIN, "export", "handout", "--out", str(tmp_path / "h.txt"), "--db", str(db)]) == 2
    assert ".pdf" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "summary", "--patient", "abc", "--out", str(tmp_path / "s.pdf")])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["export", "daylist", "--date", "31/12/2026", "--out", str(tmp_path / "d.pdf")])
