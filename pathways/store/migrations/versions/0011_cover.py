"""cover: a colleague covering for an absent veileder (vikar) until a date

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cover",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("absent_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("covering_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=100), nullable=True),
    )
    op.create_index("ix_cover_absent_user_id", "cover", ["absent_user_id"])
    op.create_index("ix_cover_covering_until", "cover", ["covering_user_id", "until"])
    op.create_index("ix_cover_kommune_until", "cover", ["kommune_id", "until"])


def downgrade() -> None:
    op.drop_index("ix_cover_kommune_until", "cover")
    op.drop_index("ix_cover_covering_until", "cover")
    op.drop_index("ix_cover_absent_user_id", "cover")
    op.drop_table("cover")
