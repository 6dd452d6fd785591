"""Pain drawings (issue 13): the patient's pain marked on the body outlines, stored as data.

``pain_drawings`` holds the marks (region ids, kinds, intensities), the intake or treatment session
it was drawn at (exactly one), who drew it and when, and, for a correction, the drawing it replaces
and why. Append-only on both engines: the guard triggers of
``persistence.guards.pain_drawing_guards`` refuse every UPDATE and DELETE.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from acudesk.persistence.guards import pain_drawing_guards

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pain_drawings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),  # UTC
        sa.CheckConstraint("(intake_id IS NULL) <> (session_id IS NULL)",
                           name=op.f("ck_pain_drawings_drawn_at_one_occasion")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_pain_drawings_patient_id_patients")),
        sa.ForeignKeyConstraint(["intake_id"], ["intakes.id"], name=op.f("fk_pain_drawings_intake_id_intakes")),
        sa.ForeignKeyConstraint(["session_id"], ["session_records.id"],
                                name=op.f("fk_pain_drawings_session_id_session_records")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["pain_drawings.id"],
                                name=op.f("fk_pain_drawings_supersedes_id_pain_drawings")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_pain_drawings_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pain_drawings")),
    )
    op.create_index(op.f("ix_pain_drawings_patient_id"), "pain_drawings", ["patient_id"])
    for guard in pain_drawing_guards(op.get_bind().dialect.name):
        op.execute(guard.create_sql)


def downgrade() -> None:
    for guard in pain_drawing_guards(op.get_bind().dialect.name):
        op.execute(guard.drop_sql(op.get_bind().dialect.name))
    op.drop_index(op.f("ix_pain_drawings_patient_id"), table_name="pain_drawings")
    op.drop_table("pain_drawings")
