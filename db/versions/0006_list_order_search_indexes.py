"""Active-patient search indexes walked in list order, so a type-ahead search stops at its limit.

Before, a one-letter search sorted every match (10,000+ at 100,000 patients): 5-8 ms of SQLite
per keystroke. Walking these indexes in list order reads only the rows returned (about 0.8 ms);
measured in docs/performance.md ("Third round").

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

from acudesk.persistence.search_indexes import create_sql, drop_sql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in create_sql(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_sql():
        op.execute(statement)
