"""``acudesk points search TEXT``: one line per point (or JSON), exit 1 when nothing matches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from acudesk.cli import COMMAND_MODULES, main

ROOT = Path(__file__).resolve().parents[2]


def test_points_command_is_registered() -> None:
    assert "points" in COMMAND_MODULES


def test_search_by_code_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["points", "search", "bl23"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert line.startswith("BL23 ")
    for part in ("Shènshū", "肾俞", "Kidney Shu", "[lumbar]", "! ", "organ_depth_kidney"):
        assert part in line


@pytest.mark.parametrize("text", [["BL-23"], ["shenshu"], ["肾俞"], ["kidney", "shu"]])
def test_search_spellings(capsys: pytest.CaptureFixture[str], text: list[str]) -> None:
    assert main(["points", "search", *text]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("BL23 ")


def test_limit_and_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["points", "search", "sciatica", "--limit", "3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 3
    assert all("sciatica" in point["indications"] for point in data)
    assert {"code", "pinyin", "hanzi", "english", "region", "safety", "chart", "location"} <= set(data[0])


def test_no_match_exits_1_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["points", "search", "zzzz"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "No acupoint matches 'zzzz'" in captured.err


def test_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["points", "search", "bl23", "--limit", "0"])
    assert exit_info.value.code == 2
    assert "--limit" in capsys.readouterr().err


def test_python_m_acudesk_points_search() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "acudesk", "points", "search", "bl23"],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BL23 ")
