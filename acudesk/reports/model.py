"""Plain data the PDF documents are drawn from. Services fill these; reports never see the database.

Times are already in the clinic's local time (naive ``datetime``), money is in minor units with the
clinic's currency code, and every text is ready to print.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # reports/pain_drawing.py draws with the layout, which reads this module
    from acudesk.reports.pain_drawing import PainDrawingPrint


@dataclass(frozen=True)
class ClinicDetails:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    currency: str = "GBP"


@dataclass(frozen=True)
class PatientDetails:
    id: int
    name: str
    date_of_birth: date
    address: str = ""
    phone: str = ""
    gp_name: str = ""
    gp_practice: str = ""
    gp_address: str = ""
    gp_phone: str = ""


@dataclass(frozen=True)
class Practitioner:
    name: str
    registration: str = ""
    did: str = ""  # what the records show they did for this patient, e.g. "intake, plan, 6 sessions"


@dataclass(frozen=True)
class PlanPointLine:
    code: str
    pinyin: str
    hanzi: str
    english: str
    side: str  # left | right | bilateral | midline
    location: str  # plain-language location from the catalogue
    note: str = ""


@dataclass(frozen=True)
class Visit:
    starts: datetime  # clinic local time
    minutes: int
    kind: str  # visit type name
    practitioner: str = ""
    room: str = ""
    status: str = "booked"


@dataclass(frozen=True)
class HandoutData:
    clinic: ClinicDetails
    patient: PatientDetails | None  # None: the general handout
    practitioner: Practitioner | None = None
    complaint: str = ""
    points: tuple[PlanPointLine, ...] = ()
    visits: tuple[Visit, ...] = ()
    printed_on: date | None = None


@dataclass(frozen=True)
class TriageReason:
    rule: str
    text: str
    source: str
    level: str
    category: str = ""
    destination: str = ""  # where the rule sends the patient (EMERGENCY and URGENT_REFERRAL rules)


@dataclass(frozen=True)
class IntakeSummary:
    recorded_on: date
    level: str
    reasons: tuple[TriageReason, ...]
    findings: tuple[str, ...]  # one sentence per answer worth telling (acudesk.reports.findings)
    rules_version: str = ""
    referral_action: str = ""
    recorded_by: str = ""
    assessed_on: date | None = None  # the assessment's date when the intake gives one

    @property
    def assessment_date(self) -> date:
        """The day the patient was assessed: what a letter about this intake is dated by."""
        return self.assessed_on or self.recorded_on


@dataclass(frozen=True)
class SessionLine:
    when: datetime  # clinic local time
    points: tuple[str, ...]  # codes, with side marks
    nrs_before: int | None
    nrs_after: int | None
    needles_in: int | None
    needles_out: int | None
    note: str = ""
    amended: bool = False


@dataclass(frozen=True)
class OutcomeLine:
    measure: str
    when: date
    score: float
    band: str = ""


@dataclass(frozen=True)
class AdverseEventLine:
    when: date
    kind: str
    severity: str
    description: str
    action: str
    resolved: bool


@dataclass(frozen=True)
class CareSummaryData:
    clinic: ClinicDetails
    patient: PatientDetails
    practitioner: Practitioner | None
    complaint: str
    goals: str
    course_pattern: str
    baseline_nrs: int | None
    intake: IntakeSummary | None
    points: tuple[PlanPointLine, ...]
    techniques: tuple[str, ...]
    sessions: tuple[SessionLine, ...]
    outcomes: tuple[OutcomeLine, ...]
    adverse_events: tuple[AdverseEventLine, ...]
    next_visits: tuple[Visit, ...]
    printed_on: date
    meaningful_change_rule: str = ""  # e.g. "2 points or 30 % (Ostelo 2008)"
    # Who assessed, planned or treated the patient, from the records (the exporter is not one of them
    # unless the records say so); ``practitioner`` above is the one who signs: the plan's, else the latest.
    treating: tuple[Practitioner, ...] = ()
    period: tuple[date, date] | None = None  # the first and last day of care the summary covers
    printed_by: str = ""
    pain_drawing: PainDrawingPrint | None = None  # the latest, against the previous


@dataclass(frozen=True)
class ReferralData:
    clinic: ClinicDetails
    patient: PatientDetails
    practitioner: Practitioner | None
    intake: IntakeSummary
    complaint: str
    printed_on: date
    pain_drawing: PainDrawingPrint | None = None


@dataclass(frozen=True)
class ChargeLine:
    when: datetime
    description: str
    amount_minor: int


@dataclass(frozen=True)
class PaymentLine:
    when: datetime
    method: str
    amount_minor: int
    note: str = ""


@dataclass(frozen=True)
class ReceiptData:
    clinic: ClinicDetails
    patient: PatientDetails
    title: str  # "Receipt" (one visit) or "Statement" (a course)
    number: str  # the document's reference
    charges: tuple[ChargeLine, ...]
    payments: tuple[PaymentLine, ...]
    printed_on: date
    practitioner: Practitioner | None = None

    @property
    def total_charged(self) -> int:
        return sum(c.amount_minor for c in self.charges)

    @property
    def total_paid(self) -> int:
        return sum(p.amount_minor for p in self.payments)

    @property
    def balance(self) -> int:
        return self.total_charged - self.total_paid


@dataclass(frozen=True)
class DayListEntry:
    starts: datetime
    minutes: int
    patient: str
    patient_id: int
    phone: str
    kind: str
    room: str
    status: str
    visit_number: int | None = None


@dataclass(frozen=True)
class DayListData:
    clinic: ClinicDetails
    day: date
    by_practitioner: tuple[tuple[str, tuple[DayListEntry, ...]], ...] = field(default_factory=tuple)
    printed_at: datetime | None = None
