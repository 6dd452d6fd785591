"""Screenshots of the calendar (one practitioner's week, every practitioner's week and day), the
today list and the course-booking dialog on the demo clinic.

Usage: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_calendar.py OUTDIR
Also prints how long the week view of the busiest practitioner takes to load (service call only).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_app import DemoApp  # noqa: E402

from acudesk.ui.qt import QTimer  # noqa: E402


def main() -> int:
    demo = DemoApp()
    app, out = demo.app, demo.out

    def when_ready(window) -> None:  # type: ignore[no-untyped-def]
        window.resize(1366, 768)
        QTimer.singleShot(300, lambda: measure(window))

    def measure(window) -> None:  # type: ignore[no-untyped-def]
        from acudesk.services import calendar_data
        from acudesk.ui.calendar.screen import monday_of

        ctx = window.context
        first = monday_of(ctx.today())
        last = first + timedelta(days=6)
        week = calendar_data.appointments_between(ctx.database, ctx.actor, first, last)
        counts: dict[int, int] = {}
        for entry in week:
            counts[entry.practitioner_id] = counts.get(entry.practitioner_id, 0) + 1
        busiest = max(counts, key=lambda k: counts[k]) if counts else ctx.actor.user_id
        timings = []
        for _ in range(20):
            started = time.perf_counter()
            calendar_data.calendar_range(ctx.database, ctx.actor, first, last, busiest, None)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(f"week view data for the busiest practitioner ({counts.get(busiest, 0)} visits): "
              f"median {timings[len(timings) // 2]:.1f} ms, max {timings[-1]:.1f} ms over 20 loads")
        screen = window.open_screen("Calendar")
        window.tabs.setCurrentWidget(screen)
        index = screen.who.findData(("practitioner", busiest))
        screen.who.setCurrentIndex(max(0, index))
        QTimer.singleShot(900, lambda: shoot_week(window, screen))

    def shoot_week(window, screen) -> None:  # type: ignore[no-untyped-def]
        window.grab().save(str(out / "calendar-week.png"))
        print(f"week view round trip in the UI: {screen.loaded_ms:.1f} ms")
        screen.show_all()
        QTimer.singleShot(900, lambda: shoot_week_all(window, screen))

    def shoot_week_all(window, screen) -> None:  # type: ignore[no-untyped-def]
        window.grab().save(str(out / "calendar-week-all.png"))
        print(f"all-practitioners week round trip in the UI: {screen.loaded_ms:.1f} ms")
        screen.set_mode("day")
        QTimer.singleShot(700, lambda: shoot_day(window, screen))

    def shoot_day(window, screen) -> None:  # type: ignore[no-untyped-def]
        window.grab().save(str(out / "calendar-day.png"))

        today = window.open_screen("Today")
        window.tabs.setCurrentWidget(today)
        QTimer.singleShot(700, lambda: shoot_today(window))

    def shoot_today(window) -> None:  # type: ignore[no-untyped-def]
        window.grab().save(str(out / "today.png"))
        window.tabs.setCurrentIndex(0)
        window.patients.table.selectRow(3)
        QTimer.singleShot(700, lambda: open_dialog(window))

    def open_dialog(window) -> None:  # type: ignore[no-untyped-def]
        from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill

        patient = window.current_patient()
        start = window.context.today() + timedelta(days=30)
        prefill = Prefill(patient.id if patient else None, patient.label() if patient else "",
                          window.context.actor.user_id,
                          None, datetime.combine(start, clock(10)))
        dialog = CourseBookingDialog(window.context, prefill, window)
        dialog.show()
        QTimer.singleShot(1500, lambda: shoot_dialog(dialog))

    def shoot_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.grab().save(str(out / "course-dialog.png"))
        dialog.date.setDate(dialog.date.date().fromString("2027-12-13", "yyyy-MM-dd"))
        dialog.pattern.setText("weekly x4, fortnightly x2, monthly x3")
        QTimer.singleShot(1500, lambda: finish(dialog, date))

    def finish(dialog, _day) -> None:  # type: ignore[no-untyped-def]
        dialog.grab().save(str(out / "course-dialog-christmas.png"))
        dialog.time.setTime(dialog.time.time().fromString("17:30", "HH:mm"))
        QTimer.singleShot(1500, lambda: (dialog.grab().save(str(out / "course-dialog-conflict.png")), app.quit()))

    demo.when_window(when_ready)
    return demo.run()


if __name__ == "__main__":
    raise SystemExit(main())
