"""Personal data never reaches the server log: a database error in a request (a 500) is logged without
the statement's parameters (names, birth dates), on SQLite and on PostgreSQL."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from pathways.calendar import FixedClock
from pathways.services.context import Context
from pathways.services.publishing import publish_folder
from pathways.store.database import database_url, make_engine, migrate
from tests.conftest import DEFINITIONS, POSTGRES_URL
from tests.ui.conftest import TODAY, build_world
from ui.app import Settings, create_app

# built, not written out: a traceback in the log shows the source lines of this file
NAME, BORN = "Kari " + "Nordmann", "1987-06-" + "05"


@pytest.fixture
def project_engine(backend: str, tmp_path) -> Iterator[Engine]:
    """A migrated store made by make_engine, as the dashboard makes it (the shared fixture builds its own)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(database_url(POSTGRES_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_a_database_error_logs_no_name_or_birth_date(project_engine, caplog):
    clock = FixedClock(TODAY)
    ctx = Context(project_engine, clock)
    publish_folder(ctx, DEFINITIONS)
    world = build_world(ctx, clock)
    app = create_app(project_engine, clock, Settings("test-secret-" + "x" * 32))
    with project_engine.begin() as connection:  # every insert of a participant now fails in the database
        connection.execute(text("ALTER TABLE participant RENAME COLUMN gender TO gender_renamed"))
    client = TestClient(app)
    with pytest.raises(Exception) as raised, caplog.at_level(logging.ERROR):
        client.post("/api/deltakere", json={"name": NAME, "born": BORN},
                    headers={"Authorization": f"Bearer {world.tokens['kari']}"})
        # what uvicorn does with an exception that escapes the application (uvicorn.protocols.http)
    logging.getLogger("uvicorn.error").error("Exception in ASGI application", exc_info=raised.value)
    assert "gender" in caplog.text  # the database error was logged, with its statement
    assert NAME not in caplog.text
    assert BORN not in caplog.text and "1987, 6, 5" not in caplog.text
    assert "SQL parameters hidden" in caplog.text
