"""Draw the user guide's pictures (resources/help/images) from the running app, on a throwaway demo
clinic at 1366x768, offscreen. Every picture ``resources/help/guide.md`` shows must have a recipe
here: the script fails naming any that has none, so the guide never shows a picture the app did not
draw.

Usage: make guide-images
   or: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_guide_images.py [OUTDIR]
"""

from __future__ import annotations

import faulthandler
import os
import sys
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
if len(sys.argv) < 2:
    sys.argv.append(str(Path(__file__).resolve().parents[1] / "resources" / "help" / "images"))

from demo_app import DemoApp  # noqa: E402
from sqlalchemy import select  # noqa: E402

from acudesk.persistence.models import TreatmentPlan  # noqa: E402
from acudesk.ui.help import guide_images, guide_text  # noqa: E402
from acudesk.ui.qt import QTimer, QWidget  # noqa: E402

WIDTH = 720  # pictures are scaled to this width: the guide's page shows them whole, and they stay small
SETTLE_MS = 900  # time for a screen's queries to answer before it is drawn
GIVE_UP_S = 150  # a run takes under a minute; past this the stacks are printed and the script exits


def _fail_loudly(kind: type[BaseException], error: BaseException, tb: object) -> None:
    """An error in a step (or in the app's own work) ends the run with its traceback on stderr; the
    app's own handler would open a modal box that no one offscreen can close, and the run would hang."""
    traceback.print_exception(kind, error, tb)  # type: ignore[arg-type]
    sys.stderr.flush()
    os._exit(1)


def _scaled_save(widget: QWidget, path: Path) -> None:
    image = widget.grab().toImage()
    if image.width() > WIDTH:
        from acudesk.ui.qt import Qt

        image = image.scaledToWidth(WIDTH, Qt.TransformationMode.SmoothTransformation)
    image.save(str(path))


def main() -> int:
    faulthandler.dump_traceback_later(GIVE_UP_S, exit=True)
    demo = DemoApp()
    sys.excepthook = _fail_loudly  # after start-up, which installs the app's handler
    import acudesk.ui.errors

    acudesk.ui.errors.report_exception = lambda error, parent=None: _fail_loudly(  # type: ignore[assignment]
        type(error), error, error.__traceback__)
    app, out = demo.app, demo.out
    wanted = [Path(image).name for image in guide_images(guide_text())]
    steps: list[Callable[[], object]] = []
    state: dict[str, object] = {}

    def shot(name: str, widget: Callable[[], QWidget]) -> Callable[[], object]:
        return lambda: _scaled_save(widget(), out / name)

    def recipes(window) -> dict[str, list[Callable[[], object]]]:  # type: ignore[no-untyped-def]
        from acudesk.ui.admin.users_dialog import UsersDialog
        from acudesk.ui.calendar.course_dialog import CourseBookingDialog, Prefill
        from acudesk.ui.chart.window import PatientChartWindow
        from acudesk.ui.patient_dialog import PatientDialog

        ctx = window.context
        with ctx.database.read() as session:
            treated = session.scalars(select(TreatmentPlan.patient_id)
                                      .where(TreatmentPlan.status == "active")).first() or 1

        def chart() -> PatientChartWindow:
            if "chart" not in state:
                found = PatientChartWindow(ctx, treated)
                found.resize(1366, 768)
                found.show()
                state["chart"] = found
            return state["chart"]  # type: ignore[return-value]

        def new_patient() -> PatientDialog:
            dialog = PatientDialog(ctx, parent=window)
            for name, text in (("family_name", "Quill"), ("given_name", "Nora"), ("date_of_birth", "14/05/1979"),
                               ("phone", "07700 900381")):
                dialog.editor(name).setText(text)  # type: ignore[attr-defined]
            dialog.editor("consent_to_treatment").setChecked(True)  # type: ignore[attr-defined]
            dialog.show()
            state["dialog"] = dialog
            return dialog

        def booking() -> CourseBookingDialog:
            patient = window.current_patient()
            start = ctx.today() + timedelta(days=7 - ctx.today().weekday() + 14)
            dialog = CourseBookingDialog(ctx, Prefill(patient.id if patient else None,
                                                      patient.label() if patient else "", ctx.actor.user_id,
                                                      None, datetime.combine(start, clock(10))), window)
            dialog.show()
            state["dialog"] = dialog
            return dialog

        def users() -> UsersDialog:
            dialog = UsersDialog(ctx, window)
            dialog.show()
            state["dialog"] = dialog
            return dialog

        def close_dialog() -> None:
            # done(), not close(): the dialog holds the picture's typed text, and close() would ask whether
            # to keep it (a question left open refuses the quit at the end, and the run would never end)
            dialog = state.pop("dialog", None)
            if dialog is not None:
                dialog.done(0)  # type: ignore[attr-defined]

        def calendar_week() -> None:
            screen = window.open_screen("Calendar")
            window.tabs.setCurrentWidget(screen)
            screen.show_all()

        def chart_tab(name: str) -> Callable[[], None]:
            return lambda: chart().tabs.setCurrentWidget(getattr(chart(), name))

        return {
            "patients.png": [lambda: window.patients.table.selectRow(3), shot("patients.png", lambda: window)],
            "new-patient.png": [new_patient, shot("new-patient.png", lambda: state["dialog"]), close_dialog],
            "book-course.png": [booking, lambda: None, shot("book-course.png", lambda: state["dialog"]),
                                close_dialog],
            "today.png": [lambda: window.tabs.setCurrentWidget(window.open_screen("Today")),
                          shot("today.png", lambda: window)],
            "calendar.png": [calendar_week, lambda: None, shot("calendar.png", lambda: window),
                             lambda: window.tabs.setCurrentIndex(0)],
            "chart-intake.png": [chart_tab("intake"), shot("chart-intake.png", chart)],
            "chart-pain-drawing.png": [chart_tab("pain"), shot("chart-pain-drawing.png", chart)],
            "chart-session.png": [chart_tab("sessions"), lambda: chart().sessions.list.setCurrentRow(0),
                                  shot("chart-session.png", chart)],
            "chart-outcomes.png": [chart_tab("outcomes"), shot("chart-outcomes.png", chart)],
            "users.png": [users, shot("users.png", lambda: state["dialog"]), close_dialog],
        }

    def when_ready(window) -> None:  # type: ignore[no-untyped-def]
        window.resize(1366, 768)
        known = recipes(window)
        missing = [name for name in wanted if name not in known]
        if missing:
            print(f"no recipe for the guide's pictures: {', '.join(missing)}", file=sys.stderr)
            app.exit(2)
            return
        for name in wanted:
            steps.extend(known[name])
        # exit(), not quit(): Qt 6's quit() is cancelled by any window that refuses to close
        steps.append(lambda: (state.get("chart") and state["chart"].close(), app.exit(0)))  # type: ignore[union-attr]
        QTimer.singleShot(SETTLE_MS, next_step)

    def next_step() -> None:
        if steps:
            steps.pop(0)()
            QTimer.singleShot(SETTLE_MS, next_step)

    demo.when_window(when_ready)
    return demo.run()


if __name__ == "__main__":
    raise SystemExit(main())
