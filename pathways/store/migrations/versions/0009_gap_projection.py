"""enrolment.gap_from / gap_to: the participant's live income status on their active cases (the first
income gap not over, from–to), written by the services with every change of livelihood periods or of a
case and refreshed by the nightly check, so that the caseload reads the data as it is now instead of
last night's flags. Filled here for the existing cases (as of today), as the nightly check would.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment") as batch:
        batch.add_column(sa.Column("gap_from", sa.Date(), nullable=True))
        batch.add_column(sa.Column("gap_to", sa.Date(), nullable=True))
    from pathways.calendar import SystemClock
    from pathways.checks.config import load_config
    from pathways.checks.rules import refresh_income_projection

    refresh_income_projection(op.get_bind(), load_config(), SystemClock().today())


def downgrade() -> None:
    with op.batch_alter_table("enrolment") as batch:
        batch.drop_column("gap_to")
        batch.drop_column("gap_from")
