"""Booking preferences: the days and times a patient prefers ("Tuesdays after 17:00").

The slot finder (domain/scheduling/slot_finding.py) tries slots that suit them first when a visit
cannot have its ideal slot, and the first-free-slot search ranks suiting slots first. One row per
patient; the text is what the receptionist typed, read by ``parse_preferences``.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "booking_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("preferences", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),  # UTC
        sa.Column("updated_at", sa.DateTime(), nullable=False),  # UTC
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_booking_preferences_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_preferences")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_booking_preferences_patient_id")),
    )


def downgrade() -> None:
    op.drop_table("booking_preferences")
