"""Rows the dashboard keeps for its worker processes to share: job progress and failed sign-ins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlmodel import Session, col

from pathways.store.tables import BackgroundJob, SignInFailure


def save_job(engine: Engine, job_id: str, owner: int, title: str, now: datetime, first: bool, keep_since: datetime,
             **values: Any) -> None:
    """Write a job's progress (``values``: state, done, total, message, result, errors); the first write
    creates the row and deletes jobs not updated since ``keep_since``."""
    with Session(engine) as session:
        row = BackgroundJob(id=job_id, owner_id=owner, title=title, started_at=now, updated_at=now) \
            if first else session.get(BackgroundJob, job_id)
        if row is None:
            return
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
        if first:
            session.execute(delete(BackgroundJob).where(col(BackgroundJob.updated_at) < keep_since))
        session.add(row)
        session.commit()


def load_job(engine: Engine, job_id: str) -> BackgroundJob | None:
    with Session(engine) as session:
        return session.get(BackgroundJob, job_id)


def failures_since(session: Session, key: str, since: datetime, most: int) -> list[datetime]:
    """The times of the newest ``most`` failed sign-ins under ``key`` after ``since``, newest first."""
    return list(session.execute(select(SignInFailure.at).where(
        col(SignInFailure.key) == key, col(SignInFailure.at) > since).order_by(col(SignInFailure.at).desc())
        .limit(most)).scalars().all())


def add_failures(session: Session, keys: Sequence[str], at: datetime, forget_before: datetime) -> list[int]:
    """Count a failed sign-in under each of ``keys``; forget those before ``forget_before``. Their ids."""
    session.execute(delete(SignInFailure).where(col(SignInFailure.at) < forget_before))
    rows = [SignInFailure(key=key, at=at) for key in keys]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows if row.id is not None]


def delete_failures(session: Session, ids: Sequence[int]) -> None:
    session.execute(delete(SignInFailure).where(col(SignInFailure.id).in_(list(ids))))
