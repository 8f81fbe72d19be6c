"""user.oidc_subject: the ``sub`` of the user at the kommune's identity provider (OpenID Connect), unique
when set: a provider's user is the same account at every sign-in whatever their name or username becomes;
kommune.password_sign_in: whether the kommune's users may sign in with a local password (an administrator
turns it off when the kommune signs in through its provider).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # not a batch (a copy of the table): other tables refer to "user" and "kommune" (see 0014)
        op.execute('ALTER TABLE "user" ADD COLUMN oidc_subject VARCHAR(255)')
        op.execute("ALTER TABLE kommune ADD COLUMN password_sign_in BOOLEAN NOT NULL DEFAULT 1")
    else:
        op.add_column("user", sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        op.add_column("kommune", sa.Column("password_sign_in", sa.Boolean(), nullable=False,
                                           server_default=sa.true()))
    op.create_index("ix_user_oidc_subject", "user", ["oidc_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_user_oidc_subject", "user")
    if op.get_bind().dialect.name == "sqlite":
        op.execute('ALTER TABLE "user" DROP COLUMN oidc_subject')  # SQLite ≥ 3.35; no copy of the table
        op.execute("ALTER TABLE kommune DROP COLUMN password_sign_in")
    else:
        op.drop_column("user", "oidc_subject")
        op.drop_column("kommune", "password_sign_in")
