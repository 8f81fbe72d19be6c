"""participant.pseudonymised_on: the day the retention policy removed the person (their data deleted, their
cases kept as counts under a random pseudonym); such a participant is never due again and their cases have
no events to rebuild from.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("participant", sa.Column("pseudonymised_on", sa.Date(), nullable=True))


def downgrade() -> None:
    # native on both (SQLite ≥ 3.35): a batch copy of the table would break the foreign keys that point at it
    op.execute("ALTER TABLE participant DROP COLUMN pseudonymised_on")
