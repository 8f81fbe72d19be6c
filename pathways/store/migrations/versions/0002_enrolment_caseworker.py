"""enrolment.caseworker: the veileder or jobbspesialist responsible, for caseloads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment") as batch:
        batch.add_column(sa.Column("caseworker", sa.String(length=100), nullable=True))
        batch.create_index("ix_enrolment_caseworker", ["caseworker"])


def downgrade() -> None:
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_index("ix_enrolment_caseworker")
        batch.drop_column("caseworker")
