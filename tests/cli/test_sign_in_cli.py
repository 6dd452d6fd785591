"""Sign-in everywhere on the command line (issue 16): through ``acudesk.cli.main``, as a clinic runs it.

Commands that read or write clinic data sign in with ``--user NAME`` through ``services.auth.sign_in``:
wrong passwords are refused and audited, the audit names the real user, and a receptionist gets a
receptionist's view. Commands that touch no clinical data run without it (docs/security.md).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

from course_data import build_course

from acudesk.cli import main
from acudesk.persistence.models import AuditEvent, User
from acudesk.services.auth import create_user
from acudesk.services.clinic import default_actor
from acudesk.services.maintenance import open_database

ADMIN_PASSWORD = "correct horse battery"
RECEPTION_PASSWORD = "front desk password"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def clinic(clinic_file: Path) -> tuple[Path, int]:
    """The test clinic with a course of treatment (intake, plan, sessions) and a receptionist, 'frontdesk'."""
    database = open_database(clinic_file)
    course = build_course(database, sessions=2)
    create_user(database, default_actor(database), "frontdesk", "Front Desk", ("receptionist",), RECEPTION_PASSWORD)
    database.dispose()
    return clinic_file, course.patient_id


def _events(path: Path, *actions: str) -> list[tuple[str, str | None]]:
    """(action, username) of the audit events with these actions, oldest first."""
    database = open_database(path)
    try:
        with database.read() as tx:
            rows = tx.execute(
                select(AuditEvent.action, User.username).outerjoin(User, User.id == AuditEvent.user_id)
                .where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id))
            return [(action, user) for action, user in rows]
    finally:
        database.dispose()


def _export(db: Path, kind: str, patient: int, out: Path, *sign_in: str) -> int:
    return main([*sign_in, "--db", str(db), "export", kind, "--patient", str(patient), "--out", str(out)])


def test_without_user_the_command_is_refused_before_anything_is_read(clinic, tmp_path, capsys) -> None:
    db, patient = clinic
    before = _events(db, "login", "login_failed", "export")
    assert _export(db, "summary", patient, tmp_path / "s.pdf") == 2
    err = capsys.readouterr().err
    assert err.startswith("acudesk: ") and err.count("\n") == 1
    assert "sign in with --user NAME" in err and "--password-file" in err and "ACUDESK_PASSWORD" in err
    assert not (tmp_path / "s.pdf").exists()
    assert _events(db, "login", "login_failed", "export") == before


def test_a_wrong_password_is_refused_and_audited(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.setenv("ACUDESK_PASSWORD", "not the password")
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin") == 2
    err = capsys.readouterr().err
    assert err == "acudesk: The user name or password is not right.\n"
    assert not (tmp_path / "s.pdf").exists()
    assert _events(db, "login_failed", "export")[-1:] == [("login_failed", None)]
    # An unknown user gets the same answer, and is audited too.
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "nobody") == 2
    assert "not right" in capsys.readouterr().err
    assert len(_events(db, "login_failed")) == 2


def test_five_wrong_passwords_lock_the_account_as_in_the_app(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, _patient = clinic
    monkeypatch.setenv("ACUDESK_PASSWORD", "not the password")
    argv = ["--db", str(db), "--user", "frontdesk", "export", "handout", "--out", str(tmp_path / "h.pdf")]
    for _ in range(5):
        assert main(argv) == 2
    assert "locked after 5 failed sign-ins" in capsys.readouterr().err.splitlines()[-1]
    monkeypatch.setenv("ACUDESK_PASSWORD", RECEPTION_PASSWORD)  # the right password is refused while locked
    assert main(argv) == 2
    assert "locked" in capsys.readouterr().err
    assert ("lockout", None) in _events(db, "lockout")
    assert not (tmp_path / "h.pdf").exists()


def test_the_audit_names_the_signed_in_user(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.setenv("ACUDESK_PASSWORD", RECEPTION_PASSWORD)
    assert _export(db, "receipt", patient, tmp_path / "r.pdf", "--user", "frontdesk") == 0
    assert _events(db, "login", "export")[-2:] == [("login", "frontdesk"), ("export", "frontdesk")]
    monkeypatch.setenv("ACUDESK_PASSWORD", ADMIN_PASSWORD)
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin") == 0
    assert _events(db, "login", "export")[-2:] == [("login", "admin"), ("export", "admin")]


def test_a_receptionist_gets_a_receptionists_view(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.setenv("ACUDESK_PASSWORD", RECEPTION_PASSWORD)
    receptionist = ["--user", "frontdesk"]
    # Front-desk papers: the handout (points and visits, never the intake's answers), receipts, the day list.
    assert _export(db, "handout", patient, tmp_path / "h.pdf", *receptionist) == 0
    assert (tmp_path / "h.pdf").read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    # Clinical documents (intake answers, notes) are refused, with the CLI's one line and exit 2.
    for kind in ("summary", "referral"):
        assert _export(db, kind, patient, tmp_path / f"{kind}.pdf", *receptionist) == 2
        err = capsys.readouterr().err
        assert err.startswith("acudesk: Your role does not allow you to") and err.count("\n") == 1, err
        assert not (tmp_path / f"{kind}.pdf").exists()
    # Administering the clinic is refused too.
    assert main([*receptionist, "--db", str(db), "backup", str(tmp_path / "copy.sqlite3")]) == 2
    assert "Your role does not allow you to" in capsys.readouterr().err
    assert not (tmp_path / "copy.sqlite3").exists()
    assert [user for _action, user in _events(db, "export")] == ["frontdesk"]


def test_password_from_a_file(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.delenv("ACUDESK_PASSWORD", raising=False)
    secret = tmp_path / "password"
    secret.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o600)
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin", "--password-file", str(secret)) == 0
    assert capsys.readouterr().err == ""
    # After the command word too, as the other options of export are.
    argv = ["--db", str(db), "export", "summary", "--patient", str(patient), "--out", str(tmp_path / "t.pdf"),
            "--user", "admin", "--password-file", str(secret)]
    assert main(argv) == 0
    # A file others can read still works, with a warning; a missing or empty one is a clear refusal.
    secret.chmod(0o644)
    assert _export(db, "handout", patient, tmp_path / "h.pdf", "--user", "admin", "--password-file", str(secret)) == 0
    assert "other users can read the password file" in capsys.readouterr().err
    assert _export(db, "handout", patient, tmp_path / "h.pdf", "--user", "admin",
                   "--password-file", str(tmp_path / "missing")) == 2
    assert "Password file not found" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.write_text("")
    empty.chmod(0o600)
    assert _export(db, "handout", patient, tmp_path / "h.pdf", "--user", "admin", "--password-file", str(empty)) == 2
    assert "is empty" in capsys.readouterr().err


def test_password_file_dash_reads_standard_input(clinic, tmp_path, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.setattr(sys, "stdin", io.StringIO(ADMIN_PASSWORD + "\n"))
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin", "--password-file", "-") == 0


def test_password_from_the_environment(clinic, tmp_path, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.setenv("ACUDESK_PASSWORD", ADMIN_PASSWORD)
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin") == 0
    assert _events(db, "export")[-1] == ("export", "admin")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_password_asked_at_the_terminal_without_echo(clinic, tmp_path, monkeypatch) -> None:
    import getpass

    db, patient = clinic
    monkeypatch.delenv("ACUDESK_PASSWORD", raising=False)
    asked: list[str] = []
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or ADMIN_PASSWORD)
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin") == 0
    assert asked == ["Password for admin: "]


def test_no_terminal_and_no_password_is_a_clear_refusal(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, patient = clinic
    monkeypatch.delenv("ACUDESK_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a scheduled job: no terminal
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "admin") == 2
    err = capsys.readouterr().err
    assert "No password for 'admin'" in err and "--password-file" in err and err.count("\n") == 1


def test_backup_and_restore_sign_in_as_an_administrator(clinic, tmp_path, capsys, monkeypatch) -> None:
    db, _patient = clinic
    copy = tmp_path / "copy.sqlite3"
    assert main(["--db", str(db), "backup", str(copy)]) == 2
    assert "--user NAME" in capsys.readouterr().err and not copy.exists()
    monkeypatch.setenv("ACUDESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", str(db), "--user", "admin", "backup", str(copy)]) == 0
    assert _events(db, "login", "backup")[-2:] == [("login", "admin"), ("backup", "admin")]
    assert main(["--db", str(db), "restore", str(copy)]) == 2
    assert "--user NAME" in capsys.readouterr().err
    assert main(["--db", str(db), "restore", str(copy), "--user", "admin"]) == 0
    assert ("restore", "admin") in _events(db, "restore")


def _sign_ins(path: Path) -> list[tuple[str, str | None]]:
    """(user name, end reason or None while live) of every sign-in of the file, oldest first."""
    from acudesk.persistence.models.clinic import SignInSession

    database = open_database(path)
    try:
        with database.read() as tx:
            rows = tx.execute(select(User.username, SignInSession.ended_at, SignInSession.end_reason)
                              .join(User, User.id == SignInSession.user_id).order_by(SignInSession.id))
            return [(user, reason if ended else None) for user, ended, reason in rows]
    finally:
        database.dispose()


def test_a_command_signs_out_when_it_finishes(clinic, tmp_path, capsys, monkeypatch) -> None:
    """Each command's sign-in ends with it (audited), whether it succeeded or was refused after sign-in."""
    db, patient = clinic
    before = len(_sign_ins(db))
    monkeypatch.setenv("ACUDESK_PASSWORD", RECEPTION_PASSWORD)
    assert _export(db, "handout", patient, tmp_path / "h.pdf", "--user", "frontdesk") == 0
    assert _export(db, "summary", patient, tmp_path / "s.pdf", "--user", "frontdesk") == 2  # refused
    monkeypatch.setenv("ACUDESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", str(db), "--user", "admin", "backup", str(tmp_path / "copy.sqlite3")]) == 0
    assert _sign_ins(db)[before:] == [("frontdesk", "signed out"), ("frontdesk", "signed out"),
                                      ("admin", "signed out")]
    assert _events(db, "login", "logout", "export", "backup")[-8:] == [
        ("login", "frontdesk"), ("export", "frontdesk"), ("logout", "frontdesk"),
        ("login", "frontdesk"), ("logout", "frontdesk"),
        ("login", "admin"), ("backup", "admin"), ("logout", "admin")]
    # A restore refused after the sign-in (a file that is not a backup) ends it in the file still in use.
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a database")
    assert main(["--db", str(db), "--user", "admin", "restore", str(not_a_backup)]) == 2
    assert _sign_ins(db)[-1] == ("admin", "signed out")


@pytest.mark.parametrize("argv", [
    ["points", "search", "bl23"],
    ["course", "preview", "--start", "2027-02-10T10:00", "--pattern", "weekly x2"],
    ["intake", "check", str(ROOT / "tests" / "data" / "intakes" / "clear.json")],
    ["--db", "{db}", "check"],
    ["--db", "{db}", "audit", "verify"],
])
def test_commands_that_touch_no_clinical_data_need_no_sign_in(argv, clinic, monkeypatch, capsys) -> None:
    db, _patient = clinic
    monkeypatch.delenv("ACUDESK_PASSWORD", raising=False)
    before = _events(db, "login", "login_failed")
    assert main([a.format(db=db) for a in argv]) == 0, capsys.readouterr().err
    assert _events(db, "login", "login_failed") == before


def test_no_implicit_administrator_in_the_command_line() -> None:
    sources = (ROOT / "acudesk" / "cli").glob("*.py")
    assert [p.name for p in sources if "default_actor" in p.read_text(encoding="utf-8")] == []


def test_python_dash_m_signs_in_from_the_environment_and_never_prints_the_password(clinic, tmp_path) -> None:
    db, patient = clinic
    argv = [sys.executable, "-m", "acudesk", "--db", str(db), "--user", "admin", "export", "summary",
            "--patient", str(patient), "--out", str(tmp_path / "s.pdf")]
    wrong = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                           env={**os.environ, "ACUDESK_PASSWORD": "wrong but secret"})
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr == "acudesk: The user name or password is not right.\n"
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "ACUDESK_PASSWORD": ADMIN_PASSWORD})
    assert done.returncode == 0, done.stderr
    assert ADMIN_PASSWORD not in done.stdout + done.stderr
    assert _events(db, "login_failed", "login", "export")[-3:] == [
        ("login_failed", None), ("login", "admin"), ("export", "admin")]
