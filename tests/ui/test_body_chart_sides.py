"""The plan's body chart draws a side-view point on the side it is needled (issue 13's handout rule,
now on screen too). The catalogue's side view is the patient's right side; before, GB41 planned on the
left only was drawn on that right-side figure, and no view showed the patient's left side. Through the
main window's chart, Plan tab; invented people."""

from __future__ import annotations

import pytest
from test_chart_refresh import register
from test_flag_clearance_flow import answers
from test_intake_screening_form import open_chart

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.services import intakes
from acudesk.ui.main_window import MainWindow

TIMEOUT = 10_000


def test_a_side_point_planned_on_the_left_is_drawn_on_the_left_side_figure(qtbot, window: MainWindow) -> None:
    context = window.context
    pid = register(context)
    intakes.save_intake(context.database, context.actor, pid, answers(), sign=True)
    chart = open_chart(qtbot, window, pid)
    tab = chart.plan
    chart.tabs.setCurrentWidget(tab)
    body = tab.chart
    assert [body.tabText(i) for i in range(body.count())] == ["Back", "Front", "Side (right)", "Side (left)"]
    right, left = body.views["side"], body.views["side_left"]
    point = load_catalogue().get("GB41")
    assert point is not None and point.chart is not None and point.chart.view == "side" and point.bilateral

    assert tab.add_point("GB41", "left")
    assert right.screen_positions("GB41") == []  # not on the patient's right side
    [spot] = left.screen_positions("GB41")
    box = left._box()
    assert (spot.x() - box.left()) / box.width() == pytest.approx(1 - point.chart.x)  # the figure turned round
    assert left.code_at(spot) == "GB41"  # and it can be clicked there
    body.show_point("GB41")
    assert body.currentWidget() is left

    assert tab.add_point("GB34", "right")
    assert right.screen_positions("GB34") and not left.screen_positions("GB34")
    body.show_point("GB34")
    assert body.currentWidget() is right
