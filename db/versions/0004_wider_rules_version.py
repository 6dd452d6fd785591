"""Intakes record the full rule-set versions ("triage 2025.1; contraindications 2025.1"): 64 characters.

The intakes table's guard triggers are dropped and recreated around the change: PostgreSQL cannot
alter a column a trigger uses, and SQLite's batch mode rebuilds the table (losing its triggers).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from acudesk.persistence.guards import guards_on

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _resize(old: int, new: int) -> None:
    dialect = op.get_bind().dialect.name
    for guard in guards_on(dialect, "intakes"):
        op.execute(guard.drop_sql(dialect))
    with op.batch_alter_table("intakes") as batch:
        batch.alter_column("rules_version", existing_type=sa.String(length=old), type_=sa.String(length=new),
                           existing_nullable=False)
    for guard in guards_on(dialect, "intakes"):
        op.execute(guard.create_sql)


def upgrade() -> None:
    _resize(32, 64)


def downgrade() -> None:
    _resize(64, 32)
