"""Published pathway versions as the pages list them and the demo loads them; kommuner by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert
from sqlmodel import Session, col, select

from pathways.engine.state import ACTIVE
from pathways.store.queries.units import default_unit
from pathways.store.tables import Enrolment, Kommune, PathwayVersion


def published(session: Session) -> list[tuple[str, str, int]]:
    """(pathway, title, version) of every published version, by pathway and version."""
    return [(p, t, v) for p, t, v in session.exec(
        select(PathwayVersion.pathway_id, PathwayVersion.title, PathwayVersion.version)
        .order_by(col(PathwayVersion.pathway_id), col(PathwayVersion.version)))]


def version(session: Session, version_id: int) -> PathwayVersion | None:
    return session.get(PathwayVersion, version_id)


def documents(conn: Connection) -> list[tuple[str, int, str]]:
    """(pathway, version id, document) of every published version, oldest version first."""
    return [(p, i, d) for p, i, d in conn.execute(
        select(PathwayVersion.pathway_id, PathwayVersion.id, PathwayVersion.document)
        .order_by(col(PathwayVersion.version)))]


def kommune_id(conn: Connection, name: str) -> int:
    """The id of the kommune named ``name``, added (with its default unit) when there is none."""
    found = conn.execute(select(Kommune.id).where(Kommune.name == name)).scalar()
    if found is None:
        found = conn.execute(insert(Kommune).values(name=name)).inserted_primary_key[0]
        default_unit(conn, int(found))  # a new kommune starts with its refugee service
    return int(found)


def active_per_pathway(session: Session, scope: Sequence[Any]) -> dict[str, int]:
    """Active cases per pathway among the cases ``scope`` (the actor's kommune) lets through."""
    return dict(session.exec(select(Enrolment.pathway_id, func.count()).where(*scope, col(Enrolment.status).in_(ACTIVE))
                             .group_by(col(Enrolment.pathway_id))).all())
