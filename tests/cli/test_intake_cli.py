"""``acudesk intake check FILE.json``: one JSON object on stdout (exit 0) or one stderr line (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from acudesk.cli import main

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "intakes"


def run(capsys: pytest.CaptureFixture[str], path: Path | str) -> tuple[int, Any, str]:
    code = main(["intake", "check", str(path)])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out else None), captured.err


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "intake.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def base() -> dict[str, Any]:
    return json.loads((DATA / "clear.json").read_text(encoding="utf-8"))


def test_clear_intake(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, DATA / "clear.json")
    assert (code, err) == (0, "")
    assert out["level"] == "CLEAR"
    assert out["reasons"] == [] and out["restrictions"] == []
    assert "plan_violations" not in out


def test_emergency(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, DATA / "cauda_equina.json")
    assert code == 0
    assert out["level"] == "EMERGENCY"
    assert out["blocks_treatment"] is True
    assert {r["rule"] for r in out["reasons"]} == {"RF-CES-01", "RF-CES-04"}
    for reason in out["reasons"]:
        assert set(reason) >= {"rule", "text", "source"}


def test_plan_violations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, DATA / "pregnant_with_plan.json")
    assert code == 0
    assert out["level"] == "CAUTION"
    for item in out["restrictions"] + out["plan_violations"]:
        assert set(item) >= {"target", "severity", "reason"}
        assert item["severity"] in ("block", "warn")
    blocked = {(v["item"], v["rule"]) for v in out["plan_violations"] if v["severity"] == "block"}
    assert ("SP6", "CI-PREG-01") in blocked
    assert ("cupping", "CI-PREG-06") in blocked
    assert out["plan_violations"][0]["severity"] == "block"
    assert [r["rule"] for r in out["risk_factors"]] == ["RK-SMOKING"]


def test_plan_for_anticoagulated_patient(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    document = base()
    document["answers"]["anticoagulants"] = True
    document["plan"] = {"points": [], "techniques": ["cupping", "manual"]}
    code, out, _ = run(capsys, write(tmp_path, document))
    assert code == 0
    found = {(v["item"], v["severity"]) for v in out["plan_violations"]}
    assert found == {("cupping", "block"), ("manual", "warn")}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{broken", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ({"answers": {"age": 40}}, "answers.pain_neck"),
        ({"answers": {"age": 40, "fevr": True}}, "answers.fevr"),
        ("__incomplete__", "answers.saddle_numbness"),
        ("__bad_type__", "answers.fever"),
        ("__bad_technique__", "plan.techniques[0]"),
        ("__extra__", "comment"),
    ],
)
def test_invalid_intake_exit_2_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: Any, expected: str
) -> None:
    if content == "__incomplete__":
        path: Path = DATA / "incomplete.json"
    else:
        document: Any = content
        if content == "__bad_type__":
            document = base()
            document["answers"]["fever"] = "no"
        elif content == "__bad_technique__":
            document = base()
            document["plan"] = {"points": ["BL23"], "techniques": ["acupressure"]}
        elif content == "__extra__":
            document = base()
            document["comment"] = "hello"
        path = write(tmp_path, document)
    code, out, err = run(capsys, path)
    assert code == 2
    assert out is None
    assert err.count("\n") == 1 and err.startswith("acudesk: ")
    assert expected in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, tmp_path / "nope.json")
    assert code == 2 and out is None
    assert "not found" in err and "nope.json" in err


def test_folder_instead_of_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and err.count("\n") == 1


def test_schema_backstop_reports_the_path() -> None:
    from acudesk.cli.intake import _schema_check
    from acudesk.domain.errors import ValidationError

    document = base()
    document["answers"]["pain_nrs"] = 11
    with pytest.raises(ValidationError) as info:
        _schema_check(document)
    assert info.value.field == "answers.pain_nrs"


def test_every_example_file_satisfies_the_schema() -> None:
    from acudesk.cli.intake import _schema_validator

    for path in DATA.glob("*.json"):
        errors = list(_schema_validator().iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        if path.name == "incomplete.json":
            assert errors
        else:
            assert errors == [], path.name


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "acudesk", "intake", "check", "tests/data/intakes/cauda_equina.json"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["level"] == "EMERGENCY"
    bad = subprocess.run(
        [sys.executable, "-m", "acudesk", "intake", "check", str(tmp_path / "missing.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stdout == "" and len(bad.stderr.splitlines()) == 1
