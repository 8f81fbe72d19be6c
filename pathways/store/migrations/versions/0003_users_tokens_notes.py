"""user, apitoken, note: dashboard accounts, integration tokens and case notes; indexes for the caseload

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=100), nullable=False, unique=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_user_kommune_id", "user", ["kommune_id"])
    op.create_table(
        "apitoken",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_apitoken_user_id", "apitoken", ["user_id"])
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enrolment_id", sa.Integer(), sa.ForeignKey("enrolment.id"), nullable=False),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_note_enrolment_id", "note", ["enrolment_id"])
    # the caseload: a veileder's own cases, a leder's kommune, both by status
    op.create_index("ix_enrolment_kommune_caseworker_status", "enrolment", ["kommune_id", "caseworker", "status"])
    op.create_index("ix_participant_kommune_name", "participant", ["kommune_id", "name"])


def downgrade() -> None:
    op.drop_index("ix_participant_kommune_name", "participant")
    op.drop_index("ix_enrolment_kommune_caseworker_status", "enrolment")
    op.drop_table("note")
    op.drop_table("apitoken")
    op.drop_table("user")
