"""The pain drawing in the care summary and the referral letter: the spread in words, the change since
the previous drawing and the regions drawn, read back from the PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import pdf_text
from course_data import build_course
from sqlalchemy import select

from acudesk.domain.pain_drawing import PainMark
from acudesk.persistence.models import Intake, SessionRecord
from acudesk.reports.pain_drawing import PainDrawingFlowable
from acudesk.services import pain_drawings
from acudesk.services.document_export import render_document


def _joined(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def _occasions(database, patient_id: int) -> tuple[int, list[int]]:
    with database.read() as tx:
        intake = tx.scalars(select(Intake.id).where(Intake.patient_id == patient_id)).first()
        sessions = tx.scalars(select(SessionRecord.id).where(SessionRecord.patient_id == patient_id)
                              .order_by(SessionRecord.session_at)).all()
    return intake, list(sessions)


def test_care_summary_prints_the_latest_drawing_and_its_spread_since_the_previous(database, admin, course) -> None:
    intake_id, session_ids = _occasions(database, course.patient_id)
    pain_drawings.save_drawing(database, admin, course.patient_id, [
        PainMark("back.low_back.left", "ache", 7), PainMark("back.buttock.left", "ache", 6),
        PainMark("back.lower_leg.left", "burning", 6)], intake_id=intake_id)
    pain_drawings.save_drawing(database, admin, course.patient_id, [
        PainMark("back.low_back.left", "ache", 3), PainMark("back.buttock.left", "ache", 2)],
        session_id=session_ids[-1])
    pdf, _pages = render_document(database, admin, "summary", patient_id=course.patient_id)
    text = _joined(pdf_text(pdf))
    assert "Pain drawing" in text
    assert "4 % of the body; worst 3/10; left buttock or hip only; low back." in text
    assert ("Pain area: 7 % → 4 %; spread: below the left knee; low back → left buttock or hip only; low back"
            in text)
    assert "moved back toward the spine" not in text  # the chart's prompts are not printed
    assert "A ache, S sharp, B burning" in text


def test_a_care_summary_without_a_drawing_says_so(database, admin, course) -> None:
    pdf, _pages = render_document(database, admin, "summary", patient_id=course.patient_id)
    assert "No pain drawing recorded." in _joined(pdf_text(pdf))


def test_referral_letter_shows_where_the_pain_is_in_words_and_drawn(database, admin, tmp_path: Path) -> None:
    urgent = build_course(database, sessions=0, future=0, level="EMERGENCY", given="Ben", family="Okoro")
    intake_id, _ = _occasions(database, urgent.patient_id)
    pain_drawings.save_drawing(database, admin, urgent.patient_id, [
        PainMark("back.low_back.right", "ache", 8), PainMark("back.lower_leg.right", "sharp", 7),
        PainMark("back.thigh.left", "numbness", 0)], intake_id=intake_id)
    pdf, _pages = render_document(database, admin, "referral", patient_id=urgent.patient_id)
    text = _joined(pdf_text(pdf))
    assert "Where the pain is" in text
    assert "both legs; below the right knee; into the left thigh; low back; both sides" in text
    assert "RF-CES-06" not in text and "ask the bladder" not in text  # prompts for the clinic, not the GP
    if shutil.which("pdftoppm"):  # look at it: tmp_path/letter-1.png (the test checks the page renders)
        (tmp_path / "letter.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "letter.pdf"),
                        str(tmp_path / "letter")], check=True)
        assert (tmp_path / "letter-1.png").stat().st_size > 10_000


@pytest.mark.parametrize("marks", [(), (PainMark("side.foot", "pins_and_needles", 10),)])
def test_the_flowable_draws_an_empty_or_marked_drawing(marks) -> None:
    from io import BytesIO

    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(BytesIO())
    drawing = PainDrawingFlowable(marks)
    assert drawing.wrap(500, 800) == (drawing.width, drawing.height)
    drawing.drawOn(canvas, 20, 20)
    canvas.save()
