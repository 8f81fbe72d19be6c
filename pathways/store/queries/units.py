"""The units' queries: a kommune's units, the default unit (its refugee service) made when missing, and
who is responsible for cases (their caseworker's name and unit), set-based for a page of cases."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from pathways.store.tables import Unit, User

DEFAULT_KIND = "flyktningtjeneste"
DEFAULT_NAME = "Flyktningtjenesten"


def default_unit(conn: Session | Connection, kommune_id: int) -> int:
    """The id of the kommune's ``flyktningtjeneste`` unit (the first, when there are several), added
    when there is none (a kommune created now, or a store where it was never made)."""
    found = conn.execute(select(Unit.id).where(Unit.kommune_id == kommune_id, Unit.kind == DEFAULT_KIND)
                         .order_by(col(Unit.id)).limit(1)).scalar()
    if found is None:
        found = conn.execute(insert(Unit).values(kommune_id=kommune_id, kind=DEFAULT_KIND, name=DEFAULT_NAME)
                             ).inserted_primary_key[0]
    return int(found)


def units(session: Session, scope: Sequence[Any]) -> list[Unit]:
    """The units ``scope`` (conditions on Unit) lets through, by kommune and name."""
    return list(session.exec(select(Unit).where(*scope).order_by(col(Unit.kommune_id), col(Unit.name))))


def named(session: Session, kommune_id: int, name: str) -> Unit | None:
    """The kommune's unit called ``name``, ignoring case (in Python: SQLite lowers only a–z), else None."""
    wanted = name.strip().casefold()
    return next((u for u in units(session, [Unit.kommune_id == kommune_id]) if u.name.casefold() == wanted), None)


_RESPONSIBLE = (select(User.username, User.name, Unit.name).outerjoin(Unit, col(Unit.id) == col(User.unit_id))
                .where(col(User.username).in_(bindparam("names", expanding=True))))  # made once


def responsible(session: Session, usernames: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """username → (full name, unit name) of the caseworkers of a page of cases, in one query."""
    if not usernames:
        return {}
    rows = session.execute(_RESPONSIBLE, {"names": sorted(set(usernames))}).all()
    return {u: (n, unit) for u, n, unit in rows}
