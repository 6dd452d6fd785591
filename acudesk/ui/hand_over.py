"""Handing a locked window over to someone else ("Sign in as someone else" on the lock screen).

The open charts belong to the clinical session of the person who opened them. So, once the new person's
password has been checked (``auth.sign_in``; the lock screen did that), in this order:

1. every open chart closes the way it always closes: typed, unsaved notes are saved as drafts, never
   signed, still in the previous person's name (their sign-in is still live, and ``context.actor`` is
   still theirs while the drafts are written);
2. then the window acts for the new person: ``context.actor`` is theirs for every screen and operation,
   and the previous person's sign-in ends (``auth.sign_out``, audited ``logout`` naming who took over);
3. the dialogs the previous person had open are closed, and the menus, toolbar and screens are built
   anew for the new person's roles (``MainWindow.rebuild_for_actor``);
4. a notice says which charts were closed and why ("your role cannot see clinical records").

Charts are closed even when the new person may read them (a practitioner taking over a colleague's
screen): a draft typed by one practitioner is never continued, or signed, under another's name
by accident; the new practitioner opens the chart again in their own name. If a chart cannot keep its
notes as a draft, the hand-over stops: the new sign-in ends at once and the window stays locked for the
previous person. docs/security.md ("Handing a locked screen over").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from acudesk.services import auth
from acudesk.services.context import Actor
from acudesk.services.permissions import Permission, allowed
from acudesk.ui.qt import QMessageBox, QObject, QWidget, is_alive

if TYPE_CHECKING:
    from acudesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)
CHART_TITLE_PREFIX = "Chart — "


def chart_patient_name(chart: QWidget) -> str:
    """The patient's name as the chart's title gives it (set once the chart has loaded)."""
    title = chart.windowTitle()
    return title.removeprefix(CHART_TITLE_PREFIX) if title.startswith(CHART_TITLE_PREFIX) else "a patient"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def closed_charts_notice(names: list[str], previous: Actor, new: Actor) -> str:
    """What the new person is told about the charts that were open."""
    charts = f"{names[0]}'s chart was closed" if len(names) == 1 else f"The charts of {_names(names)} were closed"
    if not allowed(new, Permission.VIEW_CLINICAL):
        why = "your role cannot see clinical records."
    else:
        why = f"it was open in {previous.display_name}'s name. Open it again to work in your own name." \
            if len(names) == 1 else \
            f"they were open in {previous.display_name}'s name. Open them again to work in your own name."
    return (f"{charts}: {why} {previous.display_name} was signed out; any unsaved notes were kept as drafts "
            f"in {previous.display_name}'s name.")


def refusal_for_amendment(window: MainWindow) -> str | None:
    """An amendment being written is not a draft (the chart would ask to give it up): the screen is not
    handed over while one is open; the person writing it unlocks and saves or gives it up first."""
    for chart in window.charts.values():
        sessions = getattr(chart, "sessions", None)
        if is_alive(chart) and sessions is not None and sessions.mode == "amend" and sessions.editing():
            who = window.context.actor.display_name
            return (f"{who} is writing an amendment in {chart_patient_name(chart)}'s chart, which cannot be kept "
                    f"as a draft. {who} must unlock first and save it or give it up.")
    return None


class HandOver(QObject):
    """One hand-over in progress: closes the charts, then switches the window to ``new``."""

    def __init__(self, window: MainWindow, new: Actor) -> None:
        super().__init__(window)
        self.window, self.new, self.previous = window, new, window.context.actor
        self.charts = [chart for chart in window.charts.values() if is_alive(chart)]
        self.names = [chart_patient_name(chart) for chart in self.charts]
        self.remaining = len(self.charts)
        self.stopped = False

    def start(self) -> None:
        if not self.charts:
            self._finish()
            return
        for chart in self.charts:
            chart.destroyed.connect(self._chart_gone)
            chart.closeAbandoned.connect(self._stop)  # type: ignore[attr-defined]
        for chart in list(self.charts):
            if is_alive(chart):
                chart.close()  # saves typed notes as drafts first, in the previous person's name

    def _chart_gone(self, *_args: object) -> None:
        self.remaining -= 1
        if self.remaining == 0 and not self.stopped:
            self._finish()

    def _stop(self) -> None:
        """A chart kept its notes (they could not be saved as a draft): nobody takes over."""
        if self.stopped:
            return
        self.stopped = True
        ctx, new = self.window.context, self.new
        ctx.operations.write(None, lambda: auth.sign_out(ctx.database, new), None,
                             on_failure=lambda error: log.warning("Ending a stopped hand-over's sign-in failed: %s",
                                                                  type(error).__name__))
        self.window.hand_over_stopped(
            f"A chart holds notes that could not be saved as a draft, so the screen was not handed over and "
            f"{new.display_name} was signed out again. {self.previous.display_name} must unlock to keep or give "
            f"up those notes.")
        self.deleteLater()

    def _finish(self) -> None:
        ctx, previous, new = self.window.context, self.previous, self.new
        ctx.actor = new  # from here on every screen and operation acts for the new person
        ctx.operations.write(None, lambda: auth.sign_out(ctx.database, previous, handed_over_to=new), None,
                             on_failure=lambda error: log.warning("Signing out the previous person failed: %s",
                                                                  type(error).__name__))
        notice = closed_charts_notice(self.names, previous, new) if self.names else \
            f"{previous.display_name} was signed out; you are signed in as {new.display_name}."
        self.window.handed_over(notice)
        self.deleteLater()


def show_notice(parent: QWidget, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "Signed in as someone else", text, parent=parent)
    box.setObjectName("handOverNotice")
    box.open()
    return box
