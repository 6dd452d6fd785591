"""The care summary for the patient's file or their GP: findings, triage, plan, sessions and outcomes."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from acudesk.domain.outcomes import meaningful_target
from acudesk.reports.charts import NrsPoint, nrs_trend_drawing
from acudesk.reports.fonts import markup
from acudesk.reports.layout import (
    CONTENT_WIDTH,
    PageSetup,
    Styles,
    bullets,
    fmt_date,
    fmt_full_date,
    fmt_long_date,
    fmt_time,
    gap,
    keep,
    key_values,
    p,
    pm,
    printed_line,
    render,
    styles,
    table,
)
from acudesk.reports.model import CareSummaryData, IntakeSummary, PatientDetails, Practitioner
from acudesk.reports.pain_drawing import pain_drawing_section

TITLE = "Care summary"
LEVEL_WORDS = {
    "EMERGENCY": "Emergency: same-day assessment needed; no acupuncture given.",
    "URGENT_REFERRAL": "Urgent medical referral needed (within about two weeks); no needling meanwhile.",
    "REFER_BEFORE_TREATMENT": "Medical review needed before a course of treatment starts.",
    "CAUTION": "Treatment possible with the restrictions listed.",
    "CLEAR": "No red flags found at this screening.",
}
SIDE_MARKS = {"left": " (L)", "right": " (R)", "bilateral": " (both)", "midline": ""}


def patient_block(patient: PatientDetails, s: Styles) -> Flowable:
    gp = ", ".join(x for x in (patient.gp_name, patient.gp_practice) if x)
    return key_values([
        ("Patient", f"{patient.name} (no. {patient.id})"),
        ("Date of birth", fmt_date(patient.date_of_birth)),
        ("Address", patient.address.replace("\n", ", ")),
        ("GP", gp),
    ], s)


def triage_section(intake: IntakeSummary, s: Styles, *, with_findings: bool = True) -> list[Flowable]:
    recorded = (f" (recorded {fmt_date(intake.recorded_on)})" if intake.recorded_on != intake.assessment_date
                else "")
    out: list[Flowable] = [p(f"Assessment of {fmt_date(intake.assessment_date)}{recorded}"
                             + (f", recorded by {intake.recorded_by}" if intake.recorded_by else ""), s.subheading)]
    if with_findings and intake.findings:
        out.append(p(" ".join(intake.findings), s.body))  # sentences, told as a paragraph
    out.append(pm(f"<b>Triage result: {markup(intake.level.replace('_', ' ').title())}</b> — "
                  f"{markup(LEVEL_WORDS.get(intake.level, ''))}", s.body))
    if intake.reasons:
        rows = [[p("Level", s.cell_bold), p("Reason", s.cell_bold), p("Source", s.cell_bold)]]
        for reason in intake.reasons:
            rows.append([p(reason.level.replace("_", " ").title(), s.cell),
                         pm(f"{markup(reason.text)}<br/><font size='7.5'>{markup(reason.rule)}"
                            f"{' · ' + markup(reason.category) if reason.category else ''}</font>", s.cell),
                         p(reason.source, s.cell)])
        out.append(table(rows, [30 * mm, CONTENT_WIDTH - 80 * mm, 50 * mm]))
    if intake.referral_action:
        out.append(gap(1))
        out.append(p(f"Action taken: {intake.referral_action}", s.body))
    if intake.rules_version:
        out.append(p(f"Rules: {intake.rules_version}", s.small))
    return out


def signature_block(practitioner: Practitioner | None, s: Styles) -> list[Flowable]:
    """The lines to sign on. Callers keep them together with the text before them (``keep``): a nested
    KeepTogether reports an endless height, which pushed every sign-off onto a page of its own."""
    name = practitioner.name if practitioner else ""
    registration = practitioner.registration if practitioner else ""
    rows = [
        [p("Signed", s.cell_bold), p("", s.cell), p("Date", s.cell_bold), p("", s.cell)],
        [p("Practitioner", s.cell_bold), p(name, s.cell), p("Registration", s.cell_bold), p(registration, s.cell)],
    ]
    t = table(rows, [28 * mm, 72 * mm, 28 * mm, CONTENT_WIDTH - 128 * mm], header=False, zebra=False)
    t.setStyle([("LINEBELOW", (1, 0), (1, 0), 0.8, "#1f2933"), ("LINEBELOW", (3, 0), (3, 0), 0.8, "#1f2933"),
                ("TOPPADDING", (0, 0), (-1, 0), 16)])
    return [gap(4), t]


def render_care_summary(data: CareSummaryData) -> tuple[bytes, int]:
    s = styles(10.5)
    story: list[Flowable] = [p(TITLE, s.title), patient_block(data.patient, s), *_who_and_when(data, s)]

    story.append(p("Presenting complaint", s.heading))
    story.append(p(data.complaint or "No treatment plan recorded.", s.body))
    if data.goals:
        story.append(p(f"Goals: {data.goals}", s.body))

    story.append(p("Intake and triage", s.heading))
    story += triage_section(data.intake, s) if data.intake else [p("No intake recorded.", s.body)]
    story += pain_drawing_section(data.pain_drawing, s)

    story += _plan(data, s)
    story += _sessions(data, s)
    story += _outcomes(data, s)
    story += _adverse(data, s)
    story.append(keep(*_next_steps(data, s), *signature_block(data.practitioner, s)))
    setup = PageSetup(data.clinic, TITLE, confidential=True, printed=printed_line(data.printed_on),
                      subject=f"{data.patient.name}, born {fmt_date(data.patient.date_of_birth)}")
    return render(story, setup)


def _who_and_when(data: CareSummaryData, s: Styles) -> list[Flowable]:
    """Who treated the patient, as the records show, and the period of care; apart from who printed it."""
    if data.treating:
        label = "Treating practitioner" + ("s" if len(data.treating) > 1 else "")
        names = "; ".join(x.name + (f" ({x.registration})" if x.registration else "") + (f": {x.did}" if x.did else "")
                          for x in data.treating)
        who = pm(f"<b>{label}:</b> {markup(names)}.", s.body)
    else:
        who = p("No treating practitioner recorded yet.", s.body)
    period = (f"Care from {fmt_date(data.period[0])} to {fmt_date(data.period[1])}" if data.period
              else "No care recorded yet")
    printed = f"Printed by {data.printed_by} on {fmt_full_date(data.printed_on)}" if data.printed_by else ""
    return [gap(1), who, p(" · ".join(x for x in (period, printed) if x) + ".", s.small)]


def _plan(data: CareSummaryData, s: Styles) -> list[Flowable]:
    out: list[Flowable] = [p("Treatment plan", s.heading)]
    if data.course_pattern:
        out.append(p(f"Course: {data.course_pattern}", s.body))
    if data.techniques:
        out.append(p("Techniques: " + "; ".join(data.techniques), s.body))
    if data.points:
        rows = [[p("Code", s.cell_bold), p("Name", s.cell_bold), p("Side", s.cell_bold), p("Note", s.cell_bold)]]
        for line in data.points:
            rows.append([p(line.code, s.cell_bold),
                         pm(f"{markup(line.pinyin)} {markup(line.hanzi)}<br/>{markup(line.english)}", s.cell),
                         p(line.side, s.cell), p(line.note, s.cell)])
        out.append(table(rows, [22 * mm, 62 * mm, 24 * mm, CONTENT_WIDTH - 108 * mm]))
    elif not data.course_pattern:
        out.append(p("No treatment plan recorded.", s.body))
    return out


def _sessions(data: CareSummaryData, s: Styles) -> list[Flowable]:
    out: list[Flowable] = [p(f"Sessions ({len(data.sessions)})", s.heading)]
    if not data.sessions:
        return out + [p("No treatment sessions recorded yet.", s.body)]
    rows = [[p("Date", s.cell_bold), p("Points", s.cell_bold), p("NRS before → after", s.cell_bold),
             p("Needles in / out", s.cell_bold), p("Notes", s.cell_bold)]]
    for session in data.sessions:
        nrs = f"{_num(session.nrs_before)} → {_num(session.nrs_after)}"
        needles = f"{_num(session.needles_in)} / {_num(session.needles_out)}"
        mismatch = (session.needles_in is not None and session.needles_out is not None
                    and session.needles_in != session.needles_out)
        note = session.note + (" (amended record)" if session.amended else "")
        rows.append([p(f"{fmt_date(session.when)} {fmt_time(session.when)}", s.cell), p(", ".join(session.points),
                     s.cell), p(nrs, s.cell), p(needles + (" ⚠" if mismatch else ""), s.cell), p(note, s.cell)])
    out.append(table(rows, [24 * mm, 46 * mm, 22 * mm, 20 * mm, CONTENT_WIDTH - 112 * mm]))
    return out


def _num(value: int | None) -> str:
    return "–" if value is None else str(value)


def _outcomes(data: CareSummaryData, s: Styles) -> list[Flowable]:
    out: list[Flowable] = [p("Outcomes", s.heading)]
    readings = [NrsPoint(x.when.date(), x.nrs_before, x.nrs_after) for x in data.sessions
                if x.nrs_before is not None or x.nrs_after is not None]
    baseline = data.baseline_nrs
    if baseline is None and readings:
        baseline = next((r.before for r in readings if r.before is not None), None)
    if readings:
        target = None
        if baseline is not None:
            target = meaningful_target("nrs", baseline)  # rule MIC-NRS, as the outcomes tab draws it
        label = "meaningful improvement"
        caption = ("Pain (NRS 0–10) at each session. The dashed red line marks the first level counted as a "
                   "meaningful improvement from baseline"
                   + (f": {data.meaningful_change_rule}." if data.meaningful_change_rule else "."))
        out.append(keep(nrs_trend_drawing(readings, baseline, target, CONTENT_WIDTH, target_label=label),
                        p(caption, s.small)))
    others = [o for o in data.outcomes if o.measure.upper() != "NRS"]
    if others:
        rows = [[p("Date", s.cell_bold), p("Measure", s.cell_bold), p("Score", s.cell_bold), p("Band", s.cell_bold)]]
        for o in others:
            unit = {"ODI": " %", "NDI": "/50"}.get(o.measure.upper(), "")  # as the outcomes tab shows them
            rows.append([p(fmt_date(o.when), s.cell), p(o.measure.upper(), s.cell), p(f"{o.score:g}{unit}", s.cell),
                         p(o.band, s.cell)])
        out.append(gap(2))
        out.append(table(rows, [30 * mm, 30 * mm, 30 * mm, CONTENT_WIDTH - 90 * mm]))
    if not readings and not others:
        out.append(p("No outcome measures recorded yet.", s.body))
    return out


def _adverse(data: CareSummaryData, s: Styles) -> list[Flowable]:
    out: list[Flowable] = [p("Adverse events", s.heading)]
    if not data.adverse_events:
        return out + [p("None recorded.", s.body)]
    rows = [[p("Date", s.cell_bold), p("Event", s.cell_bold), p("Severity", s.cell_bold),
             p("What happened and action taken", s.cell_bold)]]
    for event in data.adverse_events:
        rows.append([p(fmt_date(event.when), s.cell), p(event.kind.replace("_", " "), s.cell),
                     p(event.severity + ("" if event.resolved else ", unresolved"), s.cell),
                     p(" ".join(x for x in (event.description, event.action) if x), s.cell)])
    out.append(table(rows, [24 * mm, 30 * mm, 28 * mm, CONTENT_WIDTH - 82 * mm]))
    return out


def _next_steps(data: CareSummaryData, s: Styles) -> list[Flowable]:
    out: list[Flowable] = [p("Next steps", s.heading)]
    if data.next_visits:
        visits = [f"{fmt_long_date(v.starts)} at {fmt_time(v.starts)}: {v.kind}" for v in data.next_visits[:6]]
        more = len(data.next_visits) - len(visits)
        out.append(p("Booked visits:", s.body))
        out += bullets(visits + ([f"and {more} more"] if more > 0 else []), s.bullet)
    else:
        out.append(p("No further visits booked.", s.body))
    return out
