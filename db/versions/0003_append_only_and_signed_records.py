"""Database-level protection: append-only audit trail, immutable signed records, no hard deletes.

Triggers refuse, on SQLite and PostgreSQL alike:
- any UPDATE or DELETE of an audit event;
- any UPDATE of a signed session record, and any change to the needled points of a signed record;
- an UPDATE of a signed intake that touches its clinical content (the referral fields stay
  writable: the practitioner records what was done about an emergency after signing);
- any DELETE of patients, intakes, treatment plans, appointments, session records, outcome
  measurements and adverse events (clinical data is archived, cancelled or amended instead).

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NO_DELETE_TABLES = (
    "patients", "intakes", "treatment_plans", "appointments", "session_records",
    "outcome_measurements", "adverse_events",
)
# Columns of a signed intake that must never change (its clinical content and signature).
INTAKE_LOCKED = (
    "patient_id", "recorded_by_id", "recorded_at", "answers", "rules_version", "triage_level",
    "triage_reasons", "status", "signed_at", "signed_by_id", "content_digest", "supersedes_id",
)
APPEND_ONLY = "audit events are append-only"
SIGNED_SESSION = "a signed session record cannot be changed; add an amendment instead"
SIGNED_INTAKE = "a signed intake cannot be changed; record a new intake instead"
NO_DELETE = "clinical records are never deleted; archive, cancel or amend instead"


def _sqlite(name: str, timing: str, table: str, message: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END")


def _postgres(name: str, timing: str, table: str, message: str, when: str = "") -> str:
    condition = f" WHEN ({when})" if when else ""
    return (f"CREATE TRIGGER {name} {timing} ON {table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION acudesk_refuse('{message}')")


def _triggers(dialect: str) -> list[str]:
    make = _postgres if dialect == "postgresql" else _sqlite
    as_text = "::text" if dialect == "postgresql" else ""
    differs = " OR ".join(f"NEW.{c}{as_text} IS DISTINCT FROM OLD.{c}{as_text}" for c in INTAKE_LOCKED)
    if dialect != "postgresql":
        differs = differs.replace("IS DISTINCT FROM", "IS NOT")
    parent_signed = "(SELECT status FROM session_records WHERE id = {ref}.session_id) = 'signed'"
    statements = [
        make("audit_events_no_update", "BEFORE UPDATE", "audit_events", APPEND_ONLY),
        make("audit_events_no_delete", "BEFORE DELETE", "audit_events", APPEND_ONLY),
        make("session_records_signed_locked", "BEFORE UPDATE", "session_records", SIGNED_SESSION,
             "OLD.status = 'signed'"),
        make("intakes_signed_locked", "BEFORE UPDATE", "intakes", SIGNED_INTAKE,
             f"OLD.status = 'signed' AND ({differs})"),
    ]
    if dialect == "postgresql":
        # PostgreSQL trigger conditions cannot hold sub-queries: the function checks the parent.
        statements.append(
            "CREATE TRIGGER session_points_signed_locked BEFORE INSERT OR UPDATE OR DELETE ON session_points "
            "FOR EACH ROW EXECUTE FUNCTION acudesk_refuse_signed_points()"
        )
    else:
        for timing, ref in (("BEFORE INSERT", "NEW"), ("BEFORE UPDATE", "OLD"), ("BEFORE DELETE", "OLD")):
            statements.append(make(f"session_points_signed_{timing.split()[1].lower()}", timing, "session_points",
                                   SIGNED_SESSION, parent_signed.format(ref=ref)))
    statements += [make(f"{table}_no_delete", "BEFORE DELETE", table, NO_DELETE) for table in NO_DELETE_TABLES]
    return statements


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


def _trigger_names(dialect: str) -> list[tuple[str, str]]:
    names = []
    for statement in _triggers(dialect):
        words = statement.split()
        names.append((words[2], words[words.index("ON") + 1]))
    return names


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for function in POSTGRES_FUNCTIONS:
            op.execute(function)
    for statement in _triggers(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, table in _trigger_names(dialect):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if dialect == "postgresql"
                   else f"DROP TRIGGER IF EXISTS {name}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS acudesk_refuse_signed_points()")
        op.execute("DROP FUNCTION IF EXISTS acudesk_refuse()")
