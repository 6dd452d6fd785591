"""PostgreSQL: the patient search indexes end with the row id, so a search reads the indexes alone.

PostgreSQL keeps no row id in an index, so every patient a search returned cost a visit to the table
as well; with ``id`` at the end of each index the search is an index-only scan (docs/performance.md,
"PostgreSQL"). SQLite is left as it is: its indexes hold the rowid already.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

from acudesk.persistence.search_indexes import create_sql, drop_sql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(with_ids: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect != "postgresql":
        return
    for statement in drop_sql():
        op.execute(statement)
    for statement in create_sql(dialect, with_ids=with_ids):
        op.execute(statement)


def upgrade() -> None:
    _rebuild(with_ids=True)


def downgrade() -> None:
    _rebuild(with_ids=False)
