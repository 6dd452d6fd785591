"""Whatever a person types or a file contains: a clear error or a correct result, never a crash or corruption.

Property-based (hypothesis): forms through the services, the command line, intake files, dates and
course patterns.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acudesk.cli import main
from acudesk.domain.errors import AcuDeskError, DuplicateError, ValidationError, ValidationErrors
from acudesk.domain.intake_answers import parse_intake
from acudesk.domain.patient_search import parse_date_text, parse_query
from acudesk.domain.patients import PatientDetails
from acudesk.domain.scheduling import parse_pattern
from acudesk.services import patients
from acudesk.services.clinic import ClinicSetup, create_clinic, default_actor
from acudesk.services.maintenance import open_database

texty = st.text(max_size=60)
phoneish = st.one_of(texty, st.from_regex(r"\+?[0-9 ()\-]{0,18}", fullmatch=True))
dates = st.one_of(st.none(), st.dates(min_value=date(1800, 1, 1), max_value=date(2200, 1, 1)))
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("robust") / "clinic.sqlite3"
    database = open_database(path)
    create_clinic(database, ClinicSetup("Robust Clinic", "GB", "Europe/London", "admin", "Admin", "long enough 1"))
    yield database, path
    database.dispose()


@SLOW
@given(family=texty, given_name=texty, born=dates, phone=phoneish, email=texty, address=texty,
       consent=st.booleans(), consent_date=dates)
def test_any_patient_form_is_saved_faithfully_or_refused_clearly(
    clinic, family, given_name, born, phone, email, address, consent, consent_date
) -> None:
    database, path = clinic
    actor = default_actor(database)
    details = PatientDetails(family, given_name, born, phone=phone, email=email, address=address,
                             consent_to_treatment=consent, consent_date=consent_date)
    try:
        record = patients.register_patient(database, actor, details, confirm_duplicate=True)
    except (ValidationErrors, DuplicateError) as error:
        assert error.message
        assert all(e.message and e.field for e in getattr(error, "errors", []))
        return
    stored = patients.get_patient(database, actor, record.id).details
    assert stored.family_name == " ".join(family.split())
    assert stored.date_of_birth == born
    assert record.id in patients.search_patient_ids(database, actor, "", include_archived=True)


def test_the_database_is_intact_after_all_that(clinic) -> None:
    _database, path = clinic
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_search_text_never_breaks_the_parser(text: str) -> None:
    query = parse_query(text, country="GB")
    assert isinstance(query.name_prefixes, tuple)
    assert parse_date_text(text) is None or isinstance(parse_date_text(text), date)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_course_pattern_text_parses_or_says_what_is_wrong(text: str) -> None:
    try:
        pattern = parse_pattern(text)
    except (ValidationError, ValidationErrors) as error:
        assert error.message
    else:
        assert pattern.total >= 1


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(), st.text(max_size=20),
              st.integers(-10**500, 10**500)),  # NaN, Infinity and 400-digit integers too
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_intake_file_content_is_accepted_or_refused_with_a_named_field(document: object) -> None:
    try:
        parse_intake(json.dumps(document))
    except ValidationError as error:
        assert error.message


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["age", "pain_nrs", "pregnant", "pain_duration_weeks", "leg_radiation",
                                        "saddle_numbness", "bmi", "format"]), json_values, max_size=8))
def test_intakes_with_wrong_types_are_refused_clearly(answers: dict[str, object]) -> None:
    try:
        parse_intake({"format": "acudesk-intake/1", "answers": answers})
    except ValidationError as error:
        assert error.message


CLI_WORDS = ["check", "backup", "restore", "--list", "audit", "verify", "points", "search", "intake", "course",
             "preview", "--start", "--pattern", "--tz", "--format", "json", "text", "2027-02-30T10:00",
             "weekly x4", "Mars/Olympus", "--holidays", "ZZ", "--open-days", "Fun-Sat", "--limit", "-3", "%", ""]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(CLI_WORDS), st.text(max_size=12)), min_size=1, max_size=6))
def test_the_command_line_never_prints_a_traceback(tmp_path: Path, capsys, words: list[str]) -> None:
    command = words[0] if words[0] in {"check", "restore", "points", "intake", "course", "audit"} else "check"
    argv = ["--db", str(tmp_path / "cli.sqlite3"), command, *words[1:]]
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse usage errors and --help
        code = exit_info.code
    except AcuDeskError:
        pytest.fail("an AcuDeskError escaped main()")
    assert code in (0, 1, 2, None)
    assert "Traceback" not in capsys.readouterr().err


@settings(max_examples=60, deadline=None)
@given(depth=st.one_of(st.integers(0, 40), st.integers(900, 1100), st.integers(30_000, 200_000)),
       opener=st.sampled_from(["[", '{"a":']))
def test_json_nested_to_any_depth_is_refused_clearly(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    document = '{"format": "acudesk-intake/1", "answers": ' + opener * depth + "1" + closer * depth + "}"
    try:
        parse_intake(document)
    except ValidationError as error:
        assert error.message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=st.one_of(st.integers(-10**4000, 10**4000), st.sampled_from(["NaN", "Infinity", "-Infinity", "1e400"]),
                        st.builds(lambda n: "9" * n, st.integers(300, 6000))),
       question=st.sampled_from(["age", "pain_nrs", "bmi", "pain_duration_weeks"]))
def test_an_intake_file_with_any_number_gives_a_result_or_a_clear_error(tmp_path: Path, capsys, answer: object,
                                                                         question: str) -> None:
    file = tmp_path / "intake.json"
    file.write_text('{"format": "acudesk-intake/1", "answers": {"' + question + '": ' + str(answer) + "}}",
                    encoding="utf-8")
    assert main(["intake", "check", str(file)]) in (0, 2)
    assert "Traceback" not in capsys.readouterr().err


ZONES = ["Europe/London", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/St_Johns", "UTC"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.datetimes(min_value=datetime.min, max_value=datetime.max), tz=st.sampled_from(ZONES),
       pattern=st.sampled_from(["weekly x4", "monthly x12", "fortnightly x2, monthly x3", "weekly x52"]))
def test_a_course_preview_on_any_date_is_a_course_or_a_clear_error(capsys, start: datetime, tz: str,
                                                                   pattern: str) -> None:
    code = main(["course", "preview", "--start", start.isoformat(timespec="minutes"), "--pattern", pattern,
                 "--tz", tz])
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err
    if 1900 < start.year < 2998:
        assert code == 0, err


numbers = st.one_of(st.integers(-10**40, 10**40), st.integers(2**31 - 3, 2**64 + 3),
                    st.builds(lambda n: "9" * n, st.integers(15, 5000)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["summary", "receipt", "handout", "daylist"]), patient=numbers, appointment=numbers,
       day=st.dates(min_value=date.min, max_value=date.max))
def test_export_with_any_record_number_or_date_never_crashes(clinic, tmp_path: Path, capsys, kind: str,
                                                             patient: object, appointment: object, day: date) -> None:
    _database, path = clinic
    (tmp_path / "out.pdf").unlink(missing_ok=True)  # tmp_path is shared by every example
    argv = ["--db", str(path), "export", kind, "--out", str(tmp_path / "out.pdf")]
    argv += ["--date", day.isoformat()] if kind == "daylist" else ["--patient", str(patient)]
    if kind == "receipt":
        argv += ["--appointment", str(appointment)]
    try:
        code = main(argv)
    except SystemExit as exit_info:  # argparse refuses the value: one line, exit 2
        code = exit_info.code
    err = capsys.readouterr().err
    assert code in (0, 2) and "Traceback" not in err
    assert not (tmp_path / "out.pdf").exists() or code == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blank=st.text(alphabet=" \t", max_size=3), command=st.sampled_from([[], ["check"], ["audit", "verify"],
                                                                           ["points", "search", "LI4"]]))
def test_an_empty_db_option_is_an_error_never_the_default_database(capsys, blank: str, command: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", blank, *command])
    assert exit_info.value.code == 2
    assert "--db" in capsys.readouterr().err
