"""What a write changed: the ``Changes`` value each committed unit of work produces.

Modelled on Anki's ``OpChanges``: a write reports which kinds of data it touched (and for which
patients), and every screen decides from that value alone whether it must reload. The value is not
written by hand in each service, where it could be forgotten or wrong: ``Database.write()`` reads
it off the rows the transaction actually flushed (inserted, updated or deleted) and, once the
commit succeeded, hands it to the ``recording_changes()`` block the write ran in. The UI's
operations module runs every write inside such a block and broadcasts the result
(docs/architecture.md, "One write's path").

A ``Changes`` value is plain data (table names and ids), so a change seen on another workstation
can be carried in the same shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

# Which tables make up each area a screen may show. A table not listed here still counts as a
# change (``bool(changes)``) but belongs to no area.
PATIENT_TABLES = frozenset({"patients"})
SCHEDULE_TABLES = frozenset({"appointments", "payments", "course_phases", "booking_preferences", "waitlist_entries"})
CLINICAL_TABLES = frozenset({
    "intakes", "treatment_plans", "plan_points", "plan_techniques", "course_phases", "session_records",
    "session_points", "outcome_measurements", "adverse_events", "flag_clearances",
    "pain_drawings",
})
DOCUMENT_TABLES = frozenset({"exported_documents"})
STAFF_TABLES = frozenset({"users", "user_roles"})
CLINIC_TABLES = frozenset({"clinic", "rooms", "visit_types", "closures", "settings"})
AUDIT_TABLES = frozenset({"audit_events"})


@dataclass(frozen=True)
class Changes:
    """Tables written and the patients concerned. ``everything`` means "assume all data changed"
    (a restore, a conflict with another workstation's save)."""

    tables: frozenset[str] = frozenset()
    patient_ids: frozenset[int] = frozenset()
    everything: bool = False

    @classmethod
    def all(cls) -> Changes:
        return cls(everything=True)

    def __bool__(self) -> bool:
        return self.everything or bool(self.tables)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.tables | other.tables, self.patient_ids | other.patient_ids,
                       self.everything or other.everything)

    def _touches(self, tables: frozenset[str]) -> bool:
        return self.everything or not self.tables.isdisjoint(tables)

    @property
    def patients(self) -> bool:
        """Registry details: names, contact details, archiving."""
        return self._touches(PATIENT_TABLES)

    @property
    def schedule(self) -> bool:
        """Appointments, courses and payments: calendars, today's list, the patient pane."""
        return self._touches(SCHEDULE_TABLES)

    @property
    def clinical(self) -> bool:
        """Intakes, plans, sessions, outcomes, adverse events: the charts."""
        return self._touches(CLINICAL_TABLES)

    @property
    def documents(self) -> bool:
        return self._touches(DOCUMENT_TABLES)

    @property
    def staff(self) -> bool:
        """User accounts and roles."""
        return self._touches(STAFF_TABLES)

    @property
    def clinic(self) -> bool:
        """Clinic settings: rooms, visit types, closures, opening hours."""
        return self._touches(CLINIC_TABLES)

    @property
    def audit(self) -> bool:
        return self._touches(AUDIT_TABLES)

    def concerns_patient(self, patient_id: int) -> bool:
        """Whether this change may concern ``patient_id``'s records."""
        return self.everything or patient_id in self.patient_ids

    def describe(self) -> str:
        """Table names only, for the log (never patient data)."""
        return "everything" if self.everything else ",".join(sorted(self.tables)) or "nothing"


NO_CHANGES = Changes()


def changes_of(rows: Iterable[object]) -> Changes:
    """The ``Changes`` for ORM objects a flush wrote: their tables and the patients they belong to."""
    tables: set[str] = set()
    patients: set[int] = set()
    for row in rows:
        table = getattr(getattr(row, "__table__", None), "name", None)
        if table is None:
            continue
        tables.add(table)
        patient_id = getattr(row, "id" if table in PATIENT_TABLES else "patient_id", None)
        if isinstance(patient_id, int):
            patients.add(patient_id)
    return Changes(frozenset(tables), frozenset(patients))


@dataclass
class ChangeLog:
    """What the writes inside one ``recording_changes()`` block committed, merged."""

    changes: Changes = field(default=NO_CHANGES)

    def add(self, changes: Changes) -> None:
        self.changes = self.changes | changes


_current: ContextVar[ChangeLog | None] = ContextVar("acudesk_change_log", default=None)


@contextmanager
def recording_changes() -> Iterator[ChangeLog]:
    """Collect the ``Changes`` of every write committed in this block (on this thread)."""
    log = ChangeLog()
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def committed(changes: Changes) -> None:
    """Called by ``Database.write()`` after a successful commit."""
    log = _current.get()
    if log is not None and changes:
        log.add(changes)
