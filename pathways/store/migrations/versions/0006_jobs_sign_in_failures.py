"""backgroundjob and signinfailure: dashboard jobs and sign-in throttling in the store, shared by the
dashboard's worker processes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backgroundjob",
        sa.Column("id", sa.String(length=32), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("errors", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_backgroundjob_owner_id", "backgroundjob", ["owner_id"])
    op.create_index("ix_backgroundjob_started_at", "backgroundjob", ["started_at"])
    op.create_table(
        "signinfailure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_signinfailure_key_at", "signinfailure", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_signinfailure_key_at", "signinfailure")
    op.drop_table("signinfailure")
    op.drop_index("ix_backgroundjob_started_at", "backgroundjob")
    op.drop_index("ix_backgroundjob_owner_id", "backgroundjob")
    op.drop_table("backgroundjob")
