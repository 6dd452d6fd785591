"""Flag clearances: a new intake that drops an EMERGENCY or URGENT_REFERRAL flag needs one (issue 13).

``flag_clearances`` records what changed, who saw the patient and when, for the new intake and the
earlier signed intake that raised the flags. Append-only on both engines: the guard triggers of
``persistence.guards.clearance_guards`` refuse every UPDATE and DELETE.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from acudesk.persistence.guards import clearance_guards

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flag_clearances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=False),
        sa.Column("flagged_intake_id", sa.Integer(), nullable=False),
        sa.Column("dropped_flags", sa.JSON(), nullable=False),
        sa.Column("what_changed", sa.Text(), nullable=False),
        sa.Column("seen_by", sa.String(length=32), nullable=False),
        sa.Column("seen_by_name", sa.String(length=200), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),  # UTC
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_flag_clearances_patient_id_patients")),
        sa.ForeignKeyConstraint(["intake_id"], ["intakes.id"], name=op.f("fk_flag_clearances_intake_id_intakes")),
        sa.ForeignKeyConstraint(["flagged_intake_id"], ["intakes.id"],
                                name=op.f("fk_flag_clearances_flagged_intake_id_intakes")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_flag_clearances_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_clearances")),
    )
    op.create_index(op.f("ix_flag_clearances_patient_id"), "flag_clearances", ["patient_id"])
    op.create_index(op.f("ix_flag_clearances_intake_id"), "flag_clearances", ["intake_id"])
    for guard in clearance_guards(op.get_bind().dialect.name):
        op.execute(guard.create_sql)


def downgrade() -> None:
    for guard in clearance_guards(op.get_bind().dialect.name):
        op.execute(guard.drop_sql(op.get_bind().dialect.name))
    op.drop_index(op.f("ix_flag_clearances_intake_id"), table_name="flag_clearances")
    op.drop_index(op.f("ix_flag_clearances_patient_id"), table_name="flag_clearances")
    op.drop_table("flag_clearances")
