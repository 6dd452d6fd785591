"""SQLAlchemy ORM models: every table AcuDesk stores. Import from here."""

from acudesk.persistence.models.base import Base, UTCDateTime, utcnow
from acudesk.persistence.models.change_log import ChangeLogEntry
from acudesk.persistence.models.clearances import FlagClearance
from acudesk.persistence.models.clinic import (
    Clinic,
    Closure,
    Room,
    Setting,
    SignInSession,
    User,
    UserRole,
    VisitType,
)
from acudesk.persistence.models.clinical import (
    AdverseEvent,
    CoursePhase,
    Intake,
    OutcomeMeasurement,
    PlanPoint,
    PlanTechnique,
    SessionPoint,
    SessionRecord,
    TreatmentPlan,
)
from acudesk.persistence.models.pain_drawings import PainDrawing
from acudesk.persistence.models.patient import Patient
from acudesk.persistence.models.records import AuditCheckpoint, AuditEvent, ExportedDocument
from acudesk.persistence.models.scheduling import APPOINTMENT_STATUSES, Appointment, BookingPreference, Payment
from acudesk.persistence.models.waitlist import WaitlistEntry

__all__ = [
    "APPOINTMENT_STATUSES",
    "AdverseEvent",
    "Appointment",
    "AuditCheckpoint",
    "AuditEvent",
    "Base",
    "BookingPreference",
    "ChangeLogEntry",
    "Clinic",
    "Closure",
    "CoursePhase",
    "ExportedDocument",
    "FlagClearance",
    "Intake",
    "OutcomeMeasurement",
    "PainDrawing",
    "Patient",
    "Payment",
    "PlanPoint",
    "PlanTechnique",
    "Room",
    "SessionPoint",
    "SessionRecord",
    "Setting",
    "SignInSession",
    "TreatmentPlan",
    "User",
    "UserRole",
    "VisitType",
    "WaitlistEntry",
    "UTCDateTime",
    "utcnow",
]
