"""Bulk writes at the driver's speed, one interface for both backends: PostgreSQL's COPY, SQLite's
``executemany`` in chunks; and the planner statistics after a bulk rewrite.

Whoever writes many rows at once (the nightly sweep's new flags, the demo cohort) goes through here, so
the backend differences (COPY, the text form SQLite keeps datetimes in, sequences after explicit ids)
live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select, text

CHUNK = 5_000


def _sqlite_value(value: Any) -> Any:
    """SQLite keeps datetimes as UTC text in SQLAlchemy's own format (sqlmodel's UTCDateTime reads it back
    as UTC); PostgreSQL takes the aware value."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def copy_rows(connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; return how many. COPY on
    PostgreSQL (an order of magnitude faster than INSERT batches), chunked ``executemany`` on SQLite."""
    count = 0
    if connection.dialect.name == "postgresql":
        raw = connection.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[attr-defined]  # psycopg 3's cursor
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" if connection.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(tuple(_sqlite_value(v) for v in row))
        if len(batch) >= CHUNK:
            connection.exec_driver_sql(sql, batch)
            count, batch = count + len(batch), []
    if batch:
        connection.exec_driver_sql(sql, batch)
        count += len(batch)
    return count


def insert_dicts(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, explicit ids allowed) in chunks, through SQLAlchemy."""
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(table), list(rows[start:start + CHUNK]))


def next_id(connection: Connection, table: Table) -> int:
    """The first id after the largest stored one (for a bulk load that assigns its own ids)."""
    return int(connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def reset_sequences(connection: Connection, tables: Iterable[str]) -> None:
    """After rows were inserted with explicit ids: move PostgreSQL's id sequences past them (SQLite's
    rowid needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for name in tables:
        connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))


def refresh_statistics(engine: Engine, tables: Iterable[str] = ()) -> None:
    """Bring the planner's statistics up to date after a bulk rewrite of ``tables`` (all tables when
    empty): ``ANALYZE`` of them on both backends. On SQLite a full one, not a sampled one
    (``analysis_limit``): with 2 000 rows sampled the planner took a kommune for five times more selective
    than it is and walked the kommune's 10 000 participants by name for a veileder's 262 cases (90 ms a
    caseload page instead of 2); a full ANALYZE of every table of 10⁵ participants takes about 4 s.
    Measured before that: the caseload's p95 right after a sweep 282 ms with stale statistics, 148 ms after."""
    chosen = sorted(set(tables))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE " + ", ".join(f'"{t}"' for t in chosen)))  # "user" is reserved
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA analysis_limit=0")  # 0: every row
        for table in chosen or [""]:
            connection.exec_driver_sql(f'ANALYZE "{table}"' if table else "ANALYZE")
        connection.exec_driver_sql("PRAGMA optimize")
        connection.commit()
