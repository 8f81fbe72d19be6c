"""handoff, handoffitem: hand-offs (overføringer) of a case from one unit to another, acknowledged by the
receiver, with the checklist of what must pass.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enrolment_id", sa.Integer(), sa.ForeignKey("enrolment.id"), nullable=False),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("to_unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responsible", sa.String(length=100), nullable=True),
        sa.Column("return_reason", sa.String(length=500), nullable=True),
    )
    op.create_index("ix_handoff_enrolment_status", "handoff", ["enrolment_id", "status"])
    op.create_index("ix_handoff_to_unit_status", "handoff", ["to_unit_id", "status", "enrolment_id"])
    op.create_index("ix_handoff_kommune_status", "handoff", ["kommune_id", "status"])
    op.create_table(
        "handoffitem",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handoff_id", sa.Integer(), sa.ForeignKey("handoff.id"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("ticked", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.UniqueConstraint("handoff_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("handoffitem")
    op.drop_index("ix_handoff_kommune_status", "handoff")
    op.drop_index("ix_handoff_to_unit_status", "handoff")
    op.drop_index("ix_handoff_enrolment_status", "handoff")
    op.drop_table("handoff")
