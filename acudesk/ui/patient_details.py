"""A read-only summary of the selected patient, beside the list, with their course's visits to come."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

from acudesk.domain import dates
from acudesk.domain.patients import age_on, display_phone, full_name
from acudesk.services.patients import PatientRecord
from acudesk.ui.qt import QFrame, QLabel, Qt, QVBoxLayout, QWidget
from acudesk.ui.style import ARCHIVED_BADGE_BACKGROUND, ERROR_TEXT, LABEL_TEXT

if TYPE_CHECKING:
    from acudesk.services.calendar_data import CourseOutlook  # the scheduling engine: only when a course is read
    from acudesk.services.patient_pane import PatientPane


COURSE_LINES = 5  # the course's next visits listed in the pane


class PatientDetailsPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patientDetails")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(280)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        self.course = QLabel()
        self.course.setObjectName("patientCourse")
        self.course.setTextFormat(Qt.TextFormat.RichText)
        self.course.setWordWrap(True)
        self.course.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.outlook = QLabel()
        self.outlook.setObjectName("patientOutlook")
        self.outlook.setTextFormat(Qt.TextFormat.RichText)
        self.outlook.setWordWrap(True)
        self.outlook.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.label)
        layout.addWidget(self.outlook)
        layout.addWidget(self.course)
        layout.addStretch(1)
        self.show_record(None)

    def show_pane(self, pane: PatientPane | None, list_visits: bool = True) -> None:
        """Where the screening stands, and the visits still booked (listed when no course lists them)."""
        if pane is None:
            self.outlook.setText("")
            self.outlook.hide()
            return
        screening = pane.screening
        colour = ERROR_TEXT if screening.on_hold or screening.signed_on is None else LABEL_TEXT
        parts = [f"<p style='margin:8px 0 2px 0'><b>Screening</b>: "
                 f"<span style='color:{colour}'>{escape(screening.words())}</span></p>"]
        if pane.upcoming_total == 0:
            parts.append("<p style='margin:8px 0 2px 0'><b>Visits</b>: none booked.</p>")
        elif not list_visits:
            parts.append(f"<p style='margin:8px 0 2px 0'><b>Visits booked</b>: {pane.upcoming_total}</p>")
        else:
            lines = "".join(f"<tr><td style='padding-right:10px'>{dates.day_and_time(e.local_start)}</td>"
                            f"<td style='color:{LABEL_TEXT}'>{escape(e.practitioner_name)}</td></tr>"
                            for e in pane.upcoming)
            more = (f"<p style='color:{LABEL_TEXT};margin:2px 0'>and {pane.upcoming_total - len(pane.upcoming)} "
                    "more</p>" if pane.upcoming_total > len(pane.upcoming) else "")
            parts.append(f"<p style='margin:8px 0 2px 0'><b>Visits booked</b>: {pane.upcoming_total}</p>"
                         f"<table cellspacing='0' cellpadding='2'>{lines}</table>{more}")
        self.outlook.setText("".join(parts))
        self.outlook.show()

    def show_course(self, outlook: CourseOutlook | None) -> None:
        """The patient's course: its size and rhythm, and the visits still to come (the first few)."""
        if outlook is None:
            self.course.setText("")
            self.course.hide()
            return
        left = len(outlook.remaining)
        rhythm = f" · {escape(outlook.rhythm)}" if outlook.rhythm else ""
        lines = "".join(
            f"<tr><td style='padding-right:10px'>{dates.day_and_time(e.local_start)}</td>"
            f"<td style='color:{LABEL_TEXT}'>visit {e.course_visit_number}</td></tr>"
            for e in outlook.remaining[:COURSE_LINES]
        )
        more = (f"<p style='color:{LABEL_TEXT};margin:2px 0'>and {left - COURSE_LINES} more</p>"
                if left > COURSE_LINES else "")
        self.course.setText(
            f"<p style='margin:8px 0 2px 0'><b>Course</b>: {outlook.total} visits{rhythm} · "
            f"{left} still to come</p><table cellspacing='0' cellpadding='2'>{lines}</table>{more}"
        )
        self.course.show()

    def show_record(self, record: PatientRecord | None, today: date | None = None, country: str | None = None) -> None:
        if record is None:
            self.label.setText(f"<p style='color:{LABEL_TEXT}'>Select a patient to see their details.</p>")
            self.show_pane(None)
            self.show_course(None)
            return
        d = record.details
        today = today or date.today()
        name = escape(full_name(d.given_name, d.family_name))
        preferred = (f" <span style='color:{LABEL_TEXT}'>(“{escape(d.preferred_name)}”)</span>"
                     if d.preferred_name else "")
        badge = (f" <span style='background:{ARCHIVED_BADGE_BACKGROUND};padding:2px 6px;'>ARCHIVED</span>"
                 if record.archived else "")
        consent = (f"given {dates.day(d.consent_date)}" if d.consent_to_treatment and d.consent_date
                   else f"<b style='color:{ERROR_TEXT}'>not recorded</b>")

        def row(label: str, value: str) -> str:
            return f"<tr><td style='color:{LABEL_TEXT};padding-right:10px'>{label}</td><td>{value or '—'}</td></tr>"

        born = f"{dates.day(d.date_of_birth)} (age {age_on(d.date_of_birth, today)})" if d.date_of_birth else ""
        rows = "".join([
            row("Patient no.", str(record.id)),
            row("Born", born),
            row("Sex", escape(d.sex.capitalize())),
            row("Phone", escape(display_phone(d.phone, country))),
            row("Email", escape(d.email)),
            row("Address", escape(d.address).replace("\n", "<br>")),
            row("Consent", consent),
            row("GP", escape(", ".join(x for x in (d.gp_name, d.gp_practice) if x))),
            row("GP phone", escape(display_phone(d.gp_phone, country))),
            row("Emergency", escape(" ".join(x for x in (d.emergency_contact_name,
                                                          display_phone(d.emergency_contact_phone, country)) if x))),
        ])
        self.label.setText(
            f"<h2 style='margin:0'>{name}{preferred}</h2>{badge}"
            f"<table style='margin-top:10px' cellspacing='0' cellpadding='3'>{rows}</table>"
        )
