"""Flag clearances: recording why a new intake may drop a red flag, and refusing to sign without one.

A new intake that drops an EMERGENCY or URGENT_REFERRAL flag raised by the patient's latest signed
intake (domain/flag_clearance.py, resources/rules/flag_clearance.toml) is signed only once a
clearance covers every dropped flag: what changed, who saw the patient and when. Clearances are
append-only rows (migration 0014's triggers refuse changes); one recorded for a draft counts only
for that draft and that flagged intake. ``intakes.save_intake`` calls ``require_cleared`` when it
signs, so no path signs around it. Both the clearance and the signing are audit events that name
the earlier intake.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from acudesk.domain.errors import NotFoundError, ValidationError
from acudesk.domain.flag_clearance import (
    ClearanceDraft,
    Flag,
    check_clearance,
    dropped_flags,
    load_clearance_policy,
    missing_clearance_message,
    uncleared,
)
from acudesk.persistence.database import Database
from acudesk.persistence.models import FlagClearance, Intake, Patient, User, utcnow
from acudesk.services import audit
from acudesk.services.clinic import clinic_today, clinic_zone
from acudesk.services.context import Actor
from acudesk.services.locking import load_for_change
from acudesk.services.permissions import Permission, require


@dataclass(frozen=True)
class ClearanceRecord:
    id: int
    patient_id: int
    intake_id: int  # the new intake that drops the flags
    flagged_intake_id: int  # the earlier signed intake that raised them
    flags: tuple[Flag, ...]
    what_changed: str
    seen_by: str  # key in resources/rules/flag_clearance.toml
    seen_by_label: str
    seen_by_name: str
    seen_on: date
    recorded_by: str
    recorded_at: datetime

    @property
    def who(self) -> str:
        return f"{self.seen_by_label}: {self.seen_by_name}" if self.seen_by_name else self.seen_by_label


def flags_of(reasons: Iterable[Any]) -> tuple[Flag, ...]:
    """Stored triage reasons (JSON dicts) as flags."""
    return tuple(Flag(str(r.get("rule", "")), str(r.get("level", "")), str(r.get("text", ""))) for r in reasons)


def _latest_signed_before(tx: Session, intake: Intake) -> Intake | None:
    return tx.scalars(
        select(Intake).where(Intake.patient_id == intake.patient_id, Intake.status == "signed", Intake.id != intake.id)
        .order_by(Intake.signed_at.desc(), Intake.id.desc()).limit(1)
    ).first()


def _dropped(flagged: Intake, intake: Intake) -> tuple[Flag, ...]:
    return dropped_flags(flagged.triage_level, flags_of(flagged.triage_reasons or ()),
                         intake.triage_level, flags_of(intake.triage_reasons or ()))


def _flagged_on(tx: Session, flagged: Intake) -> date:
    signed = flagged.signed_at or flagged.recorded_at
    return signed.astimezone(clinic_zone(tx)).date()


def _cleared_rules(tx: Session, intake_id: int, flagged_id: int) -> tuple[list[int], set[str]]:
    rows = tx.execute(select(FlagClearance.id, FlagClearance.dropped_flags).where(
        FlagClearance.intake_id == intake_id, FlagClearance.flagged_intake_id == flagged_id)).all()
    return [row.id for row in rows], {str(flag.get("rule", "")) for row in rows for flag in row.dropped_flags or ()}


def require_cleared(tx: Session, intake: Intake) -> dict[str, Any] | None:
    """Refuse to sign ``intake`` (its triage already stored) while a flag it drops has no clearance.

    Compares with the patient's latest signed intake now, not the one the draft started from. Returns
    what the signing's audit event records about the clearance (None when no flag was dropped)."""
    flagged = _latest_signed_before(tx, intake)
    if flagged is None:
        return None
    dropped = _dropped(flagged, intake)
    if not dropped:
        return None
    ids, covered = _cleared_rules(tx, intake.id, flagged.id)
    missing = uncleared(dropped, covered)
    if missing:
        raise ValidationError(missing_clearance_message(missing, _flagged_on(tx, flagged)), field="clearance")
    return {"flagged_intake": flagged.id, "flags": [flag.rule for flag in dropped], "clearances": ids}


def _record(row: FlagClearance, names: dict[int, str]) -> ClearanceRecord:
    return ClearanceRecord(
        id=row.id, patient_id=row.patient_id, intake_id=row.intake_id, flagged_intake_id=row.flagged_intake_id,
        flags=flags_of(row.dropped_flags or ()), what_changed=row.what_changed, seen_by=row.seen_by,
        seen_by_label=load_clearance_policy().seen_by_label(row.seen_by), seen_by_name=row.seen_by_name,
        seen_on=row.seen_on, recorded_by=names.get(row.recorded_by_id, ""), recorded_at=row.recorded_at,
    )


def _names(tx: Session, rows: Sequence[FlagClearance]) -> dict[int, str]:
    wanted = {row.recorded_by_id for row in rows}
    if not wanted:
        return {}
    found = tx.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {row.id: row.display_name for row in found}


def record_clearance(database: Database, actor: Actor, intake_id: int, draft: ClearanceDraft) -> ClearanceRecord:
    """Record the clearance of every flag the saved draft ``intake_id`` drops (as saved) from the latest
    signed intake: what changed, who saw the patient and when. Practitioners only; audited."""
    require(actor, Permission.EDIT_CLINICAL)
    with database.write() as tx:
        intake = load_for_change(tx, Intake, intake_id, None, what="intake")
        if intake.status == "signed":
            raise ValidationError("This intake is already signed; a clearance belongs to the new intake that "
                                  "drops the flags, before it is signed.", field="clearance")
        flagged = _latest_signed_before(tx, intake)
        dropped = _dropped(flagged, intake) if flagged is not None else ()
        if flagged is None or not dropped:
            raise ValidationError("This intake drops no EMERGENCY or URGENT REFERRAL flag of the latest signed "
                                  "intake: there is nothing to clear.", field="clearance")
        checked = check_clearance(draft, flagged_on=_flagged_on(tx, flagged), today=clinic_today(tx))
        assert checked.seen_on is not None  # check_clearance refuses a missing date
        row = FlagClearance(
            patient_id=intake.patient_id, intake_id=intake.id, flagged_intake_id=flagged.id,
            dropped_flags=[flag.as_json() for flag in dropped], what_changed=checked.what_changed,
            seen_by=checked.seen_by, seen_by_name=checked.seen_by_name, seen_on=checked.seen_on,
            recorded_by_id=actor.user_id, recorded_at=utcnow(),
        )
        tx.add(row)
        tx.flush()
        audit.record(tx, actor, "create", "flag_clearance", row.id, patient_id=intake.patient_id, detail={
            "intake": intake.id, "flagged_intake": flagged.id, "flags": [flag.rule for flag in dropped],
            "seen_by": checked.seen_by, "seen_on": checked.seen_on.isoformat(),
        })
        return _record(row, _names(tx, [row]))


def list_clearances(database: Database, actor: Actor, patient_id: int) -> list[ClearanceRecord]:
    """Every clearance recorded for the patient, newest first."""
    require(actor, Permission.VIEW_CLINICAL)
    with database.write() as tx:
        rows = tx.scalars(select(FlagClearance).where(FlagClearance.patient_id == patient_id)
                          .order_by(FlagClearance.id.desc())).all()
        if tx.get(Patient, patient_id) is None:
            raise NotFoundError(f"There is no patient no. {patient_id}.")
        names = _names(tx, rows)
        audit.record(tx, actor, "view", "flag_clearance", None, patient_id=patient_id, detail={"count": len(rows)})
        return [_record(row, names) for row in rows]
