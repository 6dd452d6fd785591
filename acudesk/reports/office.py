"""Front-desk documents: the receipt or statement for an insurer, and the day list for reception."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Table

from acudesk.domain.scheduling.statuses import status_label
from acudesk.reports.care_summary import patient_block
from acudesk.reports.layout import (
    ACCENT,
    CONTENT_WIDTH,
    SHADE,
    PageSetup,
    Styles,
    fmt_date,
    fmt_long_date,
    fmt_money,
    fmt_time,
    gap,
    keep,
    p,
    printed_line,
    render,
    styles,
    table,
)
from acudesk.reports.model import DayListData, DayListEntry, ReceiptData


def render_receipt(data: ReceiptData) -> tuple[bytes, int]:
    s = styles(10.5)
    money = data.clinic.currency
    story: list[Flowable] = [p(data.title, s.title), p(f"Reference {data.number}", s.small), patient_block(data.patient,
                                                                                                          s)]
    story.append(gap(2))
    if data.practitioner:
        story.append(p(f"Practitioner: {data.practitioner.name}"
                       + (f", registration {data.practitioner.registration}" if data.practitioner.registration
                          else ""), s.body))
    story.append(p("Treatment", s.heading))
    rows = [[p("Date", s.cell_bold), p("Description", s.cell_bold), p("Fee", s.cell_bold)]]
    for charge in data.charges:
        rows.append([p(f"{fmt_date(charge.when)} {fmt_time(charge.when)}", s.cell), p(charge.description, s.cell),
                     p(fmt_money(charge.amount_minor, money), s.cell_right)])
    rows.append([p("", s.cell), p("Total charged", s.cell_bold), p(fmt_money(data.total_charged, money),
                                                                    s.cell_right)])
    widths = [36 * mm, CONTENT_WIDTH - 70 * mm, 34 * mm]
    story.append(table(rows, widths, extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]))
    if not data.charges:
        story.append(p("No charged visits in this period.", s.body))
    story.append(p("Payments received", s.heading))
    rows = [[p("Date", s.cell_bold), p("Method", s.cell_bold), p("Amount", s.cell_bold)]]
    for payment in data.payments:
        method = payment.method.replace("_", " ") + (f" ({payment.note})" if payment.note else "")
        rows.append([p(fmt_date(payment.when), s.cell), p(method, s.cell),
                     p(fmt_money(payment.amount_minor, money), s.cell_right)])
    rows.append([p("", s.cell), p("Total paid", s.cell_bold), p(fmt_money(data.total_paid, money), s.cell_right)])
    story.append(table(rows, widths, extra=[("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT)]))
    balance = data.balance
    words = "Balance due" if balance > 0 else "In credit" if balance < 0 else "Balance"
    story.append(gap(3))
    story.append(keep(table([[p(words, s.subheading), p(fmt_money(abs(balance), money), s.subheading)]],
                            [CONTENT_WIDTH - 34 * mm, 34 * mm], header=False, zebra=False,
                            extra=[("BOX", (0, 0), (-1, -1), 1, ACCENT), ("ALIGN", (1, 0), (1, 0), "RIGHT")])))
    story.append(gap(4))
    story.append(p(f"Amounts in {money}. Issued by {data.clinic.name}.", s.small))
    setup = PageSetup(data.clinic, data.title, confidential=False, printed=printed_line(data.printed_on),
                      subject=f"{data.patient.name} · {data.number}")
    return render(story, setup)


def render_day_list(data: DayListData) -> tuple[bytes, int]:
    s = styles(10.5)
    title = f"Day list {fmt_date(data.day)}"
    story: list[Flowable] = [p(f"Appointments, {fmt_long_date(data.day)}", s.title)]
    if not data.by_practitioner:
        story.append(p("No appointments on this day.", s.body))
    total = sum(len(entries) for _, entries in data.by_practitioner)
    if total:
        story.append(p(f"{total} appointment{'s' if total != 1 else ''} for {len(data.by_practitioner)} "
                       f"practitioner{'s' if len(data.by_practitioner) != 1 else ''}.", s.body))
    for practitioner, entries in data.by_practitioner:
        story += [CondPageBreak(30 * mm), gap(4),
                  _practitioner_table(practitioner, entries, fmt_long_date(data.day), s)]
    setup = PageSetup(data.clinic, title, confidential=True,
                      printed=printed_line(data.printed_at or data.day))  # the title already names the day
    return render(story, setup)


def _practitioner_table(practitioner: str, entries: tuple[DayListEntry, ...], day: str, s: Styles) -> Table:
    """One practitioner's visits. The first two rows, whose list and which day and the column names,
    repeat at the top of every page the table runs onto."""
    count = f"{len(entries)} appointment{'s' if len(entries) != 1 else ''}"
    rows = [[p(f"{practitioner} · {day} · {count}", s.subheading), "", "", "", "", ""],
            [p("Time", s.cell_bold), p("Patient", s.cell_bold), p("Phone", s.cell_bold),
             p("Visit", s.cell_bold), p("Room", s.cell_bold), p("Status", s.cell_bold)]]
    for e in entries:
        visit = e.kind + (f" (no. {e.visit_number})" if e.visit_number else "")
        rows.append([p(f"{fmt_time(e.starts)}–{fmt_time(_end(e.starts, e.minutes))}", s.cell),
                     p(f"{e.patient} (no. {e.patient_id})", s.cell), p(e.phone, s.cell), p(visit, s.cell),
                     p(e.room, s.cell), p(status_label(e.status), s.cell)])
    t = table(rows, [24 * mm, 44 * mm, 26 * mm, CONTENT_WIDTH - 140 * mm, 22 * mm, 24 * mm],
              extra=[("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 1), (-1, 1), SHADE),
                     ("LINEBELOW", (0, 1), (-1, 1), 0.8, ACCENT), ("ROWBACKGROUNDS", (0, 2), (-1, -1),
                                                                   [colors.white, colors.HexColor("#f8fafc")])])
    t.repeatRows = 2
    return t


def _end(start, minutes: int):
    from datetime import timedelta

    return start + timedelta(minutes=minutes)
