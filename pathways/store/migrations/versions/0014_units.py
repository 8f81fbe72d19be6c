"""unit: a kommune's organisational units (enheter); user.unit_id. Every existing kommune gets its
«Flyktningtjenesten» unit and every existing user moves into their kommune's.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_kommune = sa.table("kommune", sa.column("id", sa.Integer()))
_unit = sa.table("unit", sa.column("id", sa.Integer()), sa.column("kommune_id", sa.Integer()),
                 sa.column("kind", sa.String()), sa.column("name", sa.String()))
_user = sa.table("user", sa.column("kommune_id", sa.Integer()), sa.column("unit_id", sa.Integer()))


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kommune_id", sa.Integer(), sa.ForeignKey("kommune.id"), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.UniqueConstraint("kommune_id", "name"),
    )
    op.create_index("ix_unit_kommune_id", "unit", ["kommune_id"])
    if op.get_bind().dialect.name == "sqlite":
        # not a batch (a copy of the table): other tables refer to "user", and SQLite, enforcing foreign
        # keys, will not drop it; SQLite adds a column with a reference when its default is NULL
        op.execute('ALTER TABLE "user" ADD COLUMN unit_id INTEGER REFERENCES unit (id)')
    else:
        op.add_column("user", sa.Column("unit_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_user_unit_id_unit", "user", "unit", ["unit_id"], ["id"])
    op.create_index("ix_user_unit_id", "user", ["unit_id"])
    # the data: one refugee service per kommune, and everybody of the kommune in it
    op.execute(_unit.insert().from_select(
        ["kommune_id", "kind", "name"],
        sa.select(_kommune.c.id, sa.literal("flyktningtjeneste"), sa.literal("Flyktningtjenesten"))))
    op.execute(_user.update().values(unit_id=sa.select(_unit.c.id).where(
        _unit.c.kommune_id == _user.c.kommune_id, _unit.c.kind == "flyktningtjeneste").scalar_subquery()))


def downgrade() -> None:
    op.drop_index("ix_user_unit_id", "user")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("user") as batch:  # a copy of the table: run with foreign keys off
            batch.drop_column("unit_id")
    else:
        op.drop_constraint("fk_user_unit_id_unit", "user", type_="foreignkey")
        op.drop_column("user", "unit_id")
    op.drop_index("ix_unit_kommune_id", "unit")
    op.drop_table("unit")
