"""A kommune's listed deadlines read from the index alone: the worklist's (kommune, status, due) index
also carries what the leder's list and count read of each deadline (kind, recurring, case, key), so that
neither visits the table for the ~20 000 open deadlines of a large kommune (measured at 100 000
participants: the count 24 ms → 9.5 ms on PostgreSQL, 7 ms → 3 ms on SQLite).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD = ["kommune_id", "status", "due"]
NEW = ["kommune_id", "status", "due", "kind", "recurring", "enrolment_id", "key"]


def upgrade() -> None:
    op.drop_index("ix_deadline_kommune_status_due", "deadline")
    op.create_index("ix_deadline_kommune_status_due_listed", "deadline", NEW)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA analysis_limit=2000")
    op.execute("ANALYZE deadline")


def downgrade() -> None:
    op.drop_index("ix_deadline_kommune_status_due_listed", "deadline")
    op.create_index("ix_deadline_kommune_status_due", "deadline", OLD)
