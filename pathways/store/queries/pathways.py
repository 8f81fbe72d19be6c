"""Published pathway versions as the pages list them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pathways.store.tables import PathwayVersion


def published(session: Session) -> list[tuple[str, str, int]]:
    """(pathway, title, version) of every published version, by pathway and version."""
    return [(p, t, v) for p, t, v in session.exec(
        select(PathwayVersion.pathway_id, PathwayVersion.title, PathwayVersion.version)
        .order_by(col(PathwayVersion.pathway_id), col(PathwayVersion.version)))]


def version(session: Session, version_id: int) -> PathwayVersion | None:
    return session.get(PathwayVersion, version_id)
