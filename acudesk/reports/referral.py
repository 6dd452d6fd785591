"""The referral letter to the patient's GP when an intake's triage asks for medical assessment."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from acudesk.domain.errors import ValidationError
from acudesk.reports.care_summary import signature_block, triage_section
from acudesk.reports.fonts import markup
from acudesk.reports.layout import (
    PageSetup,
    boxed,
    fmt_date,
    fmt_full_date,
    gap,
    keep,
    p,
    pm,
    printed_line,
    render,
    styles,
)
from acudesk.reports.model import ReferralData
from acudesk.reports.pain_drawing import pain_drawing_section

TITLE = "Referral letter"
REFERRAL_LEVELS = ("EMERGENCY", "URGENT_REFERRAL", "REFER_BEFORE_TREATMENT")
URGENCY = {
    "EMERGENCY": ("Emergency — same day",
                  "The findings below can mean a condition that needs assessment today. We have advised the "
                  "patient to go today to: {destination} We have not given acupuncture."),
    "URGENT_REFERRAL": ("Urgent — within about two weeks",
                        "The findings below call for a priority medical assessment, ideally within two weeks. We "
                        "will not needle the patient until a doctor has assessed them."),
    "REFER_BEFORE_TREATMENT": ("Routine — before treatment starts",
                               "The findings below call for a medical review before a course of acupuncture "
                               "starts. This is not an emergency; we will wait for your advice."),
}


class ReferralNotNeededError(ValidationError):
    """The latest intake's triage does not call for a referral (CLEAR or CAUTION)."""


def render_referral(data: ReferralData) -> tuple[bytes, int]:
    level = data.intake.level
    if level not in REFERRAL_LEVELS:
        raise ReferralNotNeededError(
            f"No referral letter: the latest intake's triage is {level.replace('_', ' ').lower()}, "
            "which does not call for medical referral.", field="triage_level")
    s = styles(10.5)
    patient = data.patient
    urgency, explanation = URGENCY[level]
    explanation = explanation.format(destination=" ".join(  # each rule's own destination (triage.toml)
        f"{where}." for where in dict.fromkeys(r.destination.rstrip(".") for r in data.intake.reasons
                                               if r.level == level and r.destination)) or "an emergency department.")
    addressee = [x for x in (patient.gp_name, patient.gp_practice, *patient.gp_address.splitlines()) if x.strip()]
    story: list[Flowable] = []
    story += [p(line, s.body if i else s.subheading) for i, line in enumerate(addressee or ["The patient's GP"])]
    letter_date = data.intake.assessment_date  # a reprint weeks later still speaks of that day
    story += [gap(3), p(fmt_full_date(letter_date), s.body)]  # a letter's date line: "14 October 2026"
    if data.printed_on != letter_date:
        story.append(p(printed_line(data.printed_on), s.small))
    story.append(gap(2))
    salutation = f"Dear {patient.gp_name}," if patient.gp_name else "Dear Doctor,"
    story.append(pm(f"<b>Re: {markup(patient.name)}, born {fmt_date(patient.date_of_birth)}</b>"
                    + (f", {markup(patient.address.replace(chr(10), ', '))}" if patient.address else ""), s.body))
    story += [p(salutation, s.body)]
    complaint = f" with {data.complaint.lower()}" if data.complaint else " with back or neck pain"
    story.append(p(f"{patient.name} came to our clinic for acupuncture{complaint}. At the assessment on "
                   f"{fmt_date(data.intake.assessment_date)} our red-flag screening found signs that need a doctor's "
                   "assessment, so we are referring them to you.", s.body))
    story.append(boxed([p(f"Urgency: {urgency}", s.warning), p(explanation, s.body)]))
    if data.pain_drawing is not None:  # where the pain is, drawn with the patient
        story += pain_drawing_section(data.pain_drawing, s, heading="Where the pain is")
    story.append(p("Findings and reasons", s.heading))
    findings = triage_section(data.intake, s)
    last_line = [findings.pop()] if isinstance(findings[-1], Paragraph) else []  # never a whole table
    story += findings
    contact = " or ".join(x for x in (data.clinic.phone, data.clinic.email) if x)
    closing = ("We have explained these findings to the patient and given them written advice on the symptoms that "
               "need emergency care. Please contact us" + (f" on {contact}" if contact else "")
               + " if you need more information, and let us know whether and when acupuncture may start or resume.")
    story.append(keep(*last_line, gap(2), p(closing, s.body), p("Yours sincerely,", s.body),
                      *signature_block(data.practitioner, s)))  # never a sign-off alone on a page
    setup = PageSetup(data.clinic, TITLE, confidential=True, printed=printed_line(data.printed_on),
                      subject=f"{patient.name}, born {fmt_date(patient.date_of_birth)}")
    return render(story, setup)
