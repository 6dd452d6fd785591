"""``acudesk course preview`` prints a course's visits; bad input is one line on stderr and exit 2."""

from __future__ import annotations

import json

import pytest

from acudesk.cli import main

BASE = ["course", "preview", "--start", "2027-02-10T10:00", "--tz", "Europe/London"]


def test_text_preview_lists_one_visit_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--pattern", "weekly x4, fortnightly x2, monthly x3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Course: weekly x4, fortnightly x2, monthly x3 (9 visits, Europe/London)"
    assert lines[1] == " 1  Wed 10 Feb 2027 10:00 +00:00 GMT"
    assert lines[7] == " 7  Fri 30 Apr 2027 10:00 +01:00 BST"
    assert len(lines) == 10


def test_text_preview_shows_moved_visits(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["course", "preview", "--start", "2027-12-13T10:00", "--pattern", "weekly x4"]
    assert main([*args, "--holidays", "GB-ENG", "--open-days", "Mon-Sat"]) == 0
    out = capsys.readouterr().out
    assert " 3  Wed 29 Dec 2027 10:00 +00:00 GMT  moved from Mon 27 Dec 2027: Christmas Day (observed)" in out
    assert " 4  Tue 4 Jan 2028 10:00 +00:00 GMT  moved from Mon 3 Jan 2028: New Year's Day (observed)" in out


def test_json_preview(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["course", "preview", "--start", "2027-03-26T10:00", "--pattern", "weekly x2, monthly x1"]
    assert main([*args, "--holidays", "GB-ENG", "--open-days", "Mon-Fri", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows == [
        # Good Friday, then Saturday, Sunday and Easter Monday are all closed
        {"start": "2027-03-30T10:00:00+01:00", "moved_from": "2027-03-26", "reason": "Good Friday"},
        {"start": "2027-04-02T10:00:00+01:00", "moved_from": None, "reason": None},
        # 2 May is a Sunday and Monday 3 May the Early May bank holiday
        {
            "start": "2027-05-04T10:00:00+01:00",
            "moved_from": "2027-05-02",
            "reason": "Clinic closed on Sunday",
        },
    ]


def test_json_reason_carries_the_daylight_saving_note(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["course", "preview", "--start", "2027-03-07T02:30", "--pattern", "weekly x2"]
    assert main([*args, "--tz", "America/New_York", "--format", "json"]) == 0
    second = json.loads(capsys.readouterr().out)[1]
    assert second["start"] == "2027-03-14T03:30:00-04:00"
    assert second["moved_from"] is None
    assert second["reason"] == "02:30 does not exist on Sun 14 Mar 2027 (clocks go forward); booked at 03:30"


def test_without_open_days_or_holidays_every_day_is_open(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["course", "preview", "--start", "2027-12-25T10:00", "--pattern", "weekly x2", "--format", "json"]
    assert main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["start"] for r in rows] == ["2027-12-25T10:00:00+00:00", "2028-01-01T10:00:00+00:00"]


@pytest.mark.parametrize(
    "open_days",
    ["Mon-Sat", "Mon,Wed,Fri", "Mon-Fri,Sun", "mon - sat", "Monday-Friday"],
)
def test_open_days_forms_are_accepted(open_days: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--pattern", "weekly x1", "--open-days", open_days]) == 0
    assert "Wed 10 Feb 2027" in capsys.readouterr().out  # a Wednesday, open in all of them


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pattern", "wekly x4"], "unknown interval 'wekly' in part 1 \"wekly x4\""),
        (["--pattern", "weekly x60"], "at most 52 visits"),
        (["--pattern", "weekly x2", "--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--pattern", "weekly x2", "--holidays", "XX"], "unknown holiday region 'XX'"),
        (["--pattern", "weekly x2", "--holidays", "GB-XYZ"], "unknown holiday region 'GB-XYZ'"),
        (["--pattern", "weekly x2", "--open-days", "Mon-Fry"], "unknown weekday 'Fry'"),
        (["--pattern", "weekly x2", "--open-days", "Mon,,Fri"], "has an empty part"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*BASE, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert captured.err.startswith("acudesk: ") and captured.err.count("\n") == 1


@pytest.mark.parametrize("start", ["2027-02-30T10:00", "next tuesday", "2027-02-10", "10:00"])
def test_bad_start_is_rejected(start: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["course", "preview", "--start", start, "--pattern", "weekly x2"]) == 2
    assert f"start '{start}' is not a date and time like 2027-02-10T10:00" in capsys.readouterr().err


def test_an_unknown_format_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*BASE, "--pattern", "weekly x2", "--format", "xml"])
    assert caught.value.code == 2
