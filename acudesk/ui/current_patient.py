"""Which patient a screen is about, so that toolbar and menu actions never act on someone else.

Each main-window screen answers ``current_patient()`` for the patient it has in front (the selected
row of the registry, the selected visit on Today) and emits ``currentPatientChanged`` when that
changes; the main window's patient actions and its header follow the screen in front only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from acudesk.domain import dates


@dataclass(frozen=True)
class CurrentPatient:
    id: int
    name: str  # "Given Family", for the screen only (never logged)
    born: date | None = None

    def label(self) -> str:
        """How dialogs name the patient: the name, and the date of birth when known."""
        return f"{self.name}  ·  born {dates.day(self.born)}" if self.born else self.name
