"""Migration 0016 (hand-offs): the tables are created on top of 0015, take a hand-off with its checklist, and
are dropped again by the downgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from pathways.store.database import alembic_config, migrate


@pytest.fixture
def empty(schemaless: Engine) -> Engine:
    """A store with no schema at all."""
    return schemaless


def test_handoff_tables_come_and_go_with_the_migration(empty):
    command.upgrade(alembic_config(empty), "0015")
    assert "handoff" not in inspect(empty).get_table_names()
    migrate(empty)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with empty.begin() as connection:
        connection.execute(text("INSERT INTO kommune (id, name) VALUES (1, 'Asker')"))
        connection.execute(text("INSERT INTO unit (id, kommune_id, kind, name) VALUES (1, 1, 'nav', 'NAV Asker')"))
        connection.execute(text("INSERT INTO participant (id, kommune_id, name, birth_date, gender, legal_regime, "
                                "lives_with_parents, dependants, created_at, version) VALUES "
                                "(1, 1, 'X', :b, 'unspecified', 'integreringsloven', false, 0, :t, 1)"),
                           {"b": date(1990, 1, 1), "t": now})
        connection.execute(text("INSERT INTO pathwayversion (id, pathway_id, version, title, document, content_hash, "
                                "published_at, published_by) VALUES (1, 'p', 1, 'P', 'x', 'h', :t, 's')"), {"t": now})
        connection.execute(text("INSERT INTO enrolment (id, participant_id, kommune_id, pathway_version_id, "
                                "pathway_id, status, start_date, current_steps, state, version, updated_at) VALUES "
                                "(1, 1, 1, 1, 'p', 'active', :d, '', '{}', 1, :t)"), {"d": date(2026, 1, 1), "t": now})
        connection.execute(text("INSERT INTO handoff (id, enrolment_id, kommune_id, from_unit_id, to_unit_id, "
                                "planned_on, status, created_by, created_at, sent_on) VALUES "
                                "(1, 1, 1, 1, 1, :d, 'pending', 'kari', :t, :d)"), {"d": date(2026, 12, 1), "t": now})
        connection.execute(text("INSERT INTO handoffitem (handoff_id, key, label, required, ticked) VALUES "
                                "(1, 'samtykke', 'Samtykke', true, true)"))
    with empty.connect() as connection:
        assert connection.execute(text("SELECT message, status FROM handoff")).one() == ("", "pending")
    with pytest.raises(IntegrityError), empty.begin() as connection:  # one item per key
        connection.execute(text("INSERT INTO handoffitem (handoff_id, key, label, required, ticked) VALUES "
                                "(1, 'samtykke', 'Igjen', true, false)"))
    command.downgrade(alembic_config(empty), "0015")
    assert not {"handoff", "handoffitem"} & set(inspect(empty).get_table_names())
