"""Printed records that are true (issue 13): who treated the patient, what day a letter speaks of,
sign-offs kept with their text, findings in sentences, day lists that say whose and which day, and a
left-side point drawn on the left."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import pdf_text

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.reports import model as m
from acudesk.reports.charts import body_chart_drawing, chart_marks
from acudesk.reports.office import render_day_list

CLINIC = m.ClinicDetails("Riverside Acupuncture (test)", "1 High Street, Ashford", "01632 960000")


def _joined(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


# ----------------------------------------------------------------------------------------- day list


def _entries(prefix: str, count: int, day: date, status: str = "booked") -> tuple[m.DayListEntry, ...]:
    start = datetime.combine(day, datetime.min.time()).replace(hour=8)
    return tuple(m.DayListEntry(start + timedelta(minutes=10 * n), 10, f"{prefix} Patient{n:02d}", 100 + n,
                                "07700 900123", "Follow-up", "Room 1", status) for n in range(count))


def test_every_page_of_a_long_day_list_says_whose_list_and_which_day() -> None:
    day = date(2026, 12, 3)
    data = m.DayListData(CLINIC, day, (("Dr Amara Okafor", _entries("Okafor", 45, day)),
                                       ("Mr Hiro Sato", _entries("Sato", 45, day))),
                         datetime(2026, 12, 2, 17, 5))
    pdf, pages = render_day_list(data)
    texts = [" ".join(page.split()) for page in pdf_text(pdf)]
    assert pages >= 3
    for page in texts:
        assert "Thursday 3 December 2026" in page
        if "Okafor Patient" in page:
            assert "Dr Amara Okafor" in page
        if "Sato Patient" in page:
            assert "Mr Hiro Sato" in page
    assert sum("Okafor Patient" in page for page in texts) >= 2  # the first list runs onto a later page


def test_the_day_list_names_each_status_as_the_app_does() -> None:
    from acudesk.domain.scheduling.statuses import status_label

    day = date(2026, 12, 3)
    entries = tuple(
        m.DayListEntry(datetime(2026, 12, 3, 9 + n), 30, f"Pat{n} Example", n, "", "Follow-up", "Room 1", status)
        for n, status in enumerate(("booked", "arrived", "completed", "cancelled", "no_show"))
    )
    pdf, _ = render_day_list(m.DayListData(CLINIC, day, (("Dr Amara Okafor", entries),)))
    text = _joined(pdf_text(pdf))
    assert "Checked in" in text and "No-show" in text and "Completed" in text
    assert "arrived" not in text and "did not attend" not in text
    assert status_label("arrived") == "Checked in"


# ----------------------------------------------------------------------------------------- side figure


def _plan_line(code: str, side: str) -> m.PlanPointLine:
    point = load_catalogue().get(code)
    assert point is not None
    return m.PlanPointLine(point.code, point.pinyin, point.hanzi, point.english, side, point.location)


def test_a_left_side_point_is_drawn_on_a_left_side_figure_on_the_left() -> None:
    point = load_catalogue().get("GB41")  # on the side view, towards the toes (x > 0.5: the right side's front)
    assert point is not None and point.chart is not None and point.chart.view == "side" and point.chart.x > 0.5
    (left,) = chart_marks([_plan_line("GB41", "left")])
    (right,) = chart_marks([_plan_line("GB41", "right")])
    assert right.view == "side" and right.x == pytest.approx(point.chart.x)
    assert left.view == "side_left" and left.x == pytest.approx(1 - point.chart.x) and left.x < 0.5
    drawing = body_chart_drawing([_plan_line("GB41", "left")], 170 * 2.83)
    assert drawing is not None
    labels = [getattr(shape, "text", "") for shape in drawing.contents]
    assert "Side (left)" in labels and "Side (right)" not in labels


def test_a_plan_with_both_sides_draws_both_side_figures() -> None:
    drawing = body_chart_drawing([_plan_line("GB41", "left"), _plan_line("GB34", "right")], 170 * 2.83)
    assert drawing is not None
    labels = [getattr(shape, "text", "") for shape in drawing.contents]
    assert "Side (left)" in labels and "Side (right)" in labels
