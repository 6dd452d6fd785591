"""Printing documents: permissions, the export record and its audit event, bad destinations."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

from course_data import build_course

from acudesk.domain.errors import NotFoundError, PermissionDeniedError
from acudesk.persistence.models import AuditEvent, ExportedDocument
from acudesk.services import document_export, documents
from acudesk.services.context import ADMINISTRATOR, RECEPTIONIST


def test_an_export_is_recorded_with_its_digest_and_pages_and_audited(database, admin, tmp_path: Path) -> None:
    course = build_course(database, sessions=4)
    out = tmp_path / "summary.pdf"
    result = document_export.export_document(database, admin, "summary", out, patient_id=course.patient_id)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and result.pages >= 1
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    with database.read() as session:
        row = session.get(ExportedDocument, result.document_id)
        assert row is not None
        assert (row.kind, row.patient_id, row.created_by_id, row.pages, row.sha256, row.file_name) == (
            "summary", course.patient_id, admin.user_id, result.pages, result.sha256, "summary.pdf")
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert (event.entity, event.entity_id, event.patient_id) == ("document", row.id, course.patient_id)
        assert event.detail["kind"] == "summary" and "Lovelace" not in str(event.detail)


def test_a_document_rendered_to_print_is_recorded_only_once_printed_and_then_as_a_print(
    database, admin, tmp_path: Path
) -> None:
    from acudesk.services import audit

    course = build_course(database, sessions=2)
    rendered = document_export.render_to_file(database, admin, "summary", tmp_path / "summary.pdf",
                                              patient_id=course.patient_id)
    data = rendered.path.read_bytes()
    assert data.startswith(b"%PDF") and rendered.pages >= 1 and rendered.sha256 == hashlib.sha256(data).hexdigest()
    if sys.platform != "win32":
        assert rendered.path.stat().st_mode & 0o777 == 0o600  # patient data: readable by its owner only
    with database.read() as session:  # rendered, not yet printed: nothing has left AcuDesk
        assert session.scalars(select(ExportedDocument)).all() == []

    document_id = document_export.record_print(database, admin, rendered, printer="Reception LaserJet")
    with database.read() as session:
        row = session.get(ExportedDocument, document_id)
        assert (row.kind, row.patient_id, row.pages, row.sha256) == (
            "summary", course.patient_id, rendered.pages, rendered.sha256)
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.entity == "document")).all()
        assert (event.action, event.entity_id, event.patient_id) == ("print", document_id, course.patient_id)
        assert event.detail == {"kind": "summary", "pages": rendered.pages, "sha256": rendered.sha256,
                                "printer": "Reception LaserJet"}
    with database.read() as session:
        assert audit.verify_chain(session).ok


def test_a_receptionist_prints_handouts_and_receipts_but_not_clinical_documents(
    database, sign_in_as, tmp_path
) -> None:
    course = build_course(database, sessions=2)
    desk = sign_in_as(RECEPTIONIST, username="desk")
    document_export.export_document(database, desk, "handout", tmp_path / "h.pdf", patient_id=course.patient_id)
    document_export.export_document(database, desk, "receipt", tmp_path / "r.pdf", patient_id=course.patient_id)
    with pytest.raises(PermissionDeniedError):
        document_export.export_document(database, desk, "summary", tmp_path / "s.pdf", patient_id=course.patient_id)
    with pytest.raises(PermissionDeniedError):
        documents.referral_data(database, desk, course.patient_id)


def test_an_administrator_without_a_clinical_role_cannot_print(database, sign_in_as, tmp_path) -> None:
    only_admin = sign_in_as(ADMINISTRATOR, username="boss")
    with pytest.raises(PermissionDeniedError):
        document_export.export_document(database, only_admin, "handout", tmp_path / "h.pdf")


def test_a_refused_or_failed_export_leaves_no_record(database, admin, tmp_path: Path) -> None:
    course = build_course(database, sessions=1)
    with pytest.raises(documents.ReferralNotNeededError):
        document_export.export_document(database, admin, "referral", tmp_path / "r.pdf", patient_id=course.patient_id)
    with pytest.raises(NotFoundError):
        document_export.export_document(database, admin, "summary", tmp_path / "s.pdf", patient_id=9999)
    with pytest.raises(document_export.ExportPathError, match="does not exist"):
        document_export.export_document(database, admin, "handout", tmp_path / "missing" / "h.pdf")
    with pytest.raises(document_export.ExportPathError, match="folder"):
        document_export.export_document(database, admin, "handout", tmp_path)
    assert not list(tmp_path.glob("*.pdf"))
    with database.read() as session:
        assert session.scalars(select(ExportedDocument)).all() == []


def test_sessions_and_their_points_load_in_a_fixed_number_of_queries(database, admin) -> None:
    from sqlalchemy import event

    course = build_course(database, sessions=30)
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        summary = documents.care_summary_data(database, admin, course.patient_id)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert len(summary.sessions) == 30 and summary.sessions[0].points[0] == "BL23"
    assert sum("session_points" in s for s in statements) == 1
    assert len(statements) < 26  # fixed whatever the sessions; 5 are the care record (who, when), 1 the pain drawings
