"""Covering indexes for the caseload's sort keys and for the live flags of a case

Measured on 100 000 demo participants (SQLite): a kommune's caseload page sorted by next deadline went
from a table sort of 6 000 wide rows (8 ms) to an index scan (1 ms); sorted by flags from 32 ms to 14 ms; filtered
by a flag kind from 45 ms to 4 ms.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# with the id: PostgreSQL's index-only scan needs every column the page query reads (SQLite has the rowid)
ENROLMENT = {"ix_enrolment_kommune_status_next_due": ["kommune_id", "status", "next_due", "id"],
             "ix_enrolment_kommune_status_start": ["kommune_id", "status", "start_date", "id"],
             "ix_enrolment_kommune_status_steps": ["kommune_id", "status", "current_steps", "id"]}


def upgrade() -> None:
    for name, columns in ENROLMENT.items():
        op.create_index(name, "enrolment", columns)
    op.create_index("ix_flag_enrolment_state", "flag", ["enrolment_id", "state", "severity"])
    op.create_index("ix_flag_kommune_kind_state", "flag", ["kommune_id", "kind", "state", "enrolment_id"])
    op.drop_index("ix_flag_enrolment_id", "flag")


def downgrade() -> None:
    op.create_index("ix_flag_enrolment_id", "flag", ["enrolment_id"])
    op.drop_index("ix_flag_kommune_kind_state", "flag")
    op.drop_index("ix_flag_enrolment_state", "flag")
    for name in ENROLMENT:
        op.drop_index(name, "enrolment")
