"""A signed session record and its amendments, stacked oldest first, each with author, time and reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from html import escape

from acudesk.domain import dates
from acudesk.services.sessions import SessionData
from acudesk.ui.qt import QLabel, Qt, QWidget
from acudesk.ui.style import ACCENT, CAUTION_BORDER, CHANGED_BACKGROUND


def _fields(record: SessionData) -> list[tuple[str, str]]:
    d = record.draft
    nrs = f"{'—' if d.nrs_before is None else d.nrs_before} → {'—' if d.nrs_after is None else d.nrs_after}"
    return [
        ("Points", ", ".join(f"{p.code} ({p.side})" for p in d.points) or "—"),
        ("Needles in / out", f"{d.needles_in} / {d.needles_out}"),
        ("Retention", f"{d.retention_minutes} min" if d.retention_minutes is not None else "—"),
        ("Pain before → after", nrs),
        ("S", d.subjective), ("O", d.objective), ("A", d.assessment), ("P", d.plan_note),
    ]


def history_html(records: Sequence[SessionData], zone: tzinfo) -> str:
    parts = []
    previous: dict[str, str] = {}
    for record in records:
        before = dict(previous)
        signed = dates.day_and_time(record.signed_at, zone) if record.signed_at else "not signed"
        if record.amends_id is None:
            head = f"<b>Original</b> — {escape(record.practitioner)}, signed {signed}"
        else:
            head = (f"<b>Amendment</b> — {escape(record.practitioner)}, {signed}<br>"
                    f"<i>Reason: {escape(record.amendment_reason)}</i>")
        rows = []
        for label, value in _fields(record):
            changed = bool(before) and before.get(label) != value
            style = f" style='background:{CHANGED_BACKGROUND}'" if changed else ""
            rows.append(f"<tr{style}><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>")
            previous[label] = value
        if record.amends_id is not None:
            head += "<br><small>Changed lines are highlighted.</small>"
        border = ACCENT if record.amends_id is None else CAUTION_BORDER
        parts.append(f"<div style='border-left: 4px solid {border}; margin-bottom: 8px'>{head}"
                     f"<table cellspacing='4'>{''.join(rows)}</table></div>")
    return "".join(parts)


class HistoryView(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionHistory")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.records: list[SessionData] = []

    def show_records(self, records: Sequence[SessionData], zone: tzinfo) -> None:
        """The records, their moments in ``zone`` (the clinic's)."""
        self.records = list(records)
        self.setText(history_html(records, zone))
