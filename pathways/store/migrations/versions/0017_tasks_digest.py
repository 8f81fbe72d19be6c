"""task: a task (oppgave) a veileder gives a colleague or a unit, with a due date; user.digest: the user's
choice of summary by e-mail (off | daily | weekly) and user.email, the address it goes to; digest_sent:
one row per user and day a summary was sent or tried (the natural key: a re-run sends nothing twice).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), sa.ForeignKey("enrolment.id"), nullable=True),
        sa.Column("assignee_user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("assignee_unit_id", sa.Integer(), sa.ForeignKey("unit.id"), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.Column("done_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint("(assignee_user_id IS NULL) <> (assignee_unit_id IS NULL)", name="ck_task_one_assignee"),
    )
    op.create_index("ix_task_kommune_done_due", "task", ["kommune_id", "done_at", "due"])
    op.create_index("ix_task_assignee_user_done", "task", ["assignee_user_id", "done_at", "due"])
    op.create_index("ix_task_assignee_unit_done", "task", ["assignee_unit_id", "done_at", "due"])
    op.create_index("ix_task_enrolment_id", "task", ["enrolment_id"])
    if op.get_bind().dialect.name == "sqlite":
        # not a batch (a copy of the table): other tables refer to "user" (see 0014)
        op.execute("ALTER TABLE \"user\" ADD COLUMN digest VARCHAR(8) NOT NULL DEFAULT 'off'")
        op.execute('ALTER TABLE "user" ADD COLUMN email VARCHAR(254)')
    else:
        op.add_column("user", sa.Column("digest", sa.String(length=8), nullable=False, server_default="off"))
        op.add_column("user", sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "digest_sent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "day", name="uq_digest_sent_user_day"),
    )
    op.create_index("ix_digest_sent_kommune_day", "digest_sent", ["kommune_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_digest_sent_kommune_day", "digest_sent")
    op.drop_table("digest_sent")
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE "user" DROP COLUMN digest')  # SQLite ≥ 3.35; no copy of the table
        op.execute('ALTER TABLE "user" DROP COLUMN email')
    else:
        op.drop_column("user", "digest")
        op.drop_column("user", "email")
    for name in ("ix_task_enrolment_id", "ix_task_assignee_unit_done", "ix_task_assignee_user_done",
                 "ix_task_kommune_done_due"):
        op.drop_index(name, "task")
    op.drop_table("task")
