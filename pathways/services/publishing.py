"""Publishing pathway documents as immutable, hashed versions."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlmodel import Session, col, select

from pathways.definition.catalogue import load_catalogue
from pathways.definition.problems import DefinitionError
from pathways.income.stonad import DEFAULT_G, GTable
from pathways.services.context import Context, NotFound, ServiceError
from pathways.store.tables import GAmount, PathwayVersion


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def publish_folder(ctx: Context, folder: str | Path) -> list[tuple[str, int, str]]:
    """Publish every valid document of ``folder`` that is new; returns (id, version, 'new'|'unchanged').

    A document whose (id, version) is already published with other content is refused: a published
    version never changes, so the author must raise ``version``.
    """
    catalogue = load_catalogue([folder])
    if catalogue.problems:
        raise DefinitionError(catalogue.problems)
    results = []
    with ctx.transaction() as session:
        for pathway_id, definition in sorted(catalogue.definitions.items()):
            version = definition.pathway.version
            digest = content_hash(definition.text)
            existing = session.exec(select(PathwayVersion).where(
                PathwayVersion.pathway_id == pathway_id, PathwayVersion.version == version)).first()
            if existing is not None:
                if existing.content_hash != digest:
                    raise ServiceError(f"{definition.file}: version {version} of '{pathway_id}' is already published "
                                       "with other content; raise 'version' to publish the change", "version")
                results.append((pathway_id, version, "unchanged"))
                continue
            session.add(PathwayVersion(pathway_id=pathway_id, version=version, title=definition.pathway.title,
                                       document=definition.text, content_hash=digest,
                                       published_at=ctx.now(), published_by=ctx.actor))
            results.append((pathway_id, version, "new"))
    return results


def seed_g_table(ctx: Context) -> int:
    """Fill the G table with the known amounts when it is empty; returns how many rows were added.

    Administrators add the new amount every 1 May; the table is the source the benefit rules read.
    """
    with ctx.transaction() as session:
        if session.exec(select(GAmount)).first() is not None:
            return 0
        session.add_all(GAmount(effective_from=day, amount=amount) for day, amount in DEFAULT_G.entries)
        return len(DEFAULT_G.entries)


def g_table(ctx: Context) -> GTable:
    with ctx.transaction() as session:
        return g_table_in(session)


def g_table_in(session: Session) -> GTable:
    """The G table as stored (the built-in amounts until ``init`` has seeded it)."""
    rows = session.exec(select(GAmount)).all()
    return GTable((row.effective_from, row.amount) for row in rows) if rows else DEFAULT_G


def latest_version(session: Session, pathway_id: str) -> PathwayVersion:
    row = session.exec(select(PathwayVersion).where(PathwayVersion.pathway_id == pathway_id)
                       .order_by(col(PathwayVersion.version).desc())).first()
    if row is None:
        known = session.exec(select(PathwayVersion.pathway_id).distinct()).all()
        from pathways.definition.problems import did_you_mean
        raise NotFound(f"no published pathway '{pathway_id}'" + did_you_mean(pathway_id, known), "pathway")
    return row
