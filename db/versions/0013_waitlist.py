"""The waitlist: patients waiting for an earlier visit, offered slots that come free (issue 14).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("visit_type_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("earliest", sa.Time(), nullable=True),
        sa.Column("latest", sa.Time(), nullable=True),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),  # UTC
        sa.Column("close_reason", sa.String(length=200), nullable=False),
        sa.Column("booked_appointment_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),  # UTC
        sa.Column("updated_at", sa.DateTime(), nullable=False),  # UTC
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_waitlist_entries_patient_id_patients")),
        sa.ForeignKeyConstraint(["practitioner_id"], ["users.id"],
                                name=op.f("fk_waitlist_entries_practitioner_id_users")),
        sa.ForeignKeyConstraint(["visit_type_id"], ["visit_types.id"],
                                name=op.f("fk_waitlist_entries_visit_type_id_visit_types")),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], name=op.f("fk_waitlist_entries_added_by_id_users")),
        sa.ForeignKeyConstraint(["booked_appointment_id"], ["appointments.id"],
                                name=op.f("fk_waitlist_entries_booked_appointment_id_appointments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index(op.f("ix_waitlist_entries_patient_id"), "waitlist_entries", ["patient_id"])
    op.create_index("ix_waitlist_entries_status_until", "waitlist_entries", ["status", "until"])


def downgrade() -> None:
    op.drop_index("ix_waitlist_entries_status_until", table_name="waitlist_entries")
    op.drop_index(op.f("ix_waitlist_entries_patient_id"), table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
