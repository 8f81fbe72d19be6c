"""What the dashboard keeps in the store for its worker processes to share, behind a service so that
``ui`` asks for it without SQL: a job's progress, and the failed sign-ins the throttle counts.

The store access is in :mod:`pathways.store.queries.background`; these functions take the engine and
times from the caller (the dashboard's clock)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from pathways.store.queries import background as rows


@dataclass
class StoredJob:
    id: str
    title: str
    owner: int
    done: int
    total: int
    state: str
    message: str
    result: Any
    errors: list[tuple[Any, ...]]
    updated_at: datetime


def save_job(engine: Engine, job_id: str, owner: int, title: str, *, state: str, done: int, total: int,
             message: str, result: Any, errors: list[Any], now: datetime, first: bool, keep_since: datetime) -> None:
    rows.save_job(engine, job_id, owner, title, now, first, keep_since, state=state, done=done, total=total,
                  message=message, result=json.dumps(result, ensure_ascii=False) if result is not None else None,
                  errors=json.dumps(errors, ensure_ascii=False) if errors else None)


def load_job(engine: Engine, job_id: str) -> StoredJob | None:
    row = rows.load_job(engine, job_id)
    if row is None:
        return None
    return StoredJob(row.id, row.title, row.owner_id, row.done, row.total, row.state, row.message,
                     json.loads(row.result) if row.result else None,
                     [tuple(e) for e in json.loads(row.errors)] if row.errors else [], row.updated_at)


class SignInFailures:
    """The failed sign-ins of one check, in one transaction (:meth:`transaction`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def since(self, key: str, since: datetime, most: int) -> list[datetime]:
        return rows.failures_since(self.session, key, since, most)

    def add(self, keys: Sequence[str], at: datetime, forget_before: datetime) -> list[int]:
        return rows.add_failures(self.session, keys, at, forget_before)

    def delete(self, ids: Sequence[int]) -> None:
        rows.delete_failures(self.session, ids)


@contextmanager
def sign_in_failures(engine: Engine, write: bool = False) -> Iterator[SignInFailures]:
    """The failed sign-ins, read (or, with ``write``, changed in one transaction)."""
    with Session(engine) as session:
        if write:
            with session.begin():
                yield SignInFailures(session)
        else:
            yield SignInFailures(session)
