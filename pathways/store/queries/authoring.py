"""The authoring pages' queries: published versions and drafts, the running cases per version and step,
and the migration of running cases (each case moved with a few Core statements in its own transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, update
from sqlmodel import Session, col, select

from pathways.engine.state import ACTIVE
from pathways.store.tables import Deadline, Enrolment, Event, MigrationRun, Participant, PathwayDraft, PathwayVersion


def version(session: Session, pathway_id: str, number: int) -> PathwayVersion | None:
    return session.exec(select(PathwayVersion).where(PathwayVersion.pathway_id == pathway_id,
                                                     PathwayVersion.version == number)).first()


def version_numbers(session: Session, pathway_id: str) -> list[int]:
    return list(session.exec(select(PathwayVersion.version).where(PathwayVersion.pathway_id == pathway_id)
                             .order_by(col(PathwayVersion.version))).all())


def pathway_ids(session: Session) -> list[str]:
    return list(session.exec(select(PathwayVersion.pathway_id).distinct()).all())


def all_versions(session: Session) -> list[PathwayVersion]:
    return list(session.exec(select(PathwayVersion).order_by(col(PathwayVersion.pathway_id),
                                                             col(PathwayVersion.version))).all())


def draft(session: Session, pathway_id: str, author: str) -> PathwayDraft | None:
    return session.exec(select(PathwayDraft).where(PathwayDraft.pathway_id == pathway_id,
                                                   PathwayDraft.author == author)).first()


def active_per_version(session: Session, kommune: Sequence[Any]) -> dict[int, int]:
    """Active cases per published version (``kommune``: conditions on Enrolment)."""
    return {v: n for v, n in session.exec(
        select(Enrolment.pathway_version_id, func.count())
        .where(col(Enrolment.status).in_(ACTIVE), *kommune).group_by(col(Enrolment.pathway_version_id))).all()}


def active_steps(session: Session, version_id: int | None, kommune: Sequence[Any]) -> list[str]:
    """The current steps (comma-separated) of each active case on a version."""
    return list(session.exec(select(Enrolment.current_steps).where(
        Enrolment.pathway_version_id == version_id, col(Enrolment.status).in_(ACTIVE), *kommune)).all())


def cases_to_move(session: Session, pathway_id: str, old_id: int | None, new_id: int | None, kommune: Sequence[Any],
                  limit: int | None) -> tuple[list[int], int]:
    """(ids of the active cases on the old version, lowest first, at most ``limit``; how many are on the new
    one already)."""
    scope = [Enrolment.pathway_id == pathway_id, col(Enrolment.status).in_(ACTIVE), *kommune]
    ids = list(session.exec(select(Enrolment.id).where(Enrolment.pathway_version_id == old_id, *scope)
                            .order_by(col(Enrolment.id)).limit(limit)).all())
    already = session.exec(select(func.count()).select_from(Enrolment)
                           .where(Enrolment.pathway_version_id == new_id, *scope)).one()
    return [i for i in ids if i is not None], already


def unfinished_runs(session: Session, run: MigrationRun) -> list[MigrationRun]:
    """Earlier runs of the same move that never finished."""
    return list(session.exec(select(MigrationRun).where(
        MigrationRun.pathway_id == run.pathway_id, MigrationRun.from_version == run.from_version,
        MigrationRun.to_version == run.to_version, col(MigrationRun.finished_at).is_(None),
        col(MigrationRun.id) != run.id).order_by(col(MigrationRun.id))).all())


def cases_with_people(session: Session, ids: Sequence[int], version_id: int | None
                      ) -> list[tuple[int, str, int, int, Participant]]:
    """(case, state, case version, kommune, participant) of those of ``ids`` still on ``version_id``."""
    return [(c or 0, s, v, k, p) for c, s, v, k, p in session.exec(
        select(Enrolment.id, Enrolment.state, Enrolment.version, Enrolment.kommune_id, Participant)
        .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
        .where(col(Enrolment.id).in_(list(ids)), Enrolment.pathway_version_id == version_id)).all()]


def count_moved(connection: Connection, run_id: int, moved: int) -> None:
    """The run's ``moved`` counts ``moved`` more cases (in the transaction that moved them)."""
    connection.execute(update(MigrationRun).where(col(MigrationRun.id) == run_id)
                       .values(moved=col(MigrationRun.moved) + moved))


def guard_case(connection: Connection, case_id: int, version: int, old_id: int, new_id: int,
               case_values: dict[str, Any], now: datetime, next_due: date | None) -> bool:
    """Move one case's row to the new version, guarded by its version and the old version id. False when the
    case changed meanwhile (nothing written)."""
    changed = connection.execute(update(Enrolment).where(
        col(Enrolment.id) == case_id, col(Enrolment.version) == version,
        col(Enrolment.pathway_version_id) == old_id).values(
        pathway_version_id=new_id, version=version + 1, updated_at=now, next_due=next_due, **case_values))
    return changed.rowcount == 1


def write_moved(connection: Connection, case_ids: Sequence[int], events: Sequence[dict[str, Any]],
                deadlines: Sequence[dict[str, Any]]) -> None:
    """The rest of the moved cases (each guarded first by :func:`guard_case`), in three statements: their
    migration events, their old deadline rows out, their new ones in."""
    connection.execute(insert(Event), list(events))
    connection.execute(delete(Deadline).where(col(Deadline.enrolment_id).in_(list(case_ids))))
    if deadlines:
        connection.execute(insert(Deadline), list(deadlines))
