"""The referral letter and the intake record say where each rule sends the patient (issue 13): a suspected
arterial dissection is a stroke emergency (999 / 112), never "the on-call spinal team"."""

from __future__ import annotations

import io
import json
from pathlib import Path

from course_data import build_course

from acudesk.services import intakes
from acudesk.services.document_export import render_document

CLEAR = json.loads((Path(__file__).resolve().parents[1] / "data" / "intakes" / "clear.json")
                   .read_text(encoding="utf-8"))["answers"]


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's extracted text (here, not from conftest: its module name is shared by every test folder)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _joined(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def test_a_dissection_letter_and_record_send_the_patient_to_the_stroke_pathway(database, admin) -> None:
    patient = build_course(database, sessions=0, future=0, given="Iris", family="Vale")
    record = intakes.save_intake(database, admin, patient.patient_id,
                                 {**CLEAR, "pain_neck": True, "neck_tearing_pain": True}, sign=True)
    assert record.level == "EMERGENCY"
    reason = next(r for r in record.reasons if r.rule == "RF-CAD-01")
    assert reason.destination.startswith("Stroke emergency: call 999 (112 in the EU)")
    assert "stroke" in reason.patient_advice
    pdf, _pages = render_document(database, admin, "referral", patient_id=patient.patient_id)
    text = _joined(pdf_text(pdf))
    assert "Emergency — same day" in text
    assert "advised the patient to go today to: Stroke emergency: call 999 (112 in the EU) now" in text
    assert "on-call spinal" not in text


def test_a_cauda_equina_letter_stored_before_destinations_names_the_emergency_department(database, admin) -> None:
    patient = build_course(database, sessions=0, future=0, level="EMERGENCY", given="Ben", family="Okoro")
    pdf, _pages = render_document(database, admin, "referral", patient_id=patient.patient_id)
    text = _joined(pdf_text(pdf))
    assert "advised the patient to go today to: Emergency department today (A&E)" in text
