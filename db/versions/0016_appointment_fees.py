"""Each visit keeps the fee it was booked at: ``appointments.fee_minor``.

Receipts and statements priced every visit at its visit type's fee as it is today, so a fee changed in
Clinic settings (issue 18) would have changed the amounts on receipts printed afterwards for visits
long past. A booking now stores its type's fee (minor currency units); the visits already booked
take their type's fee as it stands at this upgrade, which is the fee receipts showed for them until
now. NULL (a visit with no type) prints as no charge, as before.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("appointments", sa.Column("fee_minor", sa.Integer(), nullable=True))
    op.execute("UPDATE appointments SET fee_minor = (SELECT fee_minor FROM visit_types "
               "WHERE visit_types.id = appointments.visit_type_id)")


def downgrade() -> None:
    # Both engines drop a column in place (SQLite since 3.35): the table's triggers and rules stay.
    op.execute("ALTER TABLE appointments DROP COLUMN fee_minor")
