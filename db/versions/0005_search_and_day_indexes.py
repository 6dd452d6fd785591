"""Covering indexes for the patient search, and an index for the front desk's day list.

Measured on the 100k-patient benchmark clinic (docs/performance.md): name search 17 → 6 ms,
phone search 19 → 7.5 ms, the day list across practitioners 208 → 15 ms.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_patients_search_family", table_name="patients")
    op.drop_index("ix_patients_search_given", table_name="patients")
    op.drop_index("ix_patients_phone_key", table_name="patients")
    op.create_index("ix_patients_family_search", "patients", ["family_key", "given_key", "archived"])
    op.create_index("ix_patients_given_search", "patients", ["given_key", "family_key", "archived"])
    op.create_index("ix_patients_phone_search", "patients", ["phone_key", "archived", "family_key", "given_key"])
    op.create_index("ix_appointments_start", "appointments", ["start_utc"])


def downgrade() -> None:
    op.drop_index("ix_appointments_start", table_name="appointments")
    op.drop_index("ix_patients_phone_search", table_name="patients")
    op.drop_index("ix_patients_given_search", table_name="patients")
    op.drop_index("ix_patients_family_search", table_name="patients")
    op.create_index("ix_patients_phone_key", "patients", ["phone_key"])
    op.create_index("ix_patients_search_given", "patients", ["given_key", "family_key", "id"])
    op.create_index("ix_patients_search_family", "patients", ["family_key", "given_key", "id"])
