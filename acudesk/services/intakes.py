"""Intake use cases: save a draft, sign, record a referral, history, and the treatment-stop gate.

Answers are stored as the JSON the questionnaire defines (``docs/intake-format.md``). A draft may be
incomplete; signing validates it fully with ``parse_intake``. Triage (level, reasons, rules version)
is computed by the engine on every save. Signed intakes are never edited: a new intake supersedes the
latest signed one, and the history keeps them all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain import dates
from acudesk.domain.contraindications import load_ruleset
from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.intake import Intake as IntakeAnswers
from acudesk.domain.intake import Questionnaire, load_questionnaire
from acudesk.domain.intake_answers import parse_intake, require_answered
from acudesk.domain.signing import INTAKE_SEALED_FIELDS, intake_seal
from acudesk.domain.treatment_gate import REFERRAL_LEVELS, GateDecision, ScreenedIntake, treatment_gate
from acudesk.domain.triage import TriageResult, load_triage_rules, stored_destination, triage
from acudesk.persistence.database import Database
from acudesk.persistence.models import Intake, Patient, User, utcnow
from acudesk.services import audit, flag_clearances
from acudesk.services.clinic import clinic_zone
from acudesk.services.context import Actor
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require


@dataclass(frozen=True)
class TriageReasonRow:
    rule: str
    text: str
    level: str
    category: str
    source: str
    destination: str = ""  # where the rule sends the patient (EMERGENCY and URGENT_REFERRAL rules)
    patient_advice: str = ""  # the same in plain words for the patient


@dataclass(frozen=True)
class IntakeRecord:
    id: int
    patient_id: int
    answers: Mapping[str, Any]
    status: str  # draft | signed
    rules_version: str
    level: str
    reasons: tuple[TriageReasonRow, ...]
    recorded_at: datetime
    recorded_by: str
    signed_at: datetime | None
    signed_by: str
    supersedes_id: int | None
    referral_action: str
    referral_recorded_at: datetime | None
    version: int
    digest_ok: bool

    @property
    def signed(self) -> bool:
        return self.status == "signed"

    @property
    def blocks_treatment(self) -> bool:
        return self.level in ("EMERGENCY", "URGENT_REFERRAL")


@cache
def draft_questionnaire() -> Questionnaire:
    """The questionnaire with nothing required: a draft may be saved half-filled."""
    qs = load_questionnaire()
    relaxed = tuple(replace(q, required=False, required_if=None, required_unless=None) for q in qs.questions)
    return Questionnaire(qs.version, relaxed, qs.named_conditions)


def parse_answers(answers: Mapping[str, Any], *, complete: bool) -> IntakeAnswers:
    """Validate answers (every one for a signature; only those given for a draft)."""
    document = {"format": "acudesk-intake/1", "answers": dict(answers)}
    return parse_intake(document, questionnaire=None if complete else draft_questionnaire())


def seal(intake: Intake) -> str:
    """The seal a signed intake carries (domain/signing.py says what it covers)."""
    return intake_seal({name: getattr(intake, name) for name in INTAKE_SEALED_FIELDS})


def _names(tx: Session, intakes: Sequence[Intake]) -> dict[int, str]:
    """Display names of everyone who recorded or signed ``intakes``, in one query."""
    wanted = {i.recorded_by_id for i in intakes} | {i.signed_by_id for i in intakes if i.signed_by_id is not None}
    if not wanted:
        return {}
    return dict(tx.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


_UTC_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC: ", re.MULTILINE)


def referral_log(stored: str | None, zone: tzinfo) -> str:
    """The referral entries for a person: entries recorded before the clinic's time was used there start
    "2026-07-01 13:00 UTC: " and are shown like the newer ones, "Wed 1 Jul 2026 14:00: ", in ``zone``."""

    def local(match: re.Match[str]) -> str:
        moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        return f"{dates.day_and_time(moment, zone)}: "

    return _UTC_STAMP.sub(local, stored or "")


def _referral_for_reader(tx: Session, stored: str | None) -> str:
    """The referral entries in the clinic's time; the clinic's zone is read only for an entry stamped in
    UTC (a list of intakes costs no query per row)."""
    if not stored or not _UTC_STAMP.search(stored):
        return stored or ""
    return referral_log(stored, clinic_zone(tx))


def _record(tx: Session, intake: Intake, names: Mapping[int, str] | None = None) -> IntakeRecord:
    """``names`` from ``_names`` for a list of intakes; queried here for a single intake when not given."""
    if names is None:
        names = _names(tx, [intake])
    reasons = tuple(
        TriageReasonRow(r.get("rule", ""), r.get("text", ""), r.get("level", ""), r.get("category", ""),
                        r.get("source", ""), stored_destination(r), stored_destination(r, "patient_advice"))
        for r in intake.triage_reasons or ()
    )
    return IntakeRecord(
        id=intake.id, patient_id=intake.patient_id, answers=dict(intake.answers or {}), status=intake.status,
        rules_version=intake.rules_version, level=intake.triage_level, reasons=reasons,
        recorded_at=intake.recorded_at, recorded_by=names.get(intake.recorded_by_id, ""),
        signed_at=intake.signed_at, signed_by=names.get(intake.signed_by_id or 0, ""),
        supersedes_id=intake.supersedes_id, referral_action=_referral_for_reader(tx, intake.referral_action),
        referral_recorded_at=intake.referral_recorded_at, version=intake.version,
        digest_ok=intake.status != "signed" or intake.content_digest == seal(intake),
    )


def compact_rules_version() -> str:
    """Rule-set versions in at most 32 characters (the column's width), e.g. "triage 2025.1; ci 2025.1"."""
    return f"triage {load_triage_rules().version}; ci {load_ruleset().version}"[:32]


def _store_triage(intake: Intake, result: TriageResult) -> None:
    intake.rules_version = compact_rules_version()
    intake.triage_level = result.level.name
    intake.triage_reasons = [r.as_json() for r in result.reasons]


def _patient(tx: Session, patient_id: int) -> Patient:
    patient = tx.get(Patient, patient_id)
    if patient is None:
        raise NotFoundError(f"There is no patient no. {patient_id}.")
    return patient


def _latest_signed(tx: Session, patient_id: int) -> Intake | None:
    return tx.scalars(
        select(Intake).where(Intake.patient_id == patient_id, Intake.status == "signed")
        .order_by(Intake.signed_at.desc(), Intake.id.desc()).limit(1)
    ).first()


def _load_draft(tx: Session, intake_id: int, expected_version: int | None) -> Intake:
    intake = load_for_change(tx, Intake, intake_id, None, what="intake")
    if intake.status == "signed":
        raise ValidationError(
            "This intake is signed and cannot be changed. Start a new intake; it will supersede this one.",
            field="intake",
        )
    return load_for_change(tx, Intake, intake_id, expected_version, what="intake")


def save_intake(
    database: Database, actor: Actor, patient_id: int, answers: Mapping[str, Any], *,
    intake_id: int | None = None, expected_version: int | None = None, sign: bool = False,
) -> IntakeRecord:
    """Save a draft (new, or the draft ``intake_id``), and sign it when ``sign`` is true."""
    require(actor, Permission.EDIT_CLINICAL)
    if sign:  # says how many questions are unanswered ("Not asked" is never signed as "no")
        require_answered(parse_answers(answers, complete=False))
    parsed = parse_answers(answers, complete=sign)
    result = triage(parsed)
    with database.write() as tx:
        _patient(tx, patient_id)
        if intake_id is None:
            previous = _latest_signed(tx, patient_id)
            intake = Intake(patient_id=patient_id, recorded_by_id=actor.user_id, recorded_at=utcnow(),
                            supersedes_id=previous.id if previous else None, status="draft")
            tx.add(intake)
        else:
            intake = _load_draft(tx, intake_id, expected_version)
            if intake.patient_id != patient_id:
                raise NotFoundError(f"Intake no. {intake_id} belongs to another patient.")
        intake.answers = dict(answers)
        _store_triage(intake, result)
        tx.flush()  # as a draft first: the seal covers the intake's number
        detail: dict[str, Any] = {"level": intake.triage_level}
        if sign:
            cleared = flag_clearances.require_cleared(tx, intake)  # a dropped red flag needs its clearance
            if cleared:
                detail["cleared"] = cleared
            intake.status = "signed"
            intake.signed_at = utcnow()
            intake.signed_by_id = actor.user_id
            intake.content_digest = detail["seal"] = seal(intake)
            tx.flush()
        audit.record(tx, actor, "sign" if sign else ("create" if intake_id is None else "update"),
                     "intake", intake.id, patient_id=patient_id, detail=detail)
        return _record(tx, intake)


def sign_intake(database: Database, actor: Actor, intake_id: int, *, expected_version: int) -> IntakeRecord:
    """Sign a saved draft as it stands (every required question must be answered)."""
    require(actor, Permission.EDIT_CLINICAL)
    with database.read() as tx:
        intake = _load_draft(tx, intake_id, expected_version)
        patient_id, answers = intake.patient_id, dict(intake.answers)
    return save_intake(database, actor, patient_id, answers, intake_id=intake_id,
                       expected_version=expected_version, sign=True)


def record_referral(database: Database, actor: Actor, intake_id: int, action: str) -> IntakeRecord:
    """Record what was done about a referral (where, when, outcome). Later entries are appended."""
    require(actor, Permission.EDIT_CLINICAL)
    text = action.strip()
    if not text:
        raise ValidationError("Say what was done: referred where, when, and the outcome.", field="referral_action")
    with database.write() as tx:
        intake = load_for_change(tx, Intake, intake_id, None, what="intake")
        if intake.status != "signed":
            raise ValidationError("Sign the intake before recording the referral.", field="referral_action")
        if intake.triage_level not in REFERRAL_LEVELS:
            raise ValidationError(
                f"This intake's result ({intake.triage_level}) does not ask for a referral.", field="referral_action"
            )
        now = utcnow()
        entry = f"{dates.day_and_time(now, clinic_zone(tx))}: {text}"  # the clinic's time, as the reader lives it
        intake.referral_action = f"{intake.referral_action}\n{entry}" if intake.referral_action else entry
        intake.referral_recorded_at = now
        tx.flush()
        audit.record(tx, actor, "record-referral", "intake", intake.id, patient_id=intake.patient_id)
        return _record(tx, intake)


def list_intakes(database: Database, actor: Actor, patient_id: int) -> list[IntakeRecord]:
    """Every intake of the patient, newest first (drafts included)."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        _patient(tx, patient_id)
        rows = tx.scalars(
            select(Intake).where(Intake.patient_id == patient_id).order_by(Intake.recorded_at.desc(), Intake.id.desc())
        ).all()
        names = _names(tx, rows)  # one query for every intake's recorder and signer
        records = [_record(tx, row, names) for row in rows]
        audit.record(tx, actor, "view", "intake", None, patient_id=patient_id, detail={"count": len(records)})
        return records


def gate_for(tx: Session, patient_id: int) -> GateDecision:
    """The treatment-stop decision from the patient's signed intakes (inside a caller's transaction)."""
    rows = tx.execute(
        select(Intake.id, Intake.triage_level, Intake.signed_at, Intake.referral_action)
        .where(Intake.patient_id == patient_id, Intake.status == "signed")
    ).all()
    screened = [ScreenedIntake(r.id, r.triage_level, r.signed_at, r.referral_action or "") for r in rows]
    return treatment_gate(screened, clinic_zone(tx) if screened else None)


def treatment_gate_for(database: Database, actor: Actor, patient_id: int) -> GateDecision:
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        _patient(tx, patient_id)
        return gate_for(tx, patient_id)


def rescreen_advice(database: Database, actor: Actor, patient_id: int) -> tuple[str, ...]:
    """Safety-netting for today's visit: what to re-ask when a weak red flag stood alone at intake.

    Weak flags on their own predict serious disease poorly, so instead of referring, the IFOMPT
    framework asks for re-screening at every visit (docs/clinical-rules.md). Empty when the latest
    signed intake has no such flag.
    """
    require(actor, Permission.VIEW_CLINICAL)
    with database.read() as tx:
        _patient(tx, patient_id)
        intake = _latest_signed(tx, patient_id)
        answers = dict(intake.answers or {}) if intake is not None else None
    if answers is None:
        return ()
    return tuple(triage(parse_answers(answers, complete=False)).safety_netting)


def latest_conditions(tx: Session, patient_id: int) -> IntakeAnswers:
    """The answers of the latest signed intake, as the contraindication engine reads them."""
    intake = _latest_signed(tx, patient_id)
    if intake is None:
        return IntakeAnswers({})
    return parse_answers(intake.answers or {}, complete=False)
