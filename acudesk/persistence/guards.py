"""Database triggers that protect the record: append-only audit trail, locked signed records, no deletes.

Used by the migrations (0003 creates them; later migrations that must rebuild a guarded table drop
and recreate that table's guards). Triggers refuse, on SQLite and PostgreSQL alike:
- any UPDATE or DELETE of an audit event;
- any UPDATE of a signed session record, and any change to the needled points of a signed record;
- an UPDATE of a signed intake that touches its clinical content (the referral fields stay
  writable: the practitioner records what was done about an emergency after signing);
- any DELETE of patients, intakes, treatment plans, appointments, session records, outcome
  measurements and adverse events (clinical data is archived, cancelled or amended instead);
- any UPDATE or DELETE of an audit checkpoint (0010), a flag clearance (0014) or a pain drawing (0015).
"""

from __future__ import annotations

from dataclasses import dataclass

NO_DELETE_TABLES = (
    "patients", "intakes", "treatment_plans", "appointments", "session_records",
    "outcome_measurements", "adverse_events",
)
INTAKE_LOCKED = (
    "patient_id", "recorded_by_id", "recorded_at", "answers", "rules_version", "triage_level",
    "triage_reasons", "status", "signed_at", "signed_by_id", "content_digest", "supersedes_id",
)
APPEND_ONLY = "audit events are append-only"
SIGNED_SESSION = "a signed session record cannot be changed; add an amendment instead"
SIGNED_INTAKE = "a signed intake cannot be changed; record a new intake instead"
NO_DELETE = "clinical records are never deleted; archive, cancel or amend instead"

POSTGRES_FUNCTIONS = (
    """CREATE FUNCTION acudesk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation'; END $$""",
    f"""CREATE FUNCTION acudesk_refuse_signed_points() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE parent integer;
BEGIN
  IF TG_OP = 'INSERT' THEN parent := NEW.session_id; ELSE parent := OLD.session_id; END IF;
  IF (SELECT status FROM session_records WHERE id = parent) = 'signed' THEN
    RAISE EXCEPTION '{SIGNED_SESSION}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$""",
)


@dataclass(frozen=True)
class Guard:
    name: str
    table: str
    create_sql: str

    def drop_sql(self, dialect: str) -> str:
        suffix = f" ON {self.table}" if dialect == "postgresql" else ""
        return f"DROP TRIGGER IF EXISTS {self.name}{suffix}"


def _trigger(dialect: str, name: str, timing: str, table: str, message: str, when: str = "") -> Guard:
    if dialect == "postgresql":
        condition = f" WHEN ({when})" if when else ""
        sql = (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
               f"EXECUTE FUNCTION acudesk_refuse('{message}')")
    else:
        condition = f" WHEN {when}" if when else ""
        sql = (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
               f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
    return Guard(name, table, sql)


def guards(dialect: str) -> list[Guard]:
    as_text = "::text" if dialect == "postgresql" else ""
    differs = " OR ".join(f"NEW.{c}{as_text} IS DISTINCT FROM OLD.{c}{as_text}" for c in INTAKE_LOCKED)
    if dialect != "postgresql":
        differs = differs.replace("IS DISTINCT FROM", "IS NOT")
    found = [
        _trigger(dialect, "audit_events_no_update", "BEFORE UPDATE", "audit_events", APPEND_ONLY),
        _trigger(dialect, "audit_events_no_delete", "BEFORE DELETE", "audit_events", APPEND_ONLY),
        _trigger(dialect, "session_records_signed_locked", "BEFORE UPDATE", "session_records", SIGNED_SESSION,
                 "OLD.status = 'signed'"),
        _trigger(dialect, "intakes_signed_locked", "BEFORE UPDATE", "intakes", SIGNED_INTAKE,
                 f"OLD.status = 'signed' AND ({differs})"),
    ]
    if dialect == "postgresql":
        # PostgreSQL trigger conditions cannot hold sub-queries: a function checks the parent record.
        found.append(Guard("session_points_signed_locked", "session_points",
                           "CREATE TRIGGER session_points_signed_locked BEFORE INSERT OR UPDATE OR DELETE "
                           "ON session_points FOR EACH ROW EXECUTE FUNCTION acudesk_refuse_signed_points()"))
    else:
        parent_signed = "(SELECT status FROM session_records WHERE id = {ref}.session_id) = 'signed'"
        for timing, ref in (("BEFORE INSERT", "NEW"), ("BEFORE UPDATE", "OLD"), ("BEFORE DELETE", "OLD")):
            found.append(_trigger(dialect, f"session_points_signed_{timing.split()[1].lower()}", timing,
                                  "session_points", SIGNED_SESSION, parent_signed.format(ref=ref)))
    found += [_trigger(dialect, f"{table}_no_delete", "BEFORE DELETE", table, NO_DELETE)
              for table in NO_DELETE_TABLES]
    return found


CHECKPOINTS_APPEND_ONLY = "audit checkpoints are append-only"


def checkpoint_guards(dialect: str) -> list[Guard]:
    """The audit checkpoints' own guards (migration 0010), kept apart: ``guards`` is what 0003 made."""
    return [_trigger(dialect, f"audit_checkpoints_no_{what}", f"BEFORE {what.upper()}", "audit_checkpoints",
                     CHECKPOINTS_APPEND_ONLY) for what in ("update", "delete")]


CLEARANCES_APPEND_ONLY = "flag clearances are append-only; record a new clearance instead"


def clearance_guards(dialect: str) -> list[Guard]:
    """The flag clearances' guards (migration 0014): a recorded clearance is never changed or deleted."""
    return [_trigger(dialect, f"flag_clearances_no_{what}", f"BEFORE {what.upper()}", "flag_clearances",
                     CLEARANCES_APPEND_ONLY) for what in ("update", "delete")]


PAIN_DRAWINGS_APPEND_ONLY = "pain drawings are never changed or deleted; save a corrected drawing instead"


def pain_drawing_guards(dialect: str) -> list[Guard]:
    """The pain drawings' guards (migration 0015): a saved drawing is corrected by a new one, never edited."""
    return [_trigger(dialect, f"pain_drawings_no_{what}", f"BEFORE {what.upper()}", "pain_drawings",
                     PAIN_DRAWINGS_APPEND_ONLY) for what in ("update", "delete")]


def every_guard(dialect: str) -> list[Guard]:
    """Every guard trigger the migrations made, whichever migration made it (for ``acudesk check``)."""
    return [*guards(dialect), *checkpoint_guards(dialect), *clearance_guards(dialect), *pain_drawing_guards(dialect)]


def guards_on(dialect: str, table: str) -> list[Guard]:
    return [guard for guard in guards(dialect) if guard.table == table]
