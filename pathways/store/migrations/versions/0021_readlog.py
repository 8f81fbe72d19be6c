"""readlog (tilgangslogg): every read of a participant's data, append-only. Triggers on both backends refuse
an UPDATE always and a DELETE unless the same transaction holds a row of ``readlogpurge`` (the retention
purge adds one and removes it before committing).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "readlog",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("kommune_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("participant_kommune_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
    )
    op.create_index("ix_readlog_participant_at", "readlog", ["participant_id", "at"])
    op.create_index("ix_readlog_kommune_actor_at", "readlog", ["participant_kommune_id", "actor", "at"])
    op.create_index("ix_readlog_at", "readlog", ["at"])
    op.create_table("readlogpurge", sa.Column("id", sa.Integer(), primary_key=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION readlog_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' OR NOT EXISTS (SELECT 1 FROM readlogpurge) THEN
                    RAISE EXCEPTION 'readlog is append-only (tilgangsloggen kan ikke endres)';
                END IF;
                RETURN OLD;
            END $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER readlog_append_only BEFORE UPDATE OR DELETE ON readlog "
                   "FOR EACH ROW EXECUTE FUNCTION readlog_append_only()")
    else:
        op.execute("CREATE TRIGGER readlog_no_update BEFORE UPDATE ON readlog BEGIN "
                   "SELECT RAISE(ABORT, 'readlog is append-only (tilgangsloggen kan ikke endres)'); END")
        op.execute("CREATE TRIGGER readlog_no_delete BEFORE DELETE ON readlog "
                   "WHEN NOT EXISTS (SELECT 1 FROM readlogpurge) BEGIN "
                   "SELECT RAISE(ABORT, 'readlog is append-only (tilgangsloggen kan ikke endres)'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS readlog_append_only ON readlog")
        op.execute("DROP FUNCTION IF EXISTS readlog_append_only()")
    op.drop_table("readlogpurge")
    op.drop_table("readlog")
