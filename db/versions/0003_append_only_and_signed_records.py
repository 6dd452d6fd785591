"""Database-level protection: append-only audit trail, immutable signed records, no hard deletes.

The triggers themselves are described in ``acudesk/persistence/guards.py``.

Revision ID: 0003
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from acudesk.persistence.guards import POSTGRES_FUNCTIONS, guards

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for function in POSTGRES_FUNCTIONS:
            op.execute(function)
    for guard in guards(dialect):
        op.execute(guard.create_sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for guard in guards(dialect):
        op.execute(guard.drop_sql(dialect))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS acudesk_refuse_signed_points()")
        op.execute("DROP FUNCTION IF EXISTS acudesk_refuse()")
