"""Signed-in sessions: the services check every call's actor against a row of this table.

A sign-in stores the SHA-256 of a random token (never the token); the signed-in process holds the
token, and ``services.permissions.require`` checks that its row exists, belongs to the user and has
not ended, and that the user is active and holds a role that grants the permission now.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),  # UTC
        sa.Column("ended_at", sa.DateTime(), nullable=True),  # UTC
        sa.Column("end_reason", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sign_in_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_sessions_token_hash")),
    )
    with op.batch_alter_table("sign_in_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("sign_in_sessions")
