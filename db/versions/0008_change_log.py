"""The change log: one row per committed write, so open screens on other workstations follow it.

Every write transaction appends a row (persistence/change_feed.py); other AcuDesk processes read the
rows they have not seen when PostgreSQL notifies them or SQLite's data_version moves. Rows are pruned
after a few minutes: this is not clinical data.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("table_names", sa.Text(), nullable=False),
        sa.Column("patient_ids", sa.Text(), nullable=False),
        sa.Column("everything", sa.Boolean(), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),  # UTC
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,  # ids never reused after pruning: a reader can tell a gap
    )


def downgrade() -> None:
    op.drop_table("change_log")
