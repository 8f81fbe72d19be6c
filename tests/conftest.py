"""Shared fixtures: the catalogue folder, the complete example, a loader of inline YAML."""

from __future__ import annotations

import os
import shutil
import socket
import textwrap
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from pathways.calendar import FixedClock
from pathways.definition.loader import Definition, load_text
from pathways.services.context import Actor, Context
from pathways.services.publishing import publish_folder
from pathways.store.database import database_url, make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _cheap_password_hashing() -> None:
    """argon2id's cheapest parameters in the test processes: a hash or check with the production ones costs
    about 90 ms, paid for every user a test makes and every sign-in (minutes of the suite). The code paths
    are the same; only the work factor differs. Servers and CLIs the tests start as processes of their own
    keep the production parameters."""
    from argon2 import PasswordHasher, profiles

    from pathways.services import accounts
    accounts._HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
    accounts._DUMMY_HASH = accounts._HASHER.hash("not a password of anyone")


_cheap_password_hashing()


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


# Every test gets a store of its own, cloned from a template built once per test process: a migrated
# store, the same with the catalogue published (tests that use ``ctx``), or the dashboard tests' world
# (tests that use ``world``: tests/ui/conftest.py). Cloning is a file copy on SQLite and CREATE DATABASE …
# TEMPLATE on PostgreSQL, a tenth of migrating and publishing anew each time.
TEMPLATE_KINDS = ("migrated", "published", "world")
_templates: dict[tuple[str, str], tuple[str, object]] = {}  # (backend, kind): (file or database, what was built)
_PREFIX = f"pwt_{os.getpid()}_"  # this process's databases; a crashed run's are dropped by the next run


def template_kind(fixturenames: list[str]) -> str:
    return "world" if "world" in fixturenames else "published" if "ctx" in fixturenames else "migrated"


def _build(engine: Engine, kind: str) -> object:
    """Fill a freshly migrated store as ``kind`` asks; what comes back is kept with the template."""
    if kind == "migrated":
        return None
    context = Context(engine, FixedClock(date(2026, 11, 22)), actor=Actor.system("test"))
    publish_folder(context, DEFINITIONS)
    if kind == "published":
        return None
    from tests.ui.conftest import build_world
    return build_world(context, context.clock)  # type: ignore[arg-type]


def _admin() -> Engine:
    assert POSTGRES_URL
    return create_engine(database_url(POSTGRES_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _drop_stale_databases(admin: Engine) -> None:
    """Databases left by test processes that no longer run (killed before they could drop them)."""
    with admin.connect() as connection:
        names = connection.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'pwt\\_%'")).scalars()
        for name in list(names):
            try:
                os.kill(int(name.split("_")[1]), 0)
                continue  # its process still runs
            except (ValueError, ProcessLookupError):
                pass
            except PermissionError:
                continue
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _template(backend: str, kind: str, tmp_factory: pytest.TempPathFactory) -> tuple[str, object]:
    if (backend, kind) in _templates:
        return _templates[(backend, kind)]
    if backend == "sqlite":
        path = tmp_factory.mktemp("templates") / f"{kind}.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        built = _build(engine, kind)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _templates[(backend, kind)] = (str(path), built)
    else:
        admin = _admin()
        if not any(b == "postgresql" for b, _ in _templates):
            _drop_stale_databases(admin)
        name = f"{_PREFIX}t_{kind}"
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = create_engine(make_url(database_url(POSTGRES_URL)).set(database=name), poolclass=NullPool)
        migrate(engine)
        built = _build(engine, kind)
        engine.dispose()
        admin.dispose()
        _templates[(backend, kind)] = (name, built)
    return _templates[(backend, kind)]


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    yield
    if any(b == "postgresql" for b, _ in _templates):
        admin = _admin()
        with admin.connect() as connection:
            for (backend, _kind), (name, _built) in _templates.items():
                if backend == "postgresql":
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def built_with(engine: Engine) -> tuple[str, object]:
    """The template a test's store was cloned from, and what was built in it (the world, for ``world``)."""
    return getattr(engine, "pathways_template", ("migrated", None))


@pytest.fixture
def engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of this test's own (a SQLite file, or a PostgreSQL database), cloned from the
    template its fixtures need (:func:`template_kind`)."""
    kind = template_kind(request.fixturenames)
    source, built = _template(backend, kind, tmp_path_factory)
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(source, path)
        engine = make_engine(f"sqlite:///{path}")
        engine.pathways_template = (kind, built)  # type: ignore[attr-defined]
        yield engine
        engine.dispose()
        return
    # processes the code under test starts from engine.url, such as the sweep's workers, use it too
    with postgres_database(source, pool_size=25, max_overflow=5) as engine:
        engine.pathways_template = (kind, built)  # type: ignore[attr-defined]
        yield engine


@contextmanager
def postgres_database(template: str | None = None, **engine_options: Any) -> Iterator[Engine]:
    """A PostgreSQL database of this test process's own (empty, or a copy of ``template``), dropped after."""
    name = f"{_PREFIX}{uuid.uuid4().hex[:12]}"
    admin = _admin()
    copy = f' TEMPLATE "{template}" STRATEGY WAL_LOG' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    engine = create_engine(make_url(database_url(POSTGRES_URL)).set(database=name), **engine_options)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def schemaless(backend: str, tmp_path) -> Iterator[Engine]:
    """A store with no schema at all, on the test's backend: a migration test upgrades it to the revision
    it starts from."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    with postgres_database(poolclass=NullPool) as engine:
        yield engine


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(date(2026, 11, 22))


@pytest.fixture
def ctx(engine: Engine, clock: FixedClock) -> Context:
    """A service context on a database with the catalogue published."""
    context = Context(engine, clock, actor=Actor.system("test"))
    if built_with(engine)[0] == "migrated":  # a template with the catalogue published already has it
        publish_folder(context, DEFINITIONS)
    return context


# the dashboard's own: jobs, failed sign-ins, sessions; and the read log (written a moment after a read)
BOOKKEEPING = {"backgroundjob", "signinfailure", "usersession", "readlog", "readlogpurge"}


def table_counts(ctx: Context) -> dict[str, int]:
    """Rows per table of the domain: tests assert a refused request changed nothing."""
    with ctx.engine.connect() as connection:
        return {t.name: connection.execute(text(f"SELECT COUNT(*) FROM {t.name}")).scalar_one()
                for t in SQLModel.metadata.sorted_tables if t.name not in BOOKKEEPING}
