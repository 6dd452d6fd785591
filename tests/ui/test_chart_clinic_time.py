"""The chart shows stored moments in the clinic's time, whatever the computer's zone (issue 18).

Before: the Sessions tab wrote each session's time in UTC on a computer set to UTC, so a summer
session booked at 14:00 in London was listed at 13:00, an hour before the calendar and the PDFs put it.
Here the process runs in UTC and the clinic in Europe/London (the test clinic's zone).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from test_chart_refresh import settled, treated
from test_intake_screening_form import open_chart

from acudesk.services import sessions
from acudesk.ui.context import AppContext
from acudesk.ui.main_window import MainWindow

SUMMER_SESSION = datetime(2026, 7, 14, 13, 0, tzinfo=UTC)  # 14:00 in London (BST)
WINTER_SESSION = datetime(2026, 1, 13, 9, 30, tzinfo=UTC)  # 09:30 in London (GMT)


@pytest.fixture(autouse=True)
def computer_in_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def signed_session_at(context: AppContext, pid: int, when: datetime) -> sessions.SessionData:
    db, actor = context.database, context.actor
    draft = sessions.new_session_draft(db, actor, pid, when)
    draft = replace(draft, needles_out=draft.needles_in, nrs_before=6, nrs_after=3)
    saved = sessions.save_session(db, actor, pid, draft)
    return sessions.sign_session(db, actor, saved.id, expected_version=saved.version)


def test_the_session_list_writes_each_session_at_the_clinics_time(qtbot, window: MainWindow) -> None:
    context = window.context
    assert context.zone.key == "Europe/London"
    pid = treated(context)
    signed_session_at(context, pid, SUMMER_SESSION)
    signed_session_at(context, pid, WINTER_SESSION)
    chart = open_chart(qtbot, window, pid)
    tab = chart.sessions
    chart.tabs.setCurrentWidget(tab)
    settled(qtbot, context)
    rows = [tab.list.item(i).text() for i in range(tab.list.count())]
    summer = next(row for row in rows if "Jul" in row)
    winter = next(row for row in rows if "Jan" in row)
    assert "14:00" in summer and "13:00" not in summer, summer
    assert "09:30" in winter, winter

