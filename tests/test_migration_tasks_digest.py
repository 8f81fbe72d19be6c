"""Migration 0017 (tasks and digest): on a store of the revision before, existing users get the digest
choice «off», rows that refer to users survive, a task must have exactly one assignee and a user's
summary of a day is stored once; it downgrades cleanly (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from pathways.store.database import alembic_config, migrate

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def empty(schemaless: Engine) -> Engine:
    """A store with no schema at all."""
    return schemaless


def _seed(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO kommune (id, name) VALUES (1, 'Asker')"))
        connection.execute(text(
            'INSERT INTO "user" (id, username, name, role, kommune_id, password_hash, must_change_password, '
            "active, created_at) VALUES (1, 'kari', 'Kari', 'veileder', 1, 'x', false, true, :t)"), {"t": NOW})
        connection.execute(text("INSERT INTO unit (id, kommune_id, kind, name) "
                                "VALUES (1, 1, 'flyktningtjeneste', 'Flyktningtjenesten')"))
        connection.execute(text("INSERT INTO apitoken (user_id, token_hash, label, created_at, revoked) "
                                "VALUES (1, 'h', 'test', :t, false)"), {"t": NOW})


def _task(connection, user: int | None, unit: int | None) -> None:
    connection.execute(text(
        "INSERT INTO task (kommune_id, assignee_user_id, assignee_unit_id, title, due, created_by, created_at) "
        "VALUES (1, :u, :n, 'Bestill tolk', :d, 'kari', :t)"), {"u": user, "n": unit, "d": date(2026, 12, 9), "t": NOW})


def test_existing_users_get_the_digest_off_and_a_task_needs_exactly_one_assignee(empty):
    command.upgrade(alembic_config(empty), "0016")
    _seed(empty)
    migrate(empty)
    with empty.connect() as connection:
        assert tuple(connection.execute(text('SELECT digest, email FROM "user"')).one()) == ("off", None)
        assert connection.execute(text("SELECT count(*) FROM apitoken")).scalar_one() == 1
        unit = 1
    with empty.begin() as connection:
        _task(connection, 1, None)
        _task(connection, None, unit)
    for user, unit_id in ((None, None), (1, unit)):
        with pytest.raises(IntegrityError), empty.begin() as connection:
            _task(connection, user, unit_id)
    row = {"d": date(2026, 12, 7), "t": NOW}
    sent = ("INSERT INTO digest_sent (user_id, kommune_id, day, outcome, attempts, updated_at) "
            "VALUES (1, 1, :d, 'sent', 1, :t)")
    with empty.begin() as connection:
        connection.execute(text(sent), row)
    with pytest.raises(IntegrityError), empty.begin() as connection:
        connection.execute(text(sent), row)
    with empty.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM task")).scalar_one() == 2


def test_it_downgrades_to_0016(empty):
    command.upgrade(alembic_config(empty), "0016")
    _seed(empty)
    migrate(empty)
    command.downgrade(alembic_config(empty), "0016")
    with empty.connect() as connection:
        assert connection.execute(text('SELECT username FROM "user"')).scalar_one() == "kari"
        tables = {"task", "digest_sent"} & set(
            connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars()
            if empty.dialect.name == "sqlite" else
            connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        assert tables == set()
