"""Visits never overlap: the database holds the schedule's invariants on both engines.

Adds ``appointments.changeover_minutes`` (copied from each visit's type, so a room stays free for
its changeover) and the rules of persistence/visit_guards.py: on PostgreSQL exclusion constraints
(``btree_gist``) and a partial unique index, on SQLite triggers and the same index.

A database that already holds clashing active visits (possible only on PostgreSQL, where two
workstations could book the same slot before this migration) cannot take the rules: the upgrade
stops, names the clashing visits and changes nothing, so a person can cancel or move them first.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from acudesk.domain.errors import DatabaseError

from acudesk.persistence.visit_guards import visit_rules

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = "('booked', 'arrived', 'completed')"


def _clashing_visits(bind: sa.Connection) -> list[str]:
    """Pairs of active visits that break a rule, described by id and time (no names)."""
    dialect = bind.dialect.name
    if dialect == "postgresql":
        end = "{t}.start_utc + make_interval(mins => {t}.duration_minutes{extra})"
        same_day = "CAST(a.local_start AS date) = CAST(b.local_start AS date)"
    else:
        end = "datetime({t}.start_utc, '+' || ({t}.duration_minutes{extra}) || ' minutes')"
        same_day = "substr(a.local_start, 1, 10) = substr(b.local_start, 1, 10)"
    overlap = ("a.start_utc < " + end.format(t="b", extra="{extra}") + " AND b.start_utc < "
               + end.format(t="a", extra="{extra}"))
    checks = {
        "practitioner": "a.practitioner_id = b.practitioner_id AND " + overlap.format(extra=""),
        "room": "a.room_id = b.room_id AND " + overlap.format(extra=""),
        "patient's day": f"a.patient_id = b.patient_id AND {same_day}",
    }
    found = []
    for what, condition in checks.items():
        rows = bind.execute(sa.text(
            f"SELECT a.id, b.id, a.local_start FROM appointments a JOIN appointments b ON a.id < b.id "
            f"AND {condition} WHERE a.status IN {_ACTIVE} AND b.status IN {_ACTIVE} LIMIT 20"
        ))
        found += [f"visits {a} and {b} ({what}, {start})" for a, b, start in rows]
    return found


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    clashes = _clashing_visits(bind)
    if clashes:
        raise DatabaseError(
            "These active visits clash, so the database cannot take the no-double-booking rules yet. "
            "Cancel or move one of each pair with the previous AcuDesk version, then start again: "
            + "; ".join(clashes)
        )
    op.add_column("appointments", sa.Column("changeover_minutes", sa.Integer(), nullable=False,
                                            server_default="0"))
    op.execute("UPDATE appointments SET changeover_minutes = COALESCE((SELECT changeover_minutes FROM visit_types "
               "WHERE visit_types.id = appointments.visit_type_id), 0)")
    if dialect == "postgresql":
        public = bind.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first()
        # In a shared schema every clinic schema finds its operator classes (they are looked up by type).
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist" + (" WITH SCHEMA public" if public else ""))
    for rule in visit_rules(dialect):
        op.execute(rule.create_sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for rule in reversed(visit_rules(dialect)):
        op.execute(rule.drop_sql(dialect))
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("changeover_minutes")
