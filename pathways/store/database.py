"""Connections and migrations: a SQLite file under ``var/`` of PATHWAYS_HOME by default, PostgreSQL when
``PATHWAYS_DATABASE_URL`` says so (``postgresql://user@host:5432/db``)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import create_engine

from pathways.home import var_dir

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
URL_FORMS = "sqlite:////absolute/path/pathways.db or postgresql://user@host:5432/database"


class StoreUnavailable(Exception):
    """The database cannot be used; the message says in one line what is wrong and how to fix it."""


def default_url() -> str:
    return f"sqlite:///{var_dir() / 'pathways.db'}"


def _masked(text: str) -> str:
    """``text`` with any password of a URL in it replaced by ***."""
    return re.sub(r"(://[^/:@\s]*:)[^@\s]*@", r"\1***@", text)


def database_url(url: str | None = None) -> str:
    """The URL to use, with PostgreSQL routed to the psycopg 3 driver. Raises StoreUnavailable for a
    string that is no URL or names a database other than SQLite and PostgreSQL."""
    url = url or os.environ.get("PATHWAYS_DATABASE_URL") or default_url()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"PATHWAYS_DATABASE_URL '{_masked(url)}' is not a database URL: use {URL_FORMS}") \
            from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreUnavailable(f"PATHWAYS_DATABASE_URL names a {parsed.get_backend_name()} database, which "
                               f"pathways does not support: use {URL_FORMS}")
    return url


def shown_url(url: str | None = None) -> str:
    """The URL for messages, without its password."""
    return make_url(database_url(url)).render_as_string(hide_password=True)


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default PATHWAYS_DATABASE_URL, else the SQLite file under var/). Statement
    parameters are never put in error messages: they carry names and birth dates, and errors are logged."""
    url = database_url(url)
    if url.startswith("sqlite"):
        # a pool as large as the dashboard's concurrency: a connection opened for an overflow and closed
        # after starts with a cold page cache (measured: a third of the dashboard's throughput)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               pool_size=20, max_overflow=20, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # the nightly sweep reads a few hundred thousand rows: keep them in memory between pages
            cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB
            cursor.execute("PRAGMA mmap_size=268435456")  # 256 MiB: a mapped page counts in the RSS
            cursor.execute("PRAGMA temp_store=MEMORY")
            cursor.close()

        path = _sqlite_file(make_url(url))
        if path is not None:
            _queue_writers(engine, path.with_name(path.name + ".writers"))
        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
WRITER_WAIT = float(os.environ.get("PATHWAYS_WRITER_WAIT", "30"))  # seconds, as SQLite's own busy timeout
WRITER_POLL = 0.0005  # seconds between tries for the writers' lock


class WriterBusy(Exception):
    """Another writer held the SQLite store for longer than :data:`WRITER_WAIT`."""


def _queue_writers(engine: Engine, lock_path: Path) -> None:
    """Writers of a SQLite file wait their turn on a lock file (``<database>.writers``, every process and
    thread of this store) before their first write, and give it up when their transaction commits or rolls
    back. SQLite lets one writer in at a time and makes the others poll with sleeps that grow to 100 ms:
    measured with 10 clients registering income periods, p99 893 ms for a transaction of a few ms. The
    lock is taken before the statement that begins the write (pysqlite begins a transaction at its first
    write) and not in autocommit (migrations' DDL, the sweep's ANALYZE), which writes statement by
    statement as before."""

    @event.listens_for(engine, "before_cursor_execute")
    def _turn(conn: Connection, _cursor: Any, statement: str, _parameters: Any, _context: Any,
              _executemany: bool) -> None:
        if "writers" in conn.info or not statement.lstrip()[:7].upper().startswith(WRITES):
            return
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        lock = FileLock(lock_path, thread_local=False)
        try:
            lock.acquire(timeout=WRITER_WAIT, poll_interval=WRITER_POLL)
        except Timeout:
            raise WriterBusy(f"another writer held {lock_path.name} for {WRITER_WAIT:.0f} s") from None
        conn.info["writers"] = lock

    def _done(conn: Connection) -> None:
        lock = conn.info.pop("writers", None)
        if lock is not None:
            lock.release()

    event.listen(engine, "commit", _done)
    event.listen(engine, "rollback", _done)

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        lock = record.info.pop("writers", None)  # a connection given back without commit or rollback
        if lock is not None:
            lock.release()


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def explain(exc: BaseException, url: URL) -> str | None:
    """One line saying what is wrong with the database at ``url`` and how to fix it, for a failure to
    connect; None for any other error."""
    if not isinstance(exc, DBAPIError) or type(exc.orig).__name__ != "OperationalError":
        return None
    lines = str(exc.orig).strip().splitlines()
    detail = lines[0] if lines else type(exc.orig).__name__
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if "unable to open database file" in detail and path is not None:
            return (f"cannot open the SQLite database {path}: its folder {path.parent} is missing or not writable; "
                    "fix PATHWAYS_DATABASE_URL or run 'pathways init'")
        return None
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    if match := re.search(r'database "([^"]+)" does not exist', detail):
        name = match.group(1)
        options = "".join(f" {flag} {value}" for flag, value in (("-h", url.host), ("-p", url.port),
                                                                 ("-U", url.username)) if value)
        return f"database '{name}' does not exist on {where}: create it with createdb{options} {name}"
    if match := re.search(r'role "([^"]+)" does not exist', detail):
        return (f"PostgreSQL on {where} has no user '{match.group(1)}': create it with createuser, or fix "
                "PATHWAYS_DATABASE_URL")
    if "password authentication failed" in detail or "no password supplied" in detail:
        return f"PostgreSQL on {where} refused the user name or password of PATHWAYS_DATABASE_URL: {detail}"
    if "Connection refused" in detail or "could not connect" in detail or "connection failed" in detail \
            or "timeout expired" in detail or "Name or service not known" in detail:
        return (f"no PostgreSQL server answers on {where}: start it, or fix the host and port in "
                f"PATHWAYS_DATABASE_URL ({detail})")
    return f"cannot use the PostgreSQL database at {url.render_as_string(hide_password=True)}: {detail}"


def open_store(url: str | None = None) -> Engine:
    """An engine on an initialised database, checked: raises StoreUnavailable with a one-line message when
    the database is missing, cannot be reached or was never initialised. Creates no file."""
    url = database_url(url)
    parsed = make_url(url)
    path = _sqlite_file(parsed)
    if path is not None and not path.is_file():
        raise StoreUnavailable(f"there is no database at {path}: run 'pathways init' to create it "
                               "(or set PATHWAYS_DATABASE_URL)")
    engine = make_engine(url)
    try:
        initialised = inspect(engine).has_table("alembic_version")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreUnavailable(explain(exc, parsed) or f"cannot use the database at {shown_url(url)}: "
                               f"{str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}") from None
    if not initialised:
        engine.dispose()
        raise StoreUnavailable(f"the database at {shown_url(url)} is not initialised; run 'pathways init'")
    return engine


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration (and the folder of a SQLite file)."""
    path = _sqlite_file(engine.url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(engine), "head")
