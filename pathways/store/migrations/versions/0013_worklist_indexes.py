"""Indexes for the worklist («I dag») ranked in SQL: a kommune's listed deadlines and those met late
(deadline by kommune, status and date), and its participants with an income gap (enrolment by kommune,
status and the live projection's first day), so that a leder's list reads the rows in question only.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEXES = {"ix_deadline_kommune_status_due": ("deadline", ["kommune_id", "status", "due"]),
           "ix_deadline_kommune_status_met_on": ("deadline", ["kommune_id", "status", "met_on"]),
           "ix_enrolment_kommune_status_gap": ("enrolment", ["kommune_id", "status", "gap_from"])}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    # the planner's statistics of the new indexes now, not after the next night (a kommune's deadlines
    # are read by them only when the planner knows they are selective)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=2000")
    for table in ("deadline", "enrolment"):
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table)
