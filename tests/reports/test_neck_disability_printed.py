"""The care summary's outcomes table prints the NDI as the outcomes tab shows it: points out of 50 and its band."""

from __future__ import annotations

import io

from acudesk.services import outcomes
from acudesk.services.document_export import render_document


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's extracted text (here, not from conftest: its module name is shared by every test folder)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def test_care_summary_prints_the_ndi_with_its_unit_and_band(database, admin, course) -> None:
    outcomes.record_outcome(database, admin, course.patient_id, "NDI", [2, 2, 2, 2, 2, 2, 1, 1, 2, None])
    pdf, _pages = render_document(database, admin, "summary", patient_id=course.patient_id)
    text = " ".join(" ".join(pdf_text(pdf)).split())
    assert "NDI 17.8/50 moderate disability" in text
    assert "at least 2 points or at least 30 % better than the baseline (either is enough)" in text
