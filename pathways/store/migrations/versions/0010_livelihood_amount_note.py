"""livelihoodperiod: the monthly amount (in øre) and a note, registered on the case page and the API

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("livelihoodperiod") as batch:
        batch.add_column(sa.Column("amount_ore", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("livelihoodperiod") as batch:
        batch.drop_column("note")
        batch.drop_column("amount_ore")
