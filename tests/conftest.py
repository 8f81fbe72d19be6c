"""Shared fixtures: the catalogue folder, the complete example, a loader of inline YAML."""

from __future__ import annotations

import os
import socket
import textwrap
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlmodel import SQLModel

from pathways.calendar import FixedClock
from pathways.definition.loader import Definition, load_text
from pathways.services.context import Actor, Context
from pathways.services.publishing import publish_folder
from pathways.store.database import database_url, make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def complete() -> Definition:
    """A small pathway that uses every construct of the language."""
    return load_text((FIXTURES / "complete.yaml").read_bytes(), "complete.yaml")


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """Finds a TCP port on 127.0.0.1 that nothing listens on (for a server a test starts)."""
    def find() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    return find


def yaml_doc(body: str) -> str:
    """A minimal valid header followed by ``body`` (dedented)."""
    head = 'id: mini\nversion: 1\ntitle: Mini\nsources: [{seed: 002_x.txt, lines: "1-2"}]\n'
    return head + textwrap.dedent(body).lstrip("\n")


# -- the store, on SQLite always and on PostgreSQL when PATHWAYS_TEST_POSTGRES_URL is set -----------

POSTGRES_URL = os.environ.get("PATHWAYS_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not POSTGRES_URL, reason="PATHWAYS_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)"))]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    # the schema in the URL (not in connect_args): processes the code under test starts from
    # engine.url, such as the sweep's workers, then use it too
    url = make_url(database_url(POSTGRES_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = create_engine(url, pool_size=25, max_overflow=5)
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2026, 11, 22))


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock) -> Context:
    """A service context on a database with the catalogue published."""
    context = Context(engine, clock, actor=Actor.system("test"))
    publish_folder(context, DEFINITIONS)
    return context


BOOKKEEPING = {"backgroundjob", "signinfailure", "usersession"}  # the dashboard's own: jobs, failed sign-ins, sessions


def table_counts(ctx: Context) -> dict[str, int]:
    """Rows per table of the domain: tests assert a refused request changed nothing."""
    with ctx.engine.connect() as connection:
        return {t.name: connection.execute(text(f"SELECT COUNT(*) FROM {t.name}")).scalar_one()
                for t in SQLModel.metadata.sorted_tables if t.name not in BOOKKEEPING}
