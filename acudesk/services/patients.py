"""Patient registry use cases: register, find, edit, archive and restore.

Returns plain dataclasses (``PatientRecord``, ``PatientRow``), never live ORM objects.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    false,
    literal_column,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from acudesk.domain import dates
from acudesk.domain.errors import DuplicateError, NotFoundError
from acudesk.domain.patient_search import PatientQuery, parse_query, reads_country
from acudesk.domain.patients import PatientDetails, fold, full_name, phone_search_key, validate_patient
from acudesk.persistence.database import Database
from acudesk.persistence.models import Patient, utcnow
from acudesk.persistence.search_indexes import GIVEN_INITIALS
from acudesk.services import audit
from acudesk.services.clinic import clinic_country, clinic_today
from acudesk.services.context import Actor
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require

DETAIL_FIELDS = tuple(f.name for f in fields(PatientDetails))
# The patient list shows at most this many matches; beyond it the receptionist types more. It keeps
# every keystroke's query bounded however large the clinic grows (docs/performance.md).
LIST_LIMIT = 1000


@dataclass(frozen=True)
class PatientRecord:
    """One patient's full details as stored, with the version needed to save an edit."""

    id: int
    details: PatientDetails
    archived: bool
    archived_at: datetime | None
    version: int
    created_at: datetime


@dataclass(frozen=True)
class PatientRow:
    """The columns the patient list shows."""

    id: int
    family_name: str
    given_name: str
    date_of_birth: date
    phone: str
    archived: bool


def _record(patient: Patient) -> PatientRecord:
    details = PatientDetails(**{name: getattr(patient, name) for name in DETAIL_FIELDS})
    return PatientRecord(
        id=patient.id,
        details=details,
        archived=patient.archived,
        archived_at=patient.archived_at,
        version=patient.version,
        created_at=patient.created_at,
    )


def _apply(patient: Patient, details: PatientDetails) -> list[str]:
    """Copy details onto the row; return the names of the fields that changed."""
    changed = []
    for name in DETAIL_FIELDS:
        value = getattr(details, name)
        if getattr(patient, name, None) != value:
            setattr(patient, name, value)
            changed.append(name)
    patient.family_key = fold(details.family_name)
    patient.given_key = fold(details.given_name)
    patient.phone_key = phone_search_key(details.phone)
    return changed


def find_duplicates(tx: Session, details: PatientDetails, *, exclude_id: int | None = None) -> list[int]:
    """Ids of patients with the same folded names and date of birth (archived included)."""
    query = select(Patient.id).where(
        Patient.family_key == fold(details.family_name),
        Patient.given_key == fold(details.given_name),
        Patient.date_of_birth == details.date_of_birth,
    )
    if exclude_id is not None:
        query = query.where(Patient.id != exclude_id)
    return list(tx.scalars(query))


def register_patient(
    database: Database, actor: Actor, details: PatientDetails, *, confirm_duplicate: bool = False
) -> PatientRecord:
    """Create a patient. A same-name, same-birthday patient raises ``DuplicateError`` unless confirmed."""
    require(actor, Permission.EDIT_PATIENTS)
    with database.write() as tx:
        clean = validate_patient(details, today=clinic_today(tx), country=clinic_country(tx))
        duplicates = find_duplicates(tx, clean)
        if duplicates and not confirm_duplicate:
            born = dates.day(clean.date_of_birth) if clean.date_of_birth else "on an unknown date"
            raise DuplicateError(
                f"{full_name(clean.given_name, clean.family_name)}, born {born}, is already "
                f"registered (patient no. {duplicates[0]}). Open that record, or confirm this is a "
                "different person.",
                existing_id=duplicates[0],
            )
        patient = Patient(archived=False)
        _apply(patient, clean)
        tx.add(patient)
        tx.flush()
        audit.record(
            tx, actor, "create", "patient", patient.id, patient_id=patient.id,
            detail={"confirmed_duplicate_of": duplicates} if duplicates else None,
        )
        return _record(patient)


def get_patient(database: Database, actor: Actor, patient_id: int) -> PatientRecord:
    require(actor, Permission.VIEW_PATIENTS)
    with database.read() as tx:
        patient = tx.get(Patient, patient_id)
        if patient is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        return _record(patient)


def _load_for_change(tx: Session, patient_id: int, expected_version: int) -> Patient:
    return load_for_change(
        tx, Patient, patient_id, expected_version, what="patient",
        conflict="Someone else saved changes to this patient while you were editing. "
                 "Reload to see their changes; yours were not saved.",
    )


def update_patient(
    database: Database,
    actor: Actor,
    patient_id: int,
    details: PatientDetails,
    *,
    expected_version: int,
    confirm_duplicate: bool = False,
) -> PatientRecord:
    """Save an edit made to the record loaded at ``expected_version`` (optimistic locking)."""
    require(actor, Permission.EDIT_PATIENTS)
    with database.write() as tx:
        clean = validate_patient(details, today=clinic_today(tx), country=clinic_country(tx))
        patient = _load_for_change(tx, patient_id, expected_version)
        duplicates = find_duplicates(tx, clean, exclude_id=patient_id)
        if duplicates and not confirm_duplicate:
            raise DuplicateError(
                f"Another patient (no. {duplicates[0]}) has the same name and date of birth. "
                "Confirm this is a different person.",
                existing_id=duplicates[0],
            )
        changed = _apply(patient, clean)
        if changed:
            tx.flush()
            audit.record(
                tx, actor, "update", "patient", patient.id, patient_id=patient.id,
                detail={"fields": changed},
            )
        return _record(patient)


@dataclass(frozen=True)
class BookedAhead:
    """The visits a patient still has booked: how many, and when the first is (clinic time)."""

    count: int
    first_local_start: datetime | None


def visits_booked_ahead(
    database: Database, actor: Actor, patient_id: int, *, now: datetime | None = None
) -> BookedAhead:
    """What archiving would leave behind in the calendar (asked before a patient is archived)."""
    from acudesk.services.appointments import future_visits  # the scheduling engine: not at start-up

    require(actor, Permission.VIEW_PATIENTS)
    with database.read() as tx:
        rows = future_visits(tx, patient_id, now or datetime.now(UTC))
        return BookedAhead(len(rows), rows[0].local_start if rows else None)


def set_archived(
    database: Database, actor: Actor, patient_id: int, archived: bool, *, expected_version: int,
    cancel_visits_reason: str | None = None, now: datetime | None = None,
) -> PatientRecord:
    """Archive (hide from the default list) or restore a patient. Nothing is ever deleted.

    With ``cancel_visits_reason``, archiving also cancels every visit still booked, with that reason,
    in the same transaction: the patient is archived with their visits cancelled, or neither."""
    from acudesk.services.appointments import cancel_future_visits  # the scheduling engine: when needed

    require(actor, Permission.ARCHIVE_PATIENTS)
    with database.write() as tx:
        patient = _load_for_change(tx, patient_id, expected_version)
        if archived and cancel_visits_reason is not None:
            cancel_future_visits(tx, actor, patient.id, cancel_visits_reason, now=now or datetime.now(UTC))
        if patient.archived != archived:
            patient.archived = archived
            patient.archived_at = utcnow() if archived else None
            tx.flush()
            audit.record(
                tx, actor, "archive" if archived else "restore", "patient", patient.id,
                patient_id=patient.id,
            )
        return _record(patient)


def _next_prefix(prefix: str) -> str:
    """The first string after every string starting with ``prefix``: the end of its range."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _text(name: str) -> BindParameter[str]:
    return bindparam(name, type_=String())


def _prefix_range(column: InstrumentedAttribute[str], name: str) -> ColumnElement[bool]:
    """``column`` starts with the prefix bound as ``name`` (``name_next`` ends the range): an
    index-friendly range (no LIKE, so no wildcards)."""
    return and_(column >= _text(name), column < _text(f"{name}_next"))


def _given_starts_with(name: str, size: int) -> ColumnElement[bool]:
    """Given name starts with the prefix bound as ``name``, of ``size`` letters (3: three or more). One
    or two letters are an equality on the indexed initials (``GIVEN_INITIALS``, written as literals so
    the planner matches the index expression)."""
    if size in GIVEN_INITIALS:
        return literal_column(GIVEN_INITIALS[size]) == _text(name)
    return _prefix_range(Patient.given_key, name)


def _name_matches(name: str, size: int) -> ColumnElement[bool]:
    return or_(_prefix_range(Patient.family_key, name), _given_starts_with(name, size))


def _search_statement(
    query: PatientQuery, include_archived: bool, limit: int | None = None, *, dialect: str = "sqlite"
) -> tuple[Select | CompoundSelect, dict[str, Any]]:
    """The SQL of ``query`` and its values. The SQL depends only on the query's shape (which kinds of
    filter, how many words, their lengths up to 3), so each shape is built once and the same statement
    object is executed again (``_shaped_statement``): SQLAlchemy then skips building it and computing
    its cache key, about 1 ms per keystroke on PostgreSQL's three-part statement."""
    words = sorted(query.name_prefixes, key=len, reverse=True)  # the longest word leads
    params: dict[str, Any] = {}
    for n, word in enumerate(words):
        params |= {f"w{n}": word, f"w{n}_next": _next_prefix(word), f"w{n}_2": word[:2]}
    if query.phone_prefix:
        params |= {"phone": query.phone_prefix, "phone_next": _next_prefix(query.phone_prefix)}
    if query.phone_tail:
        params["phone_tail"] = "%" + query.phone_tail  # digits only: no LIKE wildcard to escape
    if query.date_of_birth is not None:
        params["born"] = query.date_of_birth
    if limit is not None:
        params["limit"] = limit
    sizes = tuple(min(len(word), 3) for word in words)
    statement = _shaped_statement(dialect, include_archived, query.date_of_birth is not None,
                                  bool(query.phone_prefix), sizes, limit is not None, bool(query.phone_tail))
    return statement, params


@functools.lru_cache(maxsize=256)
def _shaped_statement(
    dialect: str, include_archived: bool, by_birth: bool, by_phone: bool, word_sizes: tuple[int, ...],
    limited: bool, by_phone_tail: bool = False,
) -> Select | CompoundSelect:
    """Matching ids (first column) in list order, at most ``:limit``. Each part walks an index in that
    order, so with a limit the database reads only the rows it returns (docs/performance.md, "Third
    round" and "PostgreSQL").

    Names: patients whose family name starts with the longest word typed (``w0``), merged in order
    with those whose given name does (and family name does not); every other word must start either
    name. Phones list in number order (the index's), so the digits typed so far are a range read in
    order; digits that may be a number's end as well (``by_phone_tail``) are matched against every
    number in that index walk, which still reads the index alone, in order.

    The name parts are shaped for each planner; the rows are the same. SQLite merges the ordered index
    walks of a compound with ``ORDER BY`` and stops at the limit (it would sort a part that is a
    subquery). PostgreSQL sorts every match unless each part has its own ``ORDER BY … LIMIT``
    (``_postgres_name_parts``).
    """
    limit = bindparam("limit", type_=Integer()) if limited else None
    order = (Patient.family_key, Patient.given_key, Patient.id)
    filters = [] if include_archived else [Patient.archived == false()]
    if by_birth:
        filters.append(Patient.date_of_birth == bindparam("born", type_=Date()))
    if by_phone and by_phone_tail:
        filters.append(or_(_prefix_range(Patient.phone_key, "phone"),
                           Patient.phone_key.like(bindparam("phone_tail", type_=String()))))
    elif by_phone:
        filters.append(_prefix_range(Patient.phone_key, "phone"))
    if not word_sizes:
        by_number = (Patient.phone_key,) if by_phone else ()
        return select(Patient.id).where(*filters).order_by(*by_number, *order).limit(limit)
    lead, *others = word_sizes
    filters += [_name_matches(f"w{n}", size) for n, size in enumerate(others, start=1)]
    columns = (Patient.id, Patient.family_key, Patient.given_key)
    parts: list[Select]
    if dialect == "postgresql":
        parts = [select(*columns).where(part, *filters) for part in _postgres_name_parts(lead)]
        if limit is not None:
            # The planner is not shown the limit (a subquery gives it): it then assumes a tenth of the
            # matches will be read and walks the index in order. Shown 1,001, it trusts its estimate of
            # the initials' matches, a guess (PostgreSQL keeps no statistics on expressions of partial
            # indexes: 485 for any letter; 5,600 patients have a given name in "x"), and sorts them all.
            part_limit = select(limit).scalar_subquery()
            limited_parts = [part.order_by(*order).limit(part_limit).subquery() for part in parts]
            parts = [select(*part.c) for part in limited_parts]
        # It merges the limited parts in order (Merge Append) from a subquery too, which returns the ids
        # alone: 1,001 pairs of names less to send and decode.
        found = union_all(*parts).subquery()
        return select(found.c.id).order_by(found.c.family_key, found.c.given_key, found.c.id).limit(limit)
    by_family = _prefix_range(Patient.family_key, "w0")
    parts = [select(*columns).where(by_family, *filters),
             select(*columns).where(_given_starts_with("w0", lead), not_(by_family), *filters)]
    # ORDER BY on the compound itself (not on a subquery of it): SQLite then merges the ordered index
    # walks instead of sorting every match.
    return union_all(*parts).order_by(
        literal_column("family_key"), literal_column("given_key"), literal_column("id")).limit(limit)


def _postgres_name_parts(size: int) -> list[ColumnElement[bool]]:
    """The name search of the leading word ``w0`` on PostgreSQL: patients whose given name starts with
    it, listed before the family-name range (family name below ``w0``), the range itself, and those
    listed after it. Each is one range of an index in list order (``NOT`` of the range would be two,
    which PostgreSQL reads with a bitmap and then sorts); a longer given-name prefix also walks the
    two-letter initials index, since no other index lists a given-name range in family-name order."""
    given = _given_starts_with("w0", size)
    if size > max(GIVEN_INITIALS):
        given = and_(literal_column(GIVEN_INITIALS[max(GIVEN_INITIALS)]) == _text("w0_2"), given)
    return [and_(given, Patient.family_key < _text("w0")), _prefix_range(Patient.family_key, "w0"),
            and_(given, Patient.family_key >= _text("w0_next"))]


def search_patient_ids(
    database: Database, actor: Actor, text: str, *, include_archived: bool = False, limit: int | None = None
) -> list[int]:
    """Ids of matching patients in list order (family name, given name). Empty text lists everyone."""
    return search_patients(database, actor, text, include_archived=include_archived, limit=limit).ids


@dataclass(frozen=True)
class PatientSearch:
    """One type-ahead answer: the matching ids in list order and the rows of the first of them."""

    ids: list[int]
    rows: list[PatientRow]


def search_patients(
    database: Database, actor: Actor, text: str, *, include_archived: bool = False, limit: int | None = None,
    first_rows: int = 0,
) -> PatientSearch:
    """The matching ids plus ``patient_rows`` for the first ``first_rows`` of them, in one read
    transaction: what the patient list runs on every keystroke."""
    require(actor, Permission.VIEW_PATIENTS)
    with database.read() as tx:
        # Only dates and phone numbers read by country: a name costs no query for it.
        query = parse_query(text, country=clinic_country(tx)) if reads_country(text) else parse_query(text)
        # On PostgreSQL each search is planned for the letters typed: psycopg prepares a statement only
        # on its fifth run and forgets the count at every rollback, which ends each read transaction.
        # (A prepared statement could get a generic plan, up to ten times slower for some names;
        # tests/services/test_patient_search_order.py checks that none is prepared.)
        statement, params = _search_statement(query, include_archived, limit, dialect=tx.get_bind().dialect.name)
        # Core, not the ORM: plain ids need no ORM loading (0.4 ms per 1,001 on PostgreSQL); .all()
        # fetches in one call, not row by row.
        ids = list(tx.connection().execute(statement, params).scalars().all())
        return PatientSearch(ids, _rows(tx, ids[:first_rows]))


def patient_rows(database: Database, actor: Actor, ids: Sequence[int]) -> list[PatientRow]:
    """The list columns for ``ids``, in the order given (missing ids are skipped)."""
    require(actor, Permission.VIEW_PATIENTS)
    if not ids:
        return []
    with database.read() as tx:
        return _rows(tx, ids)


def _rows(tx: Session, ids: Sequence[int]) -> list[PatientRow]:
    if not ids:
        return []
    result = tx.connection().execute(_rows_statement(tx.get_bind().dialect.name), {"ids": list(ids)})
    by_id = {row[0]: PatientRow(*row) for row in result.all()}
    return [by_id[i] for i in ids if i in by_id]


@functools.lru_cache(maxsize=4)
def _rows_statement(dialect: str) -> Select:
    """The list columns of the patients ``:ids``. On PostgreSQL the ids are one array (``= ANY``): an
    ``IN`` list of 80 parameters is rendered, sent, parsed and planned anew on every keystroke, about
    1 ms more (docs/performance.md, "PostgreSQL"); SQLite has no arrays."""
    columns = select(Patient.id, Patient.family_name, Patient.given_name, Patient.date_of_birth, Patient.phone,
                     Patient.archived)
    if dialect == "postgresql":
        return columns.where(Patient.id == any_(bindparam("ids", type_=ARRAY(Integer()))))
    return columns.where(Patient.id.in_(bindparam("ids", expanding=True)))
