"""absence: absence (fravær) hours of a case's participant per month, approved or not; hours not approved
reduce introduksjonsstønad (pathways.income.absence).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enrolment_id", sa.Integer(), sa.ForeignKey("enrolment.id"), nullable=False),
        sa.Column("participant_id", sa.Integer(), sa.ForeignKey("participant.id"), nullable=False),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("hours_x100", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("enrolment_id", "month", "approved"),
        sa.CheckConstraint("hours_x100 > 0", name="ck_absence_hours_positive"),
    )
    op.create_index("ix_absence_participant_id", "absence", ["participant_id"])
    op.create_index("ix_absence_kommune_id", "absence", ["kommune_id"])


def downgrade() -> None:
    op.drop_index("ix_absence_kommune_id", "absence")
    op.drop_index("ix_absence_participant_id", "absence")
    op.drop_table("absence")
