"""enrolment.next_due: the earliest open or breached deadline of a case (the caseload's sort key), and an
index for the header's flag counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment") as batch:
        batch.add_column(sa.Column("next_due", sa.Date(), nullable=True))
    op.execute("UPDATE enrolment SET next_due = (SELECT MIN(due) FROM deadline WHERE deadline.enrolment_id = "
               "enrolment.id AND deadline.status IN ('open', 'breached'))")
    op.create_index("ix_flag_kommune_state_severity", "flag", ["kommune_id", "state", "severity"])


def downgrade() -> None:
    op.drop_index("ix_flag_kommune_state_severity", "flag")
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_column("next_due")
