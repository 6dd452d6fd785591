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
from acudesk.persistence.visit_guards import clashing_visits, visit_rules

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = "('booked', 'arrived', 'completed')"


def _fit_changeovers(dialect: str) -> None:
    """A visit booked before this migration whose room changeover runs into the room's next visit
    keeps its room without the changeover (the room rule did not count it for older bookings, e.g.
    the demo's): the new rule then holds for what is already booked."""
    if dialect == "postgresql":
        end = "{t}.start_utc + make_interval(mins => {t}.duration_minutes{extra})"
    else:
        end = "datetime({t}.start_utc, '+' || ({t}.duration_minutes{extra}) || ' minutes')"
    op.execute(
        f"UPDATE appointments SET changeover_minutes = 0 WHERE changeover_minutes > 0 "
        f"AND status IN {_ACTIVE} AND room_id IS NOT NULL AND EXISTS (SELECT 1 FROM appointments b "
        f"WHERE b.room_id = appointments.room_id AND b.id <> appointments.id AND b.status IN {_ACTIVE} "
        f"AND b.start_utc >= appointments.start_utc "
        f"AND b.start_utc < {end.format(t='appointments', extra=' + appointments.changeover_minutes')})"
    )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    clashes = clashing_visits(bind)
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
    _fit_changeovers(dialect)
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
