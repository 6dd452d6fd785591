"""The patient handout "Your acupuncture plan": personal (with visits and points) or general.

Large type (12.5 pt body), plain language, wording from ``resources/handouts/patient_handout.toml``.
"""

from __future__ import annotations

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from acudesk.reports.charts import body_chart_drawing
from acudesk.reports.fonts import markup
from acudesk.reports.layout import (
    CONTENT_WIDTH,
    PageSetup,
    boxed,
    bullets,
    fmt_long_date,
    fmt_time,
    gap,
    keep,
    p,
    pm,
    printed_line,
    render,
    styles,
    table,
)
from acudesk.reports.model import HandoutData, PlanPointLine
from acudesk.reports.texts import load_texts

BODY_SIZE = 12.5


def plain_location(location: str) -> str:
    """The first sentence of the catalogue's location, phrased for a patient ("On the lower back, …")."""
    first = location.split(". ")[0].rstrip(".")
    for lead in ("The point lies ", "The points lie "):
        if first.startswith(lead):
            first = first[len(lead):]
            first = first[0].upper() + first[1:]
    return first + "."


def render_handout(data: HandoutData) -> tuple[bytes, int]:
    texts = load_texts("patient_handout")
    s = styles(BODY_SIZE)
    story: list[Flowable] = []
    personal = data.patient is not None
    story.append(p(texts["title"], s.title))
    if personal:
        assert data.patient is not None
        who = f"Prepared for {data.patient.name}"
        if data.practitioner:
            who += f" by {data.practitioner.name}"
        story.append(p(who, s.subheading))
        if data.complaint:
            story.append(p(f"Reason for treatment: {data.complaint}", s.body))
        story.append(p(texts["intro_personal"], s.body))
    else:
        story.append(p(texts["general_subtitle"], s.subheading))
        story.append(p(texts["intro_general"], s.body))

    story += _session(texts, s)
    if personal:
        story += _schedule(texts, s, data)
        story += _points(texts, s, data.points)
    else:
        story += [p(texts["schedule"]["heading"], s.heading), p(texts["schedule"]["cannot_come"], s.body),
                  p(texts["schedule"]["arrive"], s.body)]
    story += _aftercare(texts, s)
    story += _urgent(texts, s, data)
    story.append(gap(2))
    story.append(p(texts["evidence"], s.small))

    subject = data.patient.name if data.patient else ""
    setup = PageSetup(data.clinic, texts["title"], confidential=personal,
                      printed=printed_line(data.printed_on or date.today()), subject=subject)
    return render(story, setup)


def _session(texts: dict, s) -> list[Flowable]:
    section = texts["session"]
    rows = [[p("Step", s.cell_bold), p("Usually", s.cell_bold), p("What happens", s.cell_bold)]]
    for number, step in enumerate(section["step"], start=1):
        rows.append([p(f"{number}. {step['name']}", s.cell_bold), p(step["minutes"], s.cell), p(step["text"], s.cell)])
    return [
        p(section["heading"], s.heading), p(section["lead"], s.body),
        table(rows, [48 * mm, 26 * mm, CONTENT_WIDTH - 74 * mm]), gap(2), p(section["footer"], s.body),
    ]


def _schedule(texts: dict, s, data: HandoutData) -> list[Flowable]:
    section = texts["schedule"]
    out: list[Flowable] = [p(section["heading"], s.heading)]
    if data.visits:
        out.append(p(section["lead"], s.body))
        rows = [[p("Date", s.cell_bold), p("Time", s.cell_bold), p("Visit", s.cell_bold),
                 p("With", s.cell_bold)]]
        for visit in data.visits:
            rows.append([p(fmt_long_date(visit.starts), s.cell), p(f"{fmt_time(visit.starts)} ({visit.minutes} min)",
                         s.cell), p(visit.kind, s.cell), p(visit.practitioner, s.cell)])
        out.append(table(rows, [58 * mm, 32 * mm, CONTENT_WIDTH - 130 * mm, 40 * mm]))
        out.append(gap(2))
    else:
        out.append(p(section["none"], s.body))
    contact = data.clinic.phone or data.clinic.email
    cannot = section["cannot_come"] + (f" Phone {contact}." if data.clinic.phone else
                                       f" Email {contact}." if contact else "")
    out += [p(cannot, s.body), p(section["arrive"], s.body)]
    return out


def _points(texts: dict, s, points: tuple[PlanPointLine, ...]) -> list[Flowable]:
    section = texts["points"]
    heading = p(section["heading"], s.heading)
    if not points:
        return [heading, p(section["none"], s.body)]
    drawing = body_chart_drawing(points, CONTENT_WIDTH)
    out: list[Flowable] = [CondPageBreak(150 * mm), heading, p(section["lead"], s.body)]
    if drawing is not None:
        out.append(drawing)
    rows = [[p("Point", s.cell_bold), p("Where", s.cell_bold), p("Side", s.cell_bold)]]
    sides = section["sides"]
    for line in points:
        name = f"<b>{markup(line.code)}</b><br/>{markup(line.pinyin)} {markup(line.hanzi)}"
        if line.english:
            name += f"<br/>{markup(line.english)}"
        rows.append([pm(name, s.cell), p(plain_location(line.location), s.cell), p(sides.get(line.side, line.side),
                     s.cell)])
    out += [gap(2), table(rows, [44 * mm, CONTENT_WIDTH - 72 * mm, 28 * mm])]
    if any("cun" in line.location for line in points):
        out.append(p(section["cun"], s.small))
    return out


def _aftercare(texts: dict, s) -> list[Flowable]:
    after, reactions = texts["aftercare"], texts["reactions"]
    return [
        keep(p(after["heading"], s.heading), *bullets(after["items"], s.bullet)),
        keep(p(reactions["heading"], s.heading), p(reactions["lead"], s.body), *bullets(reactions["items"], s.bullet)),
        p(reactions["after"], s.body),
    ]


def _urgent(texts: dict, s, data: HandoutData) -> list[Flowable]:
    urgent = texts["urgent"]
    inner: list[Flowable] = [p(urgent["heading"], s.heading), p(urgent["emergency_lead"], s.warning),
                             *bullets(urgent["emergency"], s.bullet), p(urgent["neck_lead"], s.warning),
                             *bullets(urgent["neck"], s.bullet)]
    second: list[Flowable] = [p(urgent["doctor_lead"], s.subheading), *bullets(urgent["doctor"], s.bullet)]
    if data.clinic.phone:
        second.append(p(f"You can always phone the clinic on {data.clinic.phone} to talk things over.", s.body))
    return [CondPageBreak(120 * mm), boxed(inner), gap(3), keep(*second)]
