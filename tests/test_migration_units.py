"""Migration 0014 (units): a store of the revision before gets a «Flyktningtjenesten» unit per kommune, and
every existing user ends up in their own kommune's, on SQLite and PostgreSQL; rows that refer to users
(API tokens) survive."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text

from pathways.store.database import alembic_config, migrate


@pytest.fixture
def empty(schemaless: Engine) -> Engine:
    """A store with no schema at all."""
    return schemaless


def test_existing_users_move_into_their_kommunes_refugee_service(empty):
    command.upgrade(alembic_config(empty), "0013")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with empty.begin() as connection:
        for kid, name in ((1, "Asker"), (2, "Bærum"), (3, "Tomme")):
            connection.execute(text("INSERT INTO kommune (id, name) VALUES (:i, :n)"), {"i": kid, "n": name})
        for uid, username, kid in ((1, "kari", 1), (2, "anne", 1), (3, "per", 2)):
            connection.execute(text(
                'INSERT INTO "user" (id, username, name, role, kommune_id, password_hash, must_change_password, '
                "active, created_at) VALUES (:i, :u, :u, 'veileder', :k, 'x', false, true, :t)"),
                {"i": uid, "u": username, "k": kid, "t": now})
        connection.execute(text("INSERT INTO apitoken (user_id, token_hash, label, created_at, revoked) "
                                "VALUES (1, 'h', 'test', :t, false)"), {"t": now})
    migrate(empty)
    with empty.connect() as connection:
        units = connection.execute(text("SELECT kommune_id, kind, name FROM unit ORDER BY kommune_id")).all()
        assert [tuple(u) for u in units] == [(k, "flyktningtjeneste", "Flyktningtjenesten") for k in (1, 2, 3)]
        placed = connection.execute(text(
            'SELECT u.username, unit.kommune_id, unit.kind FROM "user" u JOIN unit ON unit.id = u.unit_id '
            "ORDER BY u.id")).all()
        assert [tuple(p) for p in placed] == [("kari", 1, "flyktningtjeneste"), ("anne", 1, "flyktningtjeneste"),
                                              ("per", 2, "flyktningtjeneste")]
        assert connection.execute(text("SELECT count(*) FROM apitoken")).scalar_one() == 1
