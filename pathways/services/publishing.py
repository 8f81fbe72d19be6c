"""Publishing pathway documents as immutable, hashed versions: one set of rules for the editor's publish
button, ``pathways publish`` and ``pathways init`` (a folder at once).

- **Valid**: the document loads without problems, and every hand-off names a pathway that is published
  (or published with it, from the same folder).
- **Numbered**: a new version is the pathway's newest + 1 (the first is 1).
- **Immutable and hashed**: a published version never changes. The same (pathway, version) with other
  content is refused (raise ``version``); with the same content it is already there (``init`` run again
  publishes nothing; ``publish`` says so).
- **Explained**: every version has a change note, what changed and why (a folder's versions: where they
  were published from, unless a note is given).
- **One at a time**: two publishers at once, the unique (pathway, version) makes the second fail with
  :class:`Conflict`; so does publishing over a version the author did not start from (``expected_latest``).

Publishing a version removes the publisher's draft of that pathway.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pathways.definition.catalogue import handoff_problems, load_catalogue
from pathways.definition.loader import Definition, load_text
from pathways.definition.problems import DefinitionError, did_you_mean
from pathways.messages import text_of
from pathways.services.context import Conflict, Context, NotFound, ServiceError
from pathways.store.tables import PathwayDraft, PathwayVersion

NOTE_MAX = 2000


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Published:
    pathway_id: str
    version: int
    id: int
    content_hash: str
    new: bool = True  # False: this very document was published already


def publish(ctx: Context, text: str, note: str, filename: str = "utkast.yaml",
            expected_latest: int | None = None) -> Published:
    """Publish a document as the next version of its pathway. Raises DefinitionError (invalid), ServiceError
    (no note, wrong version number, already published) or Conflict (someone published first)."""
    note = _checked_note(note)
    definition = load_text(text, filename)  # raises DefinitionError with every problem and its line
    with ctx.transaction() as session:
        published = _publish_in(session, ctx, definition, note, expected_latest)
    if not published.new:
        raise ServiceError("already_published_as", "version", ref=f"{published.pathway_id}@{published.version}")
    return published


def publish_folder(ctx: Context, folder: str | Path, note: str | None = None) -> list[tuple[str, int, str]]:
    """Publish every document of ``folder`` that is new, all or none; returns (id, version, 'new'|'unchanged').
    The rules are :func:`publish`'s; ``note`` defaults to where the documents come from."""
    catalogue = load_catalogue([folder])
    if catalogue.problems:
        raise DefinitionError(catalogue.problems)
    note = _checked_note(f"published from {folder}" if note is None else note)
    results = []
    with ctx.transaction() as session:
        for pathway_id, definition in sorted(catalogue.definitions.items()):
            try:
                published = _publish_in(session, ctx, definition, note, None, catalogue.definitions)
            except Conflict:
                raise
            except ServiceError as exc:
                raise ServiceError("in_file", exc.field, file=definition.file, message=text_of(exc)) from None
            results.append((pathway_id, published.version, "new" if published.new else "unchanged"))
    return results


def _checked_note(note: str | None) -> str:
    note = (note or "").strip()
    if not note:
        raise ServiceError("note_required", "note")
    if len(note) > NOTE_MAX:
        raise ServiceError("change_note_too_long", "note", limit=NOTE_MAX)
    return note


def _publish_in(session: Session, ctx: Context, definition: Definition, note: str, expected_latest: int | None,
                together: Iterable[str] = ()) -> Published:
    """Publish one valid document in ``session`` (``together``: the pathways published with it)."""
    pathway_id, version = definition.pathway.id, definition.pathway.version
    published = set(session.exec(select(PathwayVersion.pathway_id).distinct()).all())
    problems = handoff_problems(definition, {*published, *together})
    if problems:
        raise DefinitionError(problems)
    digest = content_hash(definition.text)
    latest = session.exec(select(func.max(PathwayVersion.version)).where(PathwayVersion.pathway_id == pathway_id)
                          ).one()
    if expected_latest is not None and latest != expected_latest:
        raise Conflict("published_since", pathway=pathway_id, latest=latest, base=expected_latest)
    if latest is not None and version <= latest:
        same = session.exec(select(PathwayVersion).where(PathwayVersion.pathway_id == pathway_id,
                                                         PathwayVersion.version == version)).first()
        if same is not None and same.content_hash == digest:
            return Published(pathway_id, version, same.id or 0, digest, new=False)
        raise ServiceError("version_published", "version", version=version, pathway=pathway_id, next=latest + 1)
    wanted = (latest or 0) + 1
    if version != wanted:
        raise ServiceError("next_version", "version", pathway=pathway_id, latest=latest or 0, next=wanted,
                           version=version)
    row = PathwayVersion(pathway_id=pathway_id, version=version, title=definition.pathway.title,
                         document=definition.text, content_hash=digest, published_at=ctx.clock.now(),
                         published_by=ctx.actor.name, change_note=note)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # the unique (pathway, version): another publisher's insert came first
        raise Conflict("published_same_time", version=version, pathway=pathway_id) from None
    assert row.id is not None
    for draft in session.exec(select(PathwayDraft).where(PathwayDraft.pathway_id == pathway_id,
                                                         PathwayDraft.author == ctx.actor.name)).all():
        session.delete(draft)
    return Published(pathway_id, version, row.id, digest)


def latest_version(session: Session, pathway_id: str) -> PathwayVersion:
    row = session.exec(select(PathwayVersion).where(PathwayVersion.pathway_id == pathway_id)
                       .order_by(col(PathwayVersion.version).desc())).first()
    if row is None:
        known = session.exec(select(PathwayVersion.pathway_id).distinct()).all()
        raise NotFound("no_published_pathway", "pathway", pathway=pathway_id, hint=did_you_mean(pathway_id, known))
    return row
