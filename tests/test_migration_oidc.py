"""Migration 0018 (sign-in through the kommune's identity provider): on a store of the revision before,
existing users are local accounts (no provider subject) and every kommune keeps its passwords; a provider
subject belongs to one account; it downgrades cleanly (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from pathways.store.database import alembic_config

NOW = datetime(2026, 12, 1, tzinfo=UTC)
USER = ('INSERT INTO "user" (id, username, name, role, kommune_id, password_hash, must_change_password, active, '
        "created_at, digest) VALUES (:id, :u, 'Kari', 'veileder', 1, 'x', false, true, :t, 'off')")


def test_existing_users_stay_local_accounts_and_a_subject_is_one_accounts(schemaless: Engine):
    command.upgrade(alembic_config(schemaless), "0017")
    with schemaless.begin() as connection:
        connection.execute(text("INSERT INTO kommune (id, name) VALUES (1, 'Asker')"))
        connection.execute(text(USER), {"id": 1, "u": "kari", "t": NOW})
    command.upgrade(alembic_config(schemaless), "0018")
    with schemaless.connect() as connection:
        assert connection.execute(text('SELECT oidc_subject FROM "user"')).scalar_one() is None
        assert connection.execute(text("SELECT password_sign_in FROM kommune")).scalar_one() in (True, 1)
    with schemaless.begin() as connection:
        connection.execute(text(USER), {"id": 2, "u": "ola", "t": NOW})
        connection.execute(text("UPDATE \"user\" SET oidc_subject = 'sub-1' WHERE id = 1"))
    with pytest.raises(IntegrityError), schemaless.begin() as connection:
        connection.execute(text("UPDATE \"user\" SET oidc_subject = 'sub-1' WHERE id = 2"))
    command.downgrade(alembic_config(schemaless), "0017")
    with schemaless.connect() as connection:
        assert connection.execute(text('SELECT count(*) FROM "user"')).scalar_one() == 2
