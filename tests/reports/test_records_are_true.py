"""Printed records that are true (issue 13): who treated the patient, what day a letter speaks of,
sign-offs kept with their text, findings in sentences, day lists that say whose and which day, and a
left-side point drawn on the left."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import pdf_text
from sqlalchemy import select

from acudesk.domain.acupoint_files import load_catalogue
from acudesk.domain.patients import fold
from acudesk.persistence.database import Database
from acudesk.persistence.models import Intake, Patient, SessionRecord, User
from acudesk.reports import model as m
from acudesk.reports.charts import body_chart_drawing, chart_marks
from acudesk.reports.office import render_day_list
from acudesk.services import audit, auth, intakes
from acudesk.services import sessions as sessions_service
from acudesk.services.context import Actor
from acudesk.services.document_export import render_document

CLINIC = m.ClinicDetails("Riverside Acupuncture (test)", "1 High Street, Ashford", "01632 960000")
ZONE = ZoneInfo("Europe/London")
ASSESSED = date(2026, 10, 14)
PRINTED = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # seven weeks later, when the letter is printed again
CAUDA_EQUINA = {"rule": "RF-CES-04", "text": "Saddle, perianal or genital numbness: suspected cauda equina syndrome.",
                "source": "BASS 2018", "level": "EMERGENCY", "category": "Cauda equina",
                "destination": "an emergency department today"}


def _joined(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


# ----------------------------------------------------------------------------------------- day list


def _entries(prefix: str, count: int, day: date, status: str = "booked") -> tuple[m.DayListEntry, ...]:
    start = datetime.combine(day, datetime.min.time()).replace(hour=8)
    return tuple(m.DayListEntry(start + timedelta(minutes=10 * n), 10, f"{prefix} Patient{n:02d}", 100 + n,
                                "07700 900123", "Follow-up", "Room 1", status) for n in range(count))


def test_every_page_of_a_long_day_list_says_whose_list_and_which_day() -> None:
    day = date(2026, 12, 3)
    data = m.DayListData(CLINIC, day, (("Dr Amara Okafor", _entries("Okafor", 45, day)),
                                       ("Mr Hiro Sato", _entries("Sato", 45, day))),
                         datetime(2026, 12, 2, 17, 5))
    pdf, pages = render_day_list(data)
    texts = [" ".join(page.split()) for page in pdf_text(pdf)]
    assert pages >= 3
    for page in texts:
        assert "Thursday 3 December 2026" in page
        if "Okafor Patient" in page:
            assert "Dr Amara Okafor" in page
        if "Sato Patient" in page:
            assert "Mr Hiro Sato" in page
    assert sum("Okafor Patient" in page for page in texts) >= 2  # the first list runs onto a later page


def test_the_day_list_names_each_status_as_the_app_does() -> None:
    from acudesk.domain.scheduling.statuses import status_label

    day = date(2026, 12, 3)
    entries = tuple(
        m.DayListEntry(datetime(2026, 12, 3, 9 + n), 30, f"Pat{n} Example", n, "", "Follow-up", "Room 1", status)
        for n, status in enumerate(("booked", "arrived", "completed", "cancelled", "no_show"))
    )
    pdf, _ = render_day_list(m.DayListData(CLINIC, day, (("Dr Amara Okafor", entries),)))
    text = _joined(pdf_text(pdf))
    assert "Checked in" in text and "No-show" in text and "Completed" in text
    assert "arrived" not in text and "did not attend" not in text
    assert status_label("arrived") == "Checked in"


# ----------------------------------------------------------------------------------------- side figure


def _plan_line(code: str, side: str) -> m.PlanPointLine:
    point = load_catalogue().get(code)
    assert point is not None
    return m.PlanPointLine(point.code, point.pinyin, point.hanzi, point.english, side, point.location)


def test_a_left_side_point_is_drawn_on_a_left_side_figure_on_the_left() -> None:
    point = load_catalogue().get("GB41")  # on the side view, towards the toes (x > 0.5: the right side's front)
    assert point is not None and point.chart is not None and point.chart.view == "side" and point.chart.x > 0.5
    (left,) = chart_marks([_plan_line("GB41", "left")])
    (right,) = chart_marks([_plan_line("GB41", "right")])
    assert right.view == "side" and right.x == pytest.approx(point.chart.x)
    assert left.view == "side_left" and left.x == pytest.approx(1 - point.chart.x) and left.x < 0.5
    drawing = body_chart_drawing([_plan_line("GB41", "left")], 170 * 2.83)
    assert drawing is not None
    labels = [getattr(shape, "text", "") for shape in drawing.contents]
    assert "Side (left)" in labels and "Side (right)" not in labels


def test_a_plan_with_both_sides_draws_both_side_figures() -> None:
    drawing = body_chart_drawing([_plan_line("GB41", "left"), _plan_line("GB34", "right")], 170 * 2.83)
    assert drawing is not None
    labels = [getattr(shape, "text", "") for shape in drawing.contents]
    assert "Side (left)" in labels and "Side (right)" in labels


# ----------------------------------------------------------------------------------------- findings in sentences


def test_every_question_that_can_appear_has_a_sentence_for_each_of_its_answers() -> None:
    from acudesk.domain.intake import load_questionnaire
    from acudesk.reports.texts import load_texts

    templates = load_texts("finding_sentences")["question"]
    questions = load_questionnaire().questions
    assert set(templates) == {q.id for q in questions}  # none missing, none left over from a removed question
    for question in questions:
        template = templates[question.id]
        if question.type == "date":
            assert template.get("shown_elsewhere"), question.id
        elif question.type == "bool":
            assert template["yes"].endswith("."), question.id
        elif question.type == "choice":
            assert set(template["choice"]) == set(question.choices), question.id
        elif question.type == "choices":
            assert set(template["words"]) == set(question.choices) and "{value}" in template["sentence"], question.id
        else:
            assert "{value}" in template["sentence"], question.id
            assert set(template.get("exact", {})) <= {str(n) for n in range(0, 2)}, question.id


def test_findings_are_sentences_never_the_questions_text() -> None:
    from acudesk.domain.intake import load_questionnaire
    from acudesk.reports.findings import finding_sentences

    questions = load_questionnaire().questions
    answers: dict[str, object] = {}
    for question in questions:
        answers[question.id] = {"bool": True, "int": 2, "number": 17.5, "choice": question.choices[-1] if
                                question.choices else "", "choices": list(question.choices), "date": "2026-10-14"
                                }[question.type]
    sentences = finding_sentences(answers)
    assert len(sentences) == len([q for q in questions if q.type != "date"])
    for question in questions:
        assert not any(question.text.rstrip("?") in line for line in sentences), question.id
    assert "The pain began 2 weeks ago." in sentences
    assert "The pain spreads down both legs." in sentences
    assert "The body mass index is 17.5 kg/m²." in sentences
    assert "The lymphoedema affects an arm and a leg." in sentences
    one_week = finding_sentences({"pain_duration_weeks": 1, "saddle_numbness": False, "smoking": None})
    assert one_week == ("The pain began 1 week ago.",)  # a "no" and an unasked question are not told


# ----------------------------------------------------------------------------------------- records at fixed dates


def _practitioner(database: Database, admin: Actor, username: str, name: str, registration: str) -> int:
    auth.create_user(database, admin, username, name, ("practitioner",), "correct horse battery")
    with database.write() as tx:
        user = tx.scalars(select(User).where(User.username == username)).one()
        user.professional_registration = registration
        return user.id


def _patient(database: Database, given: str = "Ada", family: str = "Lovelace") -> int:
    with database.write() as tx:
        patient = Patient(family_name=family, given_name=given, date_of_birth=date(1968, 4, 12), sex="female",
                          address="3 Mill Lane, Ashford", gp_name="Dr Priya Shah", gp_practice="Ashford Green Surgery",
                          consent_to_treatment=True, family_key=fold(family), given_key=fold(given))
        tx.add(patient)
        tx.flush()
        return patient.id


def _signed_intake(database: Database, patient_id: int, signer_id: int, assessed: date, *, level: str = "CLEAR",
                   reasons: tuple[dict[str, str], ...] = ()) -> None:
    """An intake assessed and signed on ``assessed`` by ``signer_id``, sealed as the intakes service seals."""
    answers = {"age": 58, "assessed_on": assessed.isoformat(), "pain_lower_back": True, "pain_duration_weeks": 2,
               "leg_radiation": "one_leg", "pain_nrs": 7, "saddle_numbness": level == "EMERGENCY"}
    at = datetime.combine(assessed, time(11), ZONE).astimezone(UTC)
    with database.write() as tx:
        intake = Intake(patient_id=patient_id, recorded_by_id=signer_id, recorded_at=at, answers=answers,
                        rules_version="triage 2025.1", triage_level=level, triage_reasons=list(reasons),
                        status="draft")
        tx.add(intake)
        tx.flush()
        intake.status, intake.signed_at, intake.signed_by_id = "signed", at, signer_id
        intake.content_digest = intakes.seal(intake)
        tx.flush()
        audit.record(tx, None, "sign", "intake", intake.id, patient_id=patient_id,
                     detail={"seal": intake.content_digest})


def _signed_session(database: Database, patient_id: int, practitioner_id: int, on: date) -> None:
    at = datetime.combine(on, time(10, 30), ZONE).astimezone(UTC)
    with database.write() as tx:
        record = SessionRecord(patient_id=patient_id, practitioner_id=practitioner_id, session_at=at, needles_in=6,
                               needles_out=6, nrs_before=6, nrs_after=4, assessment="Eased.", status="draft",
                               points=[])  # loaded: sealing must not autoflush half a signature
        tx.add(record)
        tx.flush()
        record.status, record.signed_at, record.signed_by_id = "signed", at, practitioner_id
        record.content_digest = sessions_service.seal(record)
        tx.flush()
        audit.record(tx, None, "sign", "session_record", record.id, patient_id=patient_id,
                     detail={"seal": record.content_digest})


# ----------------------------------------------------------------------------------------- who treated, and when


def test_a_care_summary_without_a_plan_names_who_treated_the_patient_not_who_printed_it(
    database: Database, admin: Actor
) -> None:
    chen = _practitioner(database, admin, "mchen", "Dr Mei Chen", "BAcC 777")
    reyes = _practitioner(database, admin, "treyes", "Mr Tom Reyes", "BAcC 888")
    patient = _patient(database)
    _signed_intake(database, patient, chen, ASSESSED)
    _signed_session(database, patient, reyes, ASSESSED + timedelta(days=7))
    pdf, _pages = render_document(database, admin, "summary", patient_id=patient, now=PRINTED)
    text = _joined(pdf_text(pdf))
    assert "Dr Mei Chen (BAcC 777): intake" in text and "Mr Tom Reyes (BAcC 888): 1 session" in text
    assert "Printed by Dr Test Admin on 3 December 2026" in text
    assert text.count("Dr Test Admin") == 1  # the exporter did not treat the patient and signs nothing
    assert "Care from 14 Oct 2026 to 21 Oct 2026" in text


def test_a_care_summary_with_no_clinical_record_says_no_one_has_treated_the_patient_yet(
    database: Database, admin: Actor
) -> None:
    patient = _patient(database, "Noor", "Haddad")
    pdf, _pages = render_document(database, admin, "summary", patient_id=patient, now=PRINTED)
    text = _joined(pdf_text(pdf))
    assert "No treating practitioner recorded yet" in text
    assert "Printed by Dr Test Admin on 3 December 2026" in text and text.count("Dr Test Admin") == 1
    assert "No care recorded yet" in text


def test_a_reprinted_referral_letter_is_dated_by_its_assessment_and_tells_its_findings_in_sentences(
    database: Database, admin: Actor
) -> None:
    chen = _practitioner(database, admin, "mchen", "Dr Mei Chen", "BAcC 777")
    patient = _patient(database, "Ben", "Okoro")
    _signed_intake(database, patient, chen, ASSESSED, level="EMERGENCY", reasons=(CAUDA_EQUINA,))
    pdf, _pages = render_document(database, admin, "referral", patient_id=patient, now=PRINTED)
    first, *_rest = pdf_text(pdf)
    text = _joined(pdf_text(pdf))
    letter_head = " ".join(first.split()).split("Dear")[0]
    assert "14 October 2026" in letter_head  # the letter's date is the assessment's, as letters write it
    assert "Wednesday" not in letter_head
    assert "Printed 3 December 2026" in letter_head  # and the reprint says when it was printed, apart
    assert "3 December 2026" not in text.replace("Printed 3 December 2026", "")  # only where it says printed
    assert "At the assessment on 14 Oct 2026" in text
    assert "The pain began 2 weeks ago." in text and "The pain spreads down one leg." in text
    assert "How many weeks ago" not in text and "spread down the leg(s)" not in text
    assert "Dr Mei Chen" in text and "Dr Test Admin" not in text


# ----------------------------------------------------------------------------------------- sign-offs


def _referral(reasons: int, findings: int = 6) -> m.ReferralData:
    patient = m.PatientDetails(7, "Ben Okoro", date(1971, 2, 3), "4 Mill Lane", gp_name="Dr Priya Shah",
                               gp_practice="Ashford Green Surgery")
    reason = m.TriageReason("RF-CES-04", "Saddle, perianal or genital numbness: suspected cauda equina syndrome.",
                            "BASS 2018", "EMERGENCY", "Cauda equina", destination="an emergency department today")
    intake = m.IntakeSummary(ASSESSED, "EMERGENCY", (reason,) * reasons,
                             tuple(f"Finding number {n} in a sentence." for n in range(findings)), "triage 2025.1",
                             recorded_by="Dr Mei Chen")
    return m.ReferralData(CLINIC, patient, m.Practitioner("Dr Mei Chen", "BAcC 777"), intake, "Low back pain",
                          date(2026, 12, 3))


def test_a_short_letter_and_a_short_care_summary_keep_their_sign_off_on_the_same_page() -> None:
    from acudesk.reports.care_summary import render_care_summary
    from acudesk.reports.referral import render_referral

    letter, letter_pages = render_referral(_referral(reasons=1))
    assert letter_pages == 1, pdf_text(letter)
    summary = m.CareSummaryData(CLINIC, _referral(0).patient, m.Practitioner("Dr Mei Chen", "BAcC 777"),
                                "Low back pain", "", "", None, None, (), (), (), (), (), (), date(2026, 12, 3))
    pdf, pages = render_care_summary(summary)
    assert pages == 1, pdf_text(pdf)


@pytest.mark.parametrize("reasons", range(4, 22))
def test_the_letter_s_sign_off_never_stands_alone_on_a_page(reasons: int) -> None:
    from acudesk.reports.referral import render_referral

    pdf, pages = render_referral(_referral(reasons))
    texts = [" ".join(page.split()) for page in pdf_text(pdf)]
    (signed,) = [page for page in texts if "Yours sincerely" in page]
    assert "Registration" in signed and "Please contact us" in signed
    assert "Rules: triage 2025.1" in signed  # the text before the closing paragraph comes along
    if pages > 1:
        assert "suspected cauda equina" in texts[-2]


@pytest.mark.parametrize("events", range(0, 16, 3))
def test_the_care_summary_s_signature_stays_with_its_next_steps(events: int) -> None:
    from acudesk.reports.care_summary import render_care_summary

    event = m.AdverseEventLine(ASSESSED, "bruising", "mild", "A small bruise where BL40 was needled, gone in a week.",
                               "Advice given.", True)
    visit = m.Visit(datetime(2026, 12, 10, 14, 15), 45, "Follow-up treatment")
    summary = m.CareSummaryData(CLINIC, _referral(0).patient, m.Practitioner("Dr Mei Chen", "BAcC 777"),
                                "Low back pain", "", "", None, _referral(2).intake, (), (), (), (), (event,) * events,
                                (visit,), date(2026, 12, 3))
    pdf, _pages = render_care_summary(summary)
    (signed,) = [" ".join(page.split()) for page in pdf_text(pdf) if "Registration" in page]
    assert "Next steps" in signed and "Thursday 10 December 2026 at 14:15" in signed
