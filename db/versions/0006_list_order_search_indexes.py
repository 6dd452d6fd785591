"""Active-patient search indexes walked in list order, so a type-ahead search stops at its limit.

Before, a one-letter search sorted every match (10,000+ at 100,000 patients): 5-8 ms of SQLite
per keystroke. Walking these indexes in list order reads only the rows returned (about 0.8 ms);
measured in docs/performance.md ("Third round").

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIVE = {"sqlite_where": sa.text("archived = 0"), "postgresql_where": sa.text("archived = false")}


def upgrade() -> None:
    op.create_index("ix_patients_active_family", "patients", ["family_key", "given_key"], **_ACTIVE)
    for letters in (1, 2):
        op.create_index(f"ix_patients_active_given{letters}", "patients",
                        [sa.text(f"substr(given_key, 1, {letters})"), "family_key", "given_key"], **_ACTIVE)
    op.create_index("ix_patients_active_phone", "patients", ["phone_key", "family_key", "given_key"], **_ACTIVE)


def downgrade() -> None:
    for name in ("ix_patients_active_phone", "ix_patients_active_given2", "ix_patients_active_given1",
                 "ix_patients_active_family"):
        op.drop_index(name, table_name="patients")
