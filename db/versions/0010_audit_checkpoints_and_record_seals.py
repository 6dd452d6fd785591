"""Tamper evidence: audit checkpoints, a clinic identity, and seals that cover every signed field.

- ``audit_checkpoints``: the audit chain's length and head, authenticated with the clinic key
  (services/checkpoints.py), append-only like the chain itself.
- ``settings['clinic_id']``: a random identity naming this clinic's key and checkpoint log outside
  the database.
- Every signed intake and session record is re-sealed with the recipes in domain/signing.py, which
  cover the record's number, patient, signer, dates and content. Only records whose earlier, narrower
  digest still verifies are re-sealed: one that was already altered keeps its old digest and is
  reported by ``acudesk check``.

Revision ID: 0010
Revises: 0009
"""

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from acudesk.domain.signing import (
    INTAKE_SEALED_FIELDS,
    POINT_SEALED_FIELDS,
    SESSION_SEALED_FIELDS,
    intake_seal,
    session_seal,
)
from acudesk.persistence.guards import checkpoint_guards, guards_on
from acudesk.persistence.models.base import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSTANTS = {"recorded_at", "signed_at", "session_at"}


def _table(name: str, columns: Sequence[str]) -> sa.TableClause:
    return sa.table(name, *(sa.column(c, UTCDateTime() if c in _INSTANTS else sa.JSON()
                                      if c in {"answers", "triage_reasons", "parameters"} else None)
                            for c in columns))


def _old_digest(content: dict[str, Any]) -> str:
    """The digest recipe before this revision (frozen here)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reseal(bind: sa.Connection) -> None:
    intakes = _table("intakes", (*INTAKE_SEALED_FIELDS, "status", "content_digest"))
    for row in bind.execute(sa.select(intakes).where(intakes.c.status == "signed")).mappings().all():
        if row["content_digest"] == _old_digest({"answers": row["answers"], "level": row["triage_level"]}):
            bind.execute(sa.update(intakes).where(intakes.c.id == row["id"])
                         .values(content_digest=intake_seal(row)))
    sessions = _table("session_records", (*SESSION_SEALED_FIELDS, "status", "content_digest"))
    points = _table("session_points", ("id", "session_id", *POINT_SEALED_FIELDS))
    for row in bind.execute(sa.select(sessions).where(sessions.c.status == "signed")).mappings().all():
        needled = bind.execute(sa.select(points).where(points.c.session_id == row["id"])
                               .order_by(points.c.id)).mappings().all()
        old = _old_digest({
            "points": [[p["point_code"], p["side"], p["technique"], p["parameters"]] for p in needled],
            "needles": [row["needles_in"], row["needles_out"]], "retention": row["retention_minutes"],
            "nrs": [row["nrs_before"], row["nrs_after"]],
            "soap": [row["subjective"], row["objective"], row["assessment"], row["plan_note"]],
            "amends": row["amends_id"], "reason": row["amendment_reason"],
        })
        if row["content_digest"] == old:
            bind.execute(sa.update(sessions).where(sessions.c.id == row["id"])
                         .values(content_digest=session_seal(row, needled)))


def _with_signed_records_writable(dialect: str, work) -> None:
    locks = [*guards_on(dialect, "intakes"), *guards_on(dialect, "session_records")]
    locks = [g for g in locks if g.name.endswith("_signed_locked")]
    for guard in locks:
        if dialect == "postgresql":
            op.execute(f"ALTER TABLE {guard.table} DISABLE TRIGGER {guard.name}")
        else:
            op.execute(guard.drop_sql(dialect))
    work()
    for guard in locks:
        if dialect == "postgresql":
            op.execute(f"ALTER TABLE {guard.table} ENABLE TRIGGER {guard.name}")
        else:
            op.execute(guard.create_sql)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    for guard in checkpoint_guards(dialect):
        op.execute(guard.create_sql)
    settings = sa.table("settings", sa.column("key", sa.String()), sa.column("value", sa.JSON()))
    if bind.scalar(sa.select(settings.c.key).where(settings.c.key == "clinic_id")) is None:
        op.bulk_insert(settings, [{"key": "clinic_id", "value": {"id": str(uuid.uuid4())}}])
    _with_signed_records_writable(dialect, lambda: _reseal(bind))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for guard in checkpoint_guards(dialect):
        op.execute(guard.drop_sql(dialect))
    op.drop_table("audit_checkpoints")
    op.execute("DELETE FROM settings WHERE key = 'clinic_id'")
