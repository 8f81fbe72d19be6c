"""usersession and auditentry: dashboard sessions that can be ended, and who did what when; indexes
for a user's audit trail on event and note

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usersession",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_usersession_user_id", "usersession", ["user_id"])
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=True),
        sa.Column("participant_id", sa.Integer(), sa.ForeignKey("participant.id"), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("flag_id", sa.Integer(), sa.ForeignKey("flag.id"), nullable=True),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("apitoken.id"), nullable=True),
        sa.Column("detail", sa.String(length=500), nullable=False),
    )
    op.create_index("ix_auditentry_participant_at", "auditentry", ["participant_id", "at"])
    op.create_index("ix_auditentry_user_at", "auditentry", ["user_id", "at"])
    op.create_index("ix_auditentry_actor_at", "auditentry", ["actor", "at"])
    op.create_index("ix_event_recorded_by_at", "event", ["recorded_by", "recorded_at"])
    op.create_index("ix_note_author_created_at", "note", ["author", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_note_author_created_at", "note")
    op.drop_index("ix_event_recorded_by_at", "event")
    op.drop_index("ix_auditentry_actor_at", "auditentry")
    op.drop_index("ix_auditentry_user_at", "auditentry")
    op.drop_index("ix_auditentry_participant_at", "auditentry")
    op.drop_table("auditentry")
    op.drop_index("ix_usersession_user_id", "usersession")
    op.drop_table("usersession")
