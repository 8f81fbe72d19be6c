"""Authoring: a change note on every published version, drafts, and migration runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pathwayversion") as batch:
        batch.add_column(sa.Column("change_note", sa.Text(), nullable=True))
    op.create_table(
        "pathwaydraft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("pathway_id", "author"),
    )
    op.create_table(
        "migrationrun",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pathway_id", sa.String(length=64), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=False),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("report", sa.Text(), nullable=True),
    )
    op.create_index("ix_migrationrun_pathway_id", "migrationrun", ["pathway_id"])


def downgrade() -> None:
    op.drop_index("ix_migrationrun_pathway_id", "migrationrun")
    op.drop_table("migrationrun")
    op.drop_table("pathwaydraft")
    with op.batch_alter_table("pathwayversion") as batch:
        batch.drop_column("change_note")
