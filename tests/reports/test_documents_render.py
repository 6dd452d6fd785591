"""A patient's documents, read back from the PDF: names, dates, points, triage, pagination, fonts."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import pdf_text
from course_data import build_course

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.errors import ValidationError
from acudesk.reports.charts import chart_marks
from acudesk.reports.layout import fmt_long_date
from acudesk.reports.model import PlanPointLine
from acudesk.reports.referral import ReferralNotNeededError
from acudesk.services.document_export import render_document


def _joined(pages: list[str]) -> str:
    """All pages' text with line breaks folded to spaces (PDF text wraps where the layout wrapped)."""
    return " ".join(" ".join(pages).split())


def test_personal_handout_names_the_patient_their_visits_and_points(database, admin, course) -> None:
    pdf, pages = render_document(database, admin, "handout", patient_id=course.patient_id)
    text = _joined(pdf_text(pdf))
    assert pages >= 2
    assert "Your acupuncture plan" in text and "Ada Lovelace" in text
    first_visit = course.future_visits[0]
    assert f"{first_visit:%A} {first_visit.day} {first_visit:%B %Y}" in text
    assert "14:15" in text
    for code in ("BL23", "GB30", "GV3"):
        assert code in text
    assert "Shènshū" in text and "肾俞" in text
    assert "cauda equina" in text and "do not drive" in text
    assert "15–30 min" in text
    assert "NICE" not in text
    assert f"Page 1 of {pages}" in text


def test_general_handout_has_no_patient_and_is_not_marked_confidential(database, admin) -> None:
    pdf, pages = render_document(database, admin, "handout")
    text = _joined(pdf_text(pdf))
    assert "What to expect" in text and "Confidential" not in text
    assert f"Page {pages} of {pages}" in text


def test_care_summary_holds_plan_sessions_outcomes_and_signature(database, admin, course) -> None:
    pdf, pages = render_document(database, admin, "summary", patient_id=course.patient_id)
    text = _joined(pdf_text(pdf))
    assert "Care summary" in text and "Ada Lovelace" in text and "12 Apr 1968" in text
    assert "Confidential" in text
    assert "Low back pain radiating to the left leg" in text
    assert "Huántiào" in text and "环跳" in text
    assert "Sessions (6)" in text and "9 / 9" in text
    assert "meaningful improvement" in text and "RMDQ" in text
    assert "bruising" in text
    assert "Registration" in text and "BAcC 12345" in text


def test_sixty_sessions_paginate_with_the_table_header_repeated(database, admin) -> None:
    long_course = build_course(database, sessions=60, given="Long", family="Course")
    pdf, pages = render_document(database, admin, "summary", patient_id=long_course.patient_id)
    texts = pdf_text(pdf)
    assert pages >= 4
    assert all(f"Page {n} of {pages}" in page for n, page in enumerate(texts, start=1))
    session_pages = [page for page in texts if "steady progress" in page]
    assert len(session_pages) >= 3
    assert all("Needles" in page and "Notes" in page for page in session_pages)  # the header row repeats
    assert "Session 60: steady progress." in _joined(texts)
    assert all("Long Course" in page for page in texts[1:])  # the patient is named on every later page


def test_referral_letter_lists_reasons_with_sources_and_the_urgency(database, admin) -> None:
    urgent = build_course(database, sessions=0, future=0, level="EMERGENCY", given="Ben", family="Okoro")
    pdf, _pages = render_document(database, admin, "referral", patient_id=urgent.patient_id)
    text = _joined(pdf_text(pdf))
    assert "Dear Dr Priya Shah" in text and "Ashford Green Surgery" in text
    assert "Emergency — same day" in text
    assert "suspected cauda equina" in text and "BASS 2018" in text and "RF-CES-04" in text
    assert "01632" in text or "Riverside" in text


def test_referral_is_refused_for_a_clear_intake(database, admin, course) -> None:
    with pytest.raises(ReferralNotNeededError, match="clear"):
        render_document(database, admin, "referral", patient_id=course.patient_id)
    assert issubclass(ReferralNotNeededError, ValidationError)


def test_statement_adds_fees_and_payments_to_a_balance(database, admin, course) -> None:
    pdf, _pages = render_document(database, admin, "receipt", patient_id=course.patient_id)
    text = _joined(pdf_text(pdf))
    # 1 first visit (£65) + 5 follow-ups (£50); visits 1, 3, 5 paid: 65 + 50 + 50.
    assert "Statement" in text and "£315.00" in text and "£165.00" in text
    assert "Balance due" in text and "£150.00" in text


def test_receipt_for_one_visit(database, admin, course) -> None:
    pdf, pages = render_document(database, admin, "receipt", patient_id=course.patient_id,
                                 appointment_id=course.appointment_ids[0])
    text = _joined(pdf_text(pdf))
    assert pages == 1 and "Receipt" in text and f"R-{course.patient_id}-{course.appointment_ids[0]}" in text
    assert "Balance" in text and "£0.00" in text


def test_day_list_groups_the_day_by_practitioner(database, admin, course) -> None:
    day = course.future_visits[0].date()
    pdf, _pages = render_document(database, admin, "daylist", day=day)
    text = _joined(pdf_text(pdf))
    assert f"Dr Test Admin · {fmt_long_date(day)} · 1 appointment" in text and "Ada Lovelace" in text
    assert "14:15–15:00" in text
    empty, _ = render_document(database, admin, "daylist", day=date(2001, 1, 1))
    assert "No appointments" in _joined(pdf_text(empty))


def test_bilateral_points_are_mirrored_and_one_sided_points_sit_on_their_side() -> None:
    catalogue = load_catalogue()

    def line(code: str, side: str) -> PlanPointLine:
        p = catalogue.get(code)
        assert p is not None
        return PlanPointLine(p.code, p.pinyin, p.hanzi, p.english, side, p.location)

    marks = chart_marks([line("BL23", "bilateral"), line("GB30", "left"), line("GV3", "midline"),
                         line("Ashi", "bilateral")])
    bl23 = sorted(m.x for m in marks if m.code == "BL23")
    assert len(bl23) == 2 and bl23[0] == pytest.approx(1 - bl23[1])
    (gb30,) = [m for m in marks if m.code == "GB30"]
    assert gb30.view == "back" and gb30.x < 0.5  # seen from behind, the patient's left is on the left
    assert [m.x for m in marks if m.code == "GV3"] == [0.5]
    assert not [m for m in marks if m.code == "Ashi"]  # no fixed place on the chart


def test_pdf_embeds_the_cjk_subset_and_renders(database, admin, course, tmp_path: Path) -> None:
    if not shutil.which("pdffonts") or not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils (pdffonts, pdftoppm) not installed; run scripts/install-test-deps.sh")
    pdf, pages = render_document(database, admin, "handout", patient_id=course.patient_id)
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    hanzi = [line for line in fonts.splitlines() if "AcuDeskCJK" in line]
    assert hanzi and hanzi[0].split()[-5] == "yes"  # the "emb" column
    assert "Helvetica" not in fonts
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == pages
