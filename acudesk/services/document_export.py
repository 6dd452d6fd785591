"""Document files: render a document's PDF from the data :mod:`acudesk.services.documents` gathers,
write it atomically where asked, and record the export.

Every exported file is recorded in ``exported_documents`` (who, what, when, SHA-256, pages) with an
``export`` audit event in the same transaction. A document rendered only to be printed is written to a
private temporary file by :func:`render_to_file`, which records nothing; once the printer has it,
:func:`record_print` records it the same way with a ``print`` audit event naming the printer.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from acudesk.domain.errors import ValidationError
from acudesk.persistence.database import Database
from acudesk.persistence.models import ExportedDocument
from acudesk.services import audit
from acudesk.services.context import Actor
from acudesk.services.documents import (
    care_summary_data,
    day_list_data,
    handout_data,
    receipt_data,
    referral_data,
)
from acudesk.services.permissions import Permission, require

KINDS = ("handout", "summary", "referral", "receipt", "daylist")


class ExportPathError(ValidationError):
    """The PDF cannot be written where asked."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kind: str
    document_id: int
    sha256: str
    pages: int
    seconds: float


# Clinical documents need clinical access; the rest are front-desk papers.
DOCUMENT_PERMISSIONS: dict[str, Permission] = {
    "handout": Permission.PRINT_HANDOUTS, "receipt": Permission.PRINT_HANDOUTS, "daylist": Permission.PRINT_HANDOUTS,
    "summary": Permission.VIEW_CLINICAL, "referral": Permission.VIEW_CLINICAL,
}


def render_document(
    database: Database, actor: Actor, kind: str, *, patient_id: int | None = None, day: date | None = None,
    appointment_id: int | None = None, now: datetime | None = None,
) -> tuple[bytes, int]:
    """Gather and render one document; returns (PDF bytes, pages). Nothing is recorded.

    ``now`` (aware) is when it is printed, by default the present; each document shows it in the
    clinic's time zone as "Printed …", apart from the date of its content."""
    if kind not in KINDS:
        raise ValidationError(f"Unknown document '{kind}'; choose one of: {', '.join(KINDS)}.", field="kind")
    require(actor, DOCUMENT_PERMISSIONS[kind])  # before any other work (tests/services/test_role_matrix.py)
    if kind == "daylist":
        from acudesk.reports.office import render_day_list

        if day is None:
            raise ValidationError("The day list needs a date.", field="day")
        return render_day_list(day_list_data(database, actor, day, now=now))
    if kind == "handout":
        from acudesk.reports.handout import render_handout

        return render_handout(handout_data(database, actor, patient_id, now=now))
    if patient_id is None:
        raise ValidationError(f"The {kind} needs a patient.", field="patient")
    if kind == "summary":
        from acudesk.reports.care_summary import render_care_summary

        return render_care_summary(care_summary_data(database, actor, patient_id, now=now))
    if kind == "referral":
        from acudesk.reports.referral import render_referral

        return render_referral(referral_data(database, actor, patient_id, now=now))
    from acudesk.reports.office import render_receipt

    return render_receipt(receipt_data(database, actor, patient_id, appointment_id, now=now))


def _check_destination(out: Path) -> Path:
    out = Path(out).expanduser()
    if out.is_dir():
        raise ExportPathError(f"{out} is a folder; give a file name ending in .pdf.", field="out")
    if not out.parent.is_dir():
        raise ExportPathError(f"The folder {out.parent} does not exist.", field="out")
    if not os.access(out.parent, os.W_OK):
        raise ExportPathError(f"AcuDesk may not write to the folder {out.parent}.", field="out")
    return out


def _write_atomically(out: Path, pdf: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".acudesk-", suffix=".pdf", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pdf)
        os.replace(temporary, out)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ExportPathError(f"The PDF could not be written to {out}: {error.strerror}.", field="out") from error


@dataclass(frozen=True)
class RenderedFile:
    """A document rendered to a file that has not left AcuDesk yet (a print job's private temporary PDF)."""

    path: Path
    kind: str
    patient_id: int | None
    day: date | None
    appointment_id: int | None
    sha256: str
    pages: int


def render_to_file(
    database: Database, actor: Actor, kind: str, out: Path, *, patient_id: int | None = None,
    day: date | None = None, appointment_id: int | None = None,
) -> RenderedFile:
    """Render a document to ``out`` (written atomically, readable by its owner only) and record nothing:
    the caller records what happens to it (:func:`record_print`) or removes it."""
    if kind in DOCUMENT_PERMISSIONS:
        require(actor, DOCUMENT_PERMISSIONS[kind])
    out = _check_destination(out)
    pdf, pages = render_document(database, actor, kind, patient_id=patient_id, day=day,
                                 appointment_id=appointment_id)
    _write_atomically(out, pdf)
    return RenderedFile(out, kind, patient_id, day, appointment_id, hashlib.sha256(pdf).hexdigest(), pages)


def record_print(database: Database, actor: Actor, rendered: RenderedFile, *, printer: str) -> int:
    """Record that ``rendered`` went to ``printer`` (its name, or "PDF file"): a row in exported_documents
    and a ``print`` audit event in the same transaction. Returns the row's id."""
    require(actor, DOCUMENT_PERMISSIONS[rendered.kind])
    return _record(database, actor, "print", rendered.kind, rendered.path.name, rendered.sha256, rendered.pages,
                   patient_id=rendered.patient_id, day=rendered.day, appointment_id=rendered.appointment_id,
                   extra={"printer": printer[:120]})


def _record(database: Database, actor: Actor, action: str, kind: str, file_name: str, digest: str, pages: int, *,
            patient_id: int | None, day: date | None, appointment_id: int | None,
            extra: dict[str, object] | None = None) -> int:
    with database.write() as tx:
        document = ExportedDocument(patient_id=patient_id, kind=kind, created_by_id=actor.user_id,
                                    file_name=file_name[:255], sha256=digest, pages=pages)
        tx.add(document)
        tx.flush()
        detail: dict[str, object] = {"kind": kind, "pages": pages, "sha256": digest, **(extra or {})}
        if day is not None:
            detail["day"] = day.isoformat()
        if appointment_id is not None:
            detail["appointment_id"] = appointment_id
        audit.record(tx, actor, action, "document", document.id, patient_id=patient_id, detail=detail)
        return document.id


def export_document(
    database: Database, actor: Actor, kind: str, out: Path, *, patient_id: int | None = None,
    day: date | None = None, appointment_id: int | None = None, clock: Callable[[], float] = time.perf_counter,
) -> ExportResult:
    """Render a document to ``out`` and record the export (digest, pages) with an audit event."""
    if kind in DOCUMENT_PERMISSIONS:
        require(actor, DOCUMENT_PERMISSIONS[kind])
    out = _check_destination(out)
    started = clock()
    pdf, pages = render_document(database, actor, kind, patient_id=patient_id, day=day,
                                 appointment_id=appointment_id)
    _write_atomically(out, pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    document_id = _record(database, actor, "export", kind, out.name, digest, pages, patient_id=patient_id, day=day,
                          appointment_id=appointment_id)
    return ExportResult(out, kind, document_id, digest, pages, clock() - started)
