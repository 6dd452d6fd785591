"""What each appointment status is called wherever a person reads it: the calendar, the today list,
the legend and the printed day list all take their words from here."""

from __future__ import annotations

STATUS_LABELS: dict[str, str] = {
    "booked": "Booked",
    "arrived": "Checked in",
    "completed": "Completed",
    "cancelled": "Cancelled",
    "no_show": "No-show",
}


def status_label(status: str) -> str:
    """The status as the app shows it ("arrived" is "Checked in"); an unknown status as stored."""
    return STATUS_LABELS.get(status, status)
