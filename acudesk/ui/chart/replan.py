"""Accepting a tapering (or relapse) proposal: show exactly what changes, then re-plan on the worker.

Nothing is re-booked without this explicit confirmation. The service works the proposal out again
inside its transaction and refuses if anything changed since it was shown. The re-planning is a write:
the outcomes, the calendars and every chart of the patient refresh from its change broadcast.
"""

from __future__ import annotations

from acudesk.domain import dates
from acudesk.services import replanning
from acudesk.services.permissions import Permission, allowed
from acudesk.services.replanning import ReplanProposal, ReplanResult
from acudesk.ui.context import AppContext
from acudesk.ui.qt import QMessageBox, QPushButton, QWidget, Signal


def describe(proposal: ReplanProposal) -> str:
    lines = [f"{proposal.kind.capitalize()}: {proposal.reason}", "",
             f"Visits after visit {proposal.after_visit} are replaced by: {proposal.pattern}."]
    if proposal.cancelled:
        lines.append("Cancelled: " + ", ".join(f"{dates.day_and_time(v.local_start)}" for v in proposal.cancelled))
    if proposal.visits:
        lines.append("Booked: " + ", ".join(f"{dates.day_and_time(v.local_start)}" for v in proposal.visits))
    if proposal.conflicts:
        lines += ["", "This cannot be booked as it stands:", *proposal.conflicts]
    return "\n".join(lines)


class ReplanButton(QPushButton):
    """Offers the plan's current proposal for acceptance; emits ``replanned`` after the visits change."""

    replanned = Signal(object)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Review and re-plan the visits…", parent)
        self.setObjectName("replanButton")
        self.context = context
        self.plan_id: int | None = None
        self.clicked.connect(self.review)
        self.setEnabled(False)

    def set_plan(self, plan_id: int | None, has_proposal: bool) -> None:
        self.plan_id = plan_id
        can = allowed(self.context.actor, Permission.EDIT_SCHEDULE)
        self.setEnabled(bool(plan_id) and has_proposal and can)

    def review(self) -> None:
        if self.plan_id is None:
            return
        ctx, plan_id = self.context, self.plan_id
        ctx.operations.query(self, lambda: replanning.taper_proposal(ctx.database, ctx.actor, plan_id), self._confirm,
                             key="proposal")

    def _confirm(self, proposal: ReplanProposal | None) -> None:
        if proposal is None:
            QMessageBox.information(self, "Course proposal", "There is no change to propose any more.")
            return
        if not proposal.ok:
            QMessageBox.warning(self, "Course proposal", describe(proposal))
            return
        answer = QMessageBox.question(self, "Re-plan the course?", describe(proposal) + "\n\nRe-plan now?")
        if answer != QMessageBox.StandardButton.Yes:
            return
        ctx = self.context
        ctx.operations.write(self, lambda: replanning.accept_proposal(ctx.database, ctx.actor, proposal), self._done)

    def _done(self, result: ReplanResult) -> None:
        self.replanned.emit(result)
